package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.ApiRequest;
import dev.operated.cluster.ContainerReport;
import dev.operated.cluster.Controller;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.Node;
import dev.operated.cluster.PodReporter;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.status.PodDiagnosis;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sieve's stale state: the pod status that would change the service's status is held back (the
 * kubelet paused: the node has reported, the API has not heard) while other events make the
 * operator reconcile; then it is let through, and another reconcile is triggered at once, so one
 * may run on a cache that has not yet seen the operator's own status write. Oracles: exactly one
 * Event per real transition of Ready (status or reason), Ready's {@code lastTransitionTime}
 * rewritten only when its status changes, no write at all from the reconciles that saw no change,
 * and no status write that changed nothing.
 */
class StaleStatusEventTest {

  private static final String NS = "shop";
  private static final String NAME = "sample-service";
  private static final String OPERATOR_AGENT = "operated-stale";
  private static final String TEST_MANAGER = "e2e-test";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A node whose containers' readiness the test flips. */
  private static final class SwitchNode implements Node {
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final Map<String, PodReporter> reporters = new ConcurrentHashMap<>();
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();

    @Override
    public void podAdded(Pod pod, PodReporter reporter) {
      reporters.put(pod.getMetadata().getUid(), reporter);
      pods.put(pod.getMetadata().getUid(), pod);
      report(pod.getMetadata().getUid());
    }

    void ready(boolean nowReady) {
      ready.set(nowReady);
      reporters.keySet().forEach(this::report);
    }

    private void report(String uid) {
      PodReporter reporter = reporters.get(uid);
      Pod pod = pods.get(uid);
      if (reporter != null && pod != null) {
        reporter.report(pod.getSpec().getContainers().stream()
            .map(container -> ContainerReport.running(container.getName(), false, ready.get()))
            .toList());
      }
    }

    @Override
    public void podDeleted(Pod pod, PodReporter reporter) {
      reporters.remove(pod.getMetadata().getUid());
      pods.remove(pod.getMetadata().getUid());
      reporter.terminated();
    }
  }

  /** Ready as one stored version of the OperatedService had it. */
  private record ReadySeen(String resourceVersion, String status, String reason,
      String lastTransitionTime, String ready) {
  }

  private final SwitchNode node = new SwitchNode();
  private final List<ReadySeen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger touches = new AtomicInteger();
  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private KubernetesClient operatorClient;
  private Operator operator;
  private Watch watch;

