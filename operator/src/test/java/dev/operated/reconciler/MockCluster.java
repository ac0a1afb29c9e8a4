package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.testing.MockApiServer;
import dev.operated.testing.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator against fabric8's mock API server in CRUD mode.
 *
 * <p>Where the mock differs from a real API server, this test adapts and production does not:
 * the mock answers server-side-apply PATCHes with 415/404 and writes no managedFields, so JOSDK
 * runs here with SSA switched off (create/update plus its generic matcher). The production
 * configuration keeps SSA and is tested unchanged against the embedded API server in
 * e2e/tests (OperatorOnEmbeddedClusterTest) and e2e/playground; it cannot run here because the
 * e2e modules depend on this one. These tests stay for what is quick to check in-module: status
 * aggregation, events, dependents switched on and off. The mock also runs no Deployment
 * controller, so tests write the Deployment status a controller would.
 */
final class MockCluster implements AutoCloseable {

  private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

  final MockApiServer api;
  final KubernetesMockServer server;
  final KubernetesClient client;
  final Operator operator;
  private final AtomicInteger reconciles = new AtomicInteger();
  private final AtomicInteger reconcilesSubmitted = new AtomicInteger();
  private final AtomicInteger executionsFinished = new AtomicInteger();

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

  MockCluster(String kubernetesVersion) {
    api = new MockApiServer(kubernetesVersion);
    server = api.server;
    client = api.client;
    api.createNamespaces(OperatedServiceReconcilerTest.NS);
    // SSA off: the CRUD mock answers apply patches with 415 (see the class comment).
    operator = OperatedOperator.create(client, clock, MockApiServer.WITHOUT_SSA.andThen(
        configuration -> configuration.withMetrics(new Metrics() {
          @Override
          public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            reconciles.incrementAndGet();
          }

          // JOSDK calls this as it hands a reconcile to its executor, before the reconcile waits
          // in the executor's queue; every one handed over ends in an execution finished
          @Override
          public void reconcileCustomResource(HasMetadata resource, RetryInfo retry,
              Map<String, Object> metadata) {
            reconcilesSubmitted.incrementAndGet();
          }

          @Override
          public void reconciliationExecutionFinished(HasMetadata resource,
              Map<String, Object> metadata) {
            executionsFinished.incrementAndGet();
          }

          // as JOSDK's MicrometerMetrics, which production runs, hands a reconcile's failure on:
          // wrapped in an OperatorException (its timeControllerExecution), so the reconciler's
          // error handling here sees what it sees in production
          @Override
          public <T> T timeControllerExecution(ControllerExecution<T> execution) {
            try {
              return execution.execute();
            } catch (Exception failure) {
              throw new OperatorException(failure);
            }
          }
        })));
    operator.start();
  }

  int reconciles() {
    return reconciles.get();
  }

  /**
   * No reconcile is queued or running. An event not yet delivered, or a reschedule not yet due,
   * can still start one.
   */
  boolean idle() {
    return reconcilesSubmitted.get() == executionsFinished.get();
  }

  OperatedService get(String namespace, String name) {
    return client.resources(OperatedService.class).inNamespace(namespace).withName(name).get();
  }

  /** Forgets the requests made so far. */
  void clearRequestLog() throws InterruptedException {
    api.clearRequestLog();
  }

  /** Mutating requests since the log was last cleared, as "METHOD path". */
  List<String> mutatingRequests() throws InterruptedException {
    return writes().stream().map(write -> write.method() + " " + write.path()).toList();
  }

  /** A mutating request as the API server received it. */
  record Write(String method, String path, String body) {
  }

  /** Mutating requests since the log was last cleared, with their bodies. */
  List<Write> writes() throws InterruptedException {
    List<Write> writes = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      if (MUTATING.contains(request.getMethod())) {
        writes.add(new Write(request.getMethod(), request.getPath(), api.bodyOf(request)));
      }
    }
    return writes;
  }

  /** Paths of every request since the log was last cleared. */
  List<String> requestPaths() throws InterruptedException {
    List<String> paths = new ArrayList<>();
    RecordedRequest request;
    while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      paths.add(request.getPath());
    }
    return paths;
  }

  @Override
  public void close() {
    operator.stop();
    api.close();
  }
}
