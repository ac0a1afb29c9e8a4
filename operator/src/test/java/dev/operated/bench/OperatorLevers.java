package dev.operated.bench;

import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded measurement of the operator's levers, not a test (no *Test name: surefire never runs
 * it): N OperatedServices with two pods each on fabric8's mock API server (CRUD mode, SSA off as
 * in MockCluster), the operator in-process, and what the operator alone retains after a full GC
 * (heap with it running minus heap after it stopped: the mock's store is in both), its threads,
 * and the requests it sent per service. Pods are made from the Deployment the operator applied,
 * with the managedFields a real API server would attach, as a ReplicaSet controller and kubelet
 * would. The full scale benchmark (embedded API server, separate JVMs) is the i16 benchmark.
 *
 * <pre>
 * ./mvnw -B -o -q -pl operator test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -XX:+UseSerialGC -Xmx1g -cp operator/target/classes:operator/target/test-classes:$(cat operator/target/cp.txt) \
 *   dev.operated.bench.OperatorLevers 1000 8
 * </pre>
 */
public final class OperatorLevers {

  private static final String NS = "bench";

  public static void main(String[] args) throws Exception {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(Level.WARNING);
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    try (MockApiServer api = new MockApiServer("1.33")) {
      KubernetesClient client = api.client;
      api.createNamespaces(NS);
      for (int i = 0; i < services; i++) {
        client.resource(new OperatedService(NS, "svc-" + i, new OperatedServiceSpec(
            "registry.example.com/svc-" + i + ":1.0.0", 2, null, null, null, null, null, null,
            null, null, null, null))).create();
      }
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      AtomicInteger reconciles = new AtomicInteger();
      api.clearRequestLog();
      int requestsBefore = api.server.getRequestCount();
      Instant start = Instant.now();
      Operator operator = OperatedOperator.create(client, Clock.systemUTC(),
          MockApiServer.WITHOUT_SSA.andThen(configuration -> configuration
              .withConcurrentReconciliationThreads(threads)
              .withConcurrentWorkflowExecutorThreads(threads)
              .withMetrics(new Metrics() {
                @Override
                public void finishedReconciliation(HasMetadata resource,
                    Map<String, Object> metadata) {
                  reconciles.incrementAndGet();
                }
              })));
      operator.start();
      awaitCount(() -> client.apps().deployments().inNamespace(NS).list().getItems().size(),
          services);
      Duration applied = Duration.between(start, Instant.now());
      int operatorRequests = api.server.getRequestCount() - requestsBefore;
      // the pods a ReplicaSet controller and kubelet would make, then let the operator settle
      for (Deployment deployment : client.apps().deployments().inNamespace(NS).list()
          .getItems()) {
        for (int replica = 0; replica < 2; replica++) {
          client.resource(pod(deployment, replica)).create();
        }
        deployment.setStatus(new DeploymentStatusBuilder()
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .withReplicas(2).withUpdatedReplicas(2).withReadyReplicas(2).withAvailableReplicas(2)
            .withConditions(new DeploymentConditionBuilder().withType("Progressing")
                .withStatus("True").withReason("NewReplicaSetAvailable").build())
            .build());
        client.resource(deployment).updateStatus();
      }
      awaitQuiet(reconciles);
      int stormRequests = api.server.getRequestCount() - requestsBefore;
      int peakThreads = ManagementFactory.getThreadMXBean().getPeakThreadCount();
      int threadsRunning = ManagementFactory.getThreadMXBean().getThreadCount();
      long withOperator = heapAfterFullGc();
      operator.stop();
      long withoutOperator = heapAfterFullGc();
      long retained = withOperator - withoutOperator;
      System.out.printf(Locale.ROOT, "services=%d reconcileThreads=%d java=%s%n", services,
          threads, Runtime.version());
      System.out.printf(Locale.ROOT, "all Deployments applied after %d ms; %d requests until "
          + "then (%.1f per service); %d reconciles%n", applied.toMillis(), operatorRequests,
          (double) operatorRequests / services, reconciles.get());
      System.out.printf(Locale.ROOT, "until quiet (pods and Deployment status written by the "
          + "harness included): %d requests, %d reconciles%n", stormRequests, reconciles.get());
      System.out.printf(Locale.ROOT, "operator heap after full GC: %.1f MiB (%.1f KiB per "
          + "service, 2 pods each)%n", retained / 1048576.0, retained / 1024.0 / services);
      System.out.printf(Locale.ROOT, "threads: %d before the operator, %d after the storm, "
          + "peak %d%n", threadsBefore, threadsRunning, peakThreads);
    }
  }

  private static Pod pod(Deployment deployment, int replica) {
    String name = deployment.getMetadata().getName() + "-7d9f8c6b5-" + replica;
    Pod pod = new PodBuilder()
        .withNewMetadataLike(deployment.getSpec().getTemplate().getMetadata())
          .withName(name).withNamespace(NS).withUid(java.util.UUID.randomUUID().toString())
          .withCreationTimestamp(Instant.now().toString())
        .endMetadata()
        .withSpec(deployment.getSpec().getTemplate().getSpec())
        .withNewStatus().withPhase("Running").withStartTime(Instant.now().toString())
          .withPodIP("10.0.0." + replica).withHostIP("192.168.0.1").withQosClass("Burstable")
          .withConditions(
              new PodConditionBuilder().withType("Ready").withStatus("True")
                  .withLastTransitionTime(Instant.now().toString()).build(),
              new PodConditionBuilder().withType("ContainersReady").withStatus("True")
                  .withLastTransitionTime(Instant.now().toString()).build(),
              new PodConditionBuilder().withType("PodScheduled").withStatus("True")
                  .withLastTransitionTime(Instant.now().toString()).build())
          .withContainerStatuses(deployment.getSpec().getTemplate().getSpec().getContainers()
              .stream().map(container -> new ContainerStatusBuilder()
                  .withName(container.getName()).withImage(container.getImage())
                  .withImageID("docker.io/library/x@sha256:" + "0".repeat(64))
                  .withContainerID("containerd://" + "1".repeat(64))
                  .withReady(true).withStarted(true).withRestartCount(0)
                  .withNewState().withNewRunning().withStartedAt(Instant.now().toString())
                  .endRunning().endState().build()).toList())
        .endStatus()
        .build();
    // what a real API server attaches: the ReplicaSet controller's fields and the kubelet's
    pod.getMetadata().setManagedFields(List.of(
        managedFields("kube-controller-manager", null, pod.getMetadata(), pod.getSpec()),
        managedFields("kubelet", "status", null, pod.getStatus())));
    return pod;
  }

  private static ManagedFieldsEntry managedFields(String manager, String subresource,
      Object metadata, Object body) {
    Map<String, Object> tree = new LinkedHashMap<>();
    if (metadata != null) {
      tree.put("f:metadata", fieldsOf(Serialization.jsonMapper().convertValue(metadata, Map.class)));
    }
    tree.put(subresource == null ? "f:spec" : "f:status",
        fieldsOf(Serialization.jsonMapper().convertValue(body, Map.class)));
    FieldsV1 fields = new FieldsV1();
    tree.forEach(fields::setAdditionalProperty);
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update")
        .withApiVersion("v1").withFieldsType("FieldsV1").withSubresource(subresource)
        .withTime(Instant.now().toString()).withFieldsV1(fields).build();
  }

  /** A managedFields tree of an object: "f:" per field, "k:" per list item by name. */
  @SuppressWarnings("unchecked")
  private static Object fieldsOf(Object value) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, child) -> fields.put("f:" + key, fieldsOf(child)));
    } else if (value instanceof List<?> list) {
      for (Object item : list) {
        String key = item instanceof Map<?, ?> m && m.get("name") != null
            ? "k:{\"name\":\"" + m.get("name") + "\"}" : "v:" + item;
        fields.put(key, fieldsOf(item));
      }
    }
    return fields;
  }

  private static long heapAfterFullGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      await().pollDelay(Duration.ofMillis(200)).until(() -> true); // let finalization settle
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void awaitCount(java.util.function.IntSupplier count, int expected)
      throws InterruptedException {
    await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> count.getAsInt() >= expected);
  }

  /** Until no reconcile finished for three seconds, or two minutes at most. */
  private static void awaitQuiet(AtomicInteger reconciles) throws InterruptedException {
    int[] seen = {-1};
    try {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(3)).until(() -> {
        int now = reconciles.get();
        boolean quiet = now == seen[0];
        seen[0] = now;
        return quiet;
      });
    } catch (org.awaitility.core.ConditionTimeoutException stillBusy) {
      // two minutes is the bound: measure what there is
    }
  }

  private OperatorLevers() {
  }
}