  @BeforeEach
  void start() {
    cluster = TestClusters.withCrds().node(node).start();
    client = cluster.newClient();
    TestClusters.createNamespaces(client, NS);
    operatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        cluster.config()).withUserAgent(OPERATOR_AGENT + "/e2e").build()).build();
    operator = OperatedOperator.create(operatorClient, Clock.systemUTC(), configuration -> { });
    operator.start();
    watch = client.resources(OperatedService.class).inNamespace(NS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, OperatedService resource) {
        if (resource.getStatus() != null) {
          resource.getStatus().condition("Ready").ifPresent(ready -> seen.add(new ReadySeen(
              resource.getMetadata().getResourceVersion(), ready.getStatus(), ready.getReason(),
              ready.getLastTransitionTime(), resource.getStatus().ready())));
        }
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    });
  }

  @AfterEach
  void stop() {
    watch.close();
    operator.stop();
    operatorClient.close();
    client.close();
    cluster.close();
  }

  private Condition ready() {
    OperatedService resource = client.resources(OperatedService.class).inNamespace(NS)
        .withName(NAME).get();
    return resource == null || resource.getStatus() == null ? null
        : resource.getStatus().condition("Ready").orElse(null);
  }

  private void awaitReady(String status) {
    await().atMost(TIMEOUT).until(() -> ready() != null && status.equals(ready().getStatus()));
  }

  /** An event that makes the operator reconcile with nothing to change: a foreign annotation. */
  private void touchService() {
    client.services().inNamespace(NS).withName(NAME).patch(new PatchContext.Builder()
        .withPatchType(PatchType.JSON_MERGE).withFieldManager(TEST_MANAGER).build(),
        Serialization.asJson(Map.of("metadata", Map.of("annotations",
            Map.of("example.com/touched", String.valueOf(touches.incrementAndGet()))))));
  }

  private static final Predicate<ApiRequest> BY_OPERATOR =
      request -> OPERATOR_AGENT.equals(request.client());

  private List<ApiRequest> operatorWrites() {
    return cluster.requests().writes(BY_OPERATOR);
  }

  /**
   * Holds the pods' new readiness back while three reconciles run on other events, then lets it
   * through together with one more such event.
   */
  private void delayedReadiness(boolean nowReady) {
    awaitQuiet();
    int writesBefore = operatorWrites().size();
    OperatedService before = client.resources(OperatedService.class).inNamespace(NS)
        .withName(NAME).get();
    try (EmbeddedCluster.Pause kubelet = cluster.pause(Controller.KUBELET)) {
      node.ready(nowReady);
      for (int i = 0; i < 3; i++) {
        touchService();
        // the reconcile ran: the operator read the Service's new annotation into its cache
        await().pollDelay(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> true);
      }
      assertThat(operatorWrites().subList(writesBefore, operatorWrites().size()))
          .as("reconciles that saw no change write nothing, not even the same status; "
              + "before: %s, now: %s", Serialization.asJson(before.getStatus()),
              Serialization.asJson(client.resources(OperatedService.class).inNamespace(NS)
                  .withName(NAME).get().getStatus()))
          .isEmpty();
      assertThat(ready().getStatus()).as("the held readiness is not known yet")
          .isEqualTo(nowReady ? "False" : "True");
    }
    touchService();
    awaitReady(nowReady ? "True" : "False");
    // a few more reconciles once it has settled, one of them on a possibly stale cache
    touchService();
    touchService();
    await().pollDelay(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> true);
  }

  /**
   * Settled: no change of the diagnosis is due by the clock alone (an unready app crossing its
   * readiness budget turns "not ready yet" into "probe failing" with no event, and the operator
   * comes back for it by itself), and the operator has written nothing for two seconds.
   */
  private void awaitQuiet() {
    await().atMost(TIMEOUT).until(() -> PodDiagnosis.nextChange(
        client.pods().inNamespace(NS).list().getItems(), Instant.now()).isEmpty());
    AtomicInteger last = new AtomicInteger(-1);
    await().during(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> {
      int now = operatorWrites().size();
      return last.getAndSet(now) == now;
    });
  }

  @Test
  void aDelayedReadinessChangeGivesOneEventAndOneTransitionPerRealChange() {
    Examples.apply(client, Examples.SAMPLE, NS);
    awaitReady("True");
    awaitQuiet();
    Predicate<ApiRequest> deploymentWrites = BY_OPERATOR
        .and(request -> request.path().contains("/deployments/" + NAME));
    int deploymentChangesBefore = cluster.requests().changingWrites(deploymentWrites).size();

    delayedReadiness(false);
    delayedReadiness(true);

    assertThat(cluster.requests().changingWrites(deploymentWrites))
        .as("readiness is no reason to change the Deployment")
        .hasSize(deploymentChangesBefore);

    List<ReadySeen> versions = distinctVersions();
    int transitions = 0;
    for (int i = 1; i < versions.size(); i++) {
      ReadySeen before = versions.get(i - 1);
      ReadySeen after = versions.get(i);
      boolean statusChanged = !Objects.equals(before.status(), after.status());
      if (statusChanged || !Objects.equals(before.reason(), after.reason())) {
        transitions++;
      }
      if (statusChanged) {
        // metav1.Time is whole seconds: a flip within the second keeps the same value
        assertThat(Instant.parse(String.valueOf(after.lastTransitionTime())))
            .as("lastTransitionTime moves on when Ready's status changes: %s → %s", before, after)
            .isAfterOrEqualTo(Instant.parse(String.valueOf(
                before.lastTransitionTime())));
      } else {
        assertThat(after.lastTransitionTime())
            .as("lastTransitionTime kept while Ready's status stays: %s → %s", before, after)
            .isEqualTo(before.lastTransitionTime());
      }
    }
    List<Event> events = client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(event -> NAME.equals(event.getInvolvedObject().getName())
            && "OperatedService".equals(event.getInvolvedObject().getKind()))
        .toList();
    int eventCount = events.stream().mapToInt(event -> event.getCount() == null ? 1
        : event.getCount()).sum();
    // the first version seen already carries the creation's Ready; its Event is one more
    assertThat(eventCount).as("one Event per Ready transition: %s in %s", events, versions)
        .isEqualTo(transitions + eventsBeforeFirstVersion(versions));
    List<ApiRequest> statusWrites = cluster.requests().writes(BY_OPERATOR
        .and(request -> request.path().contains("/operatedservices/" + NAME + "/status")));
    // a status write on a stale cache may repeat the last one (the API server stores nothing);
    // one that stores something must be a real change, which the watch shows
    List<ApiRequest> changingStatusWrites = statusWrites.stream().filter(ApiRequest::changed)
        .toList();
    assertThat(changingStatusWrites).as("status writes that stored something, against the "
        + "stored versions they made").hasSizeLessThanOrEqualTo(seen.size());
    for (int i = 1; i < versions.size(); i++) {
      ReadySeen before = versions.get(i - 1);
      ReadySeen after = versions.get(i);
      assertThat(Objects.equals(before.status(), after.status())
          && Objects.equals(before.reason(), after.reason())
          && Objects.equals(before.ready(), after.ready())
          && !Objects.equals(before.lastTransitionTime(), after.lastTransitionTime()))
          .as("a version that only moved lastTransitionTime: %s → %s", before, after).isFalse();
    }
    System.out.printf("stale status event: %d Ready versions, %d transitions, %d Events, "
        + "%d status writes (%d stored nothing), %d operator writes in all%n", versions.size(),
        transitions, eventCount, statusWrites.size(),
        statusWrites.size() - changingStatusWrites.size(), operatorWrites().size());
  }

  /** The stored versions in order, each once (a watch may repeat none, but be safe). */
  private List<ReadySeen> distinctVersions() {
    List<ReadySeen> versions = new ArrayList<>();
    for (ReadySeen version : seen) {
      if (versions.isEmpty()
          || !versions.get(versions.size() - 1).resourceVersion().equals(version.resourceVersion())) {
        versions.add(version);
      }
    }
    return versions;
  }

  /** Ready's Event for the state the first seen version has (nothing was there before it). */
  private static int eventsBeforeFirstVersion(List<ReadySeen> versions) {
    return versions.isEmpty() ? 0 : 1;
  }
}
