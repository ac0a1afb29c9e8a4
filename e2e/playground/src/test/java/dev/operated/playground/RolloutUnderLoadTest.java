package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NAME;
import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.ShutdownSpec;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts and a node drain under continuous traffic through the Service. The Service front
 * takes an endpoint out of rotation {@link #PROPAGATION} after its pod starts terminating, as
 * kube-proxy does on a real cluster: the drain (the kubelet's preStop sleep here) must cover that, and the test without it
 * shows that it is the drain, not luck, that keeps every request answered.
 */
class RolloutUnderLoadTest {

  static final Duration PROPAGATION = Duration.ofSeconds(1);
  private static final int CLIENTS = 4;
  private static final Duration ROLLOUT_TIMEOUT = Duration.ofSeconds(120);

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @AfterEach
  void stop() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void anEnvChangeAndARollingRestartUnderLoadFailNoRequestAndKeepFullCapacity() throws Exception {
    ServiceFront front = twoPodsBehindAFront(resource -> resource);

    Set<String> progressingSeen = ConcurrentHashMap.newKeySet();
    AtomicLong lowestCapacity = new AtomicLong(Long.MAX_VALUE);
    try (Load load = Load.start(front.port(), CLIENTS, Duration.ofMinutes(4));
        Watcher watcher = new Watcher(() -> {
          lowestCapacity.accumulateAndGet(e2e.servingPods(), Math::min);
          var progressing = e2e.condition("Progressing");
          if (progressing != null && "True".equals(progressing.getStatus())) {
            progressingSeen.add(progressing.getReason());
          }
        })) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded() > 50);

      // 1. an env change: the template changes, the pods are replaced one by one
      Set<String> before = podNames();
      e2e.applyExample(resource -> withEnv(resource, "GREETING", "v2"));
      awaitAllPodsReplaced(before);
      e2e.awaitReady(2);

      // 2. kubectl rollout restart
      Set<String> beforeRestart = podNames();
      e2e.cluster.client().apps().deployments().inNamespace(NS).withName(NAME).patch(
          PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(Map.of("spec",
              Map.of("template", Map.of("metadata", Map.of("annotations",
                  Map.of("kubectl.kubernetes.io/restartedAt", Instant.now().toString())))))));
      awaitAllPodsReplaced(beforeRestart);
      e2e.awaitReady(2);

      load.close();
      // the numbers, for docs/benchmarks.md (surefire keeps stdout in the report folder)
      System.out.printf("with drain: %d requests answered, %d failed, lowest capacity %d%n",
          load.succeeded(), load.failures().size(), lowestCapacity.get());
      assertThat(load.failures()).as("requests that failed during the rollouts").isEmpty();
      assertThat(load.succeeded()).as("requests answered").isGreaterThan(500);
      assertThat(lowestCapacity.get()).as("ready, not terminating pods at any time")
          .isGreaterThanOrEqualTo(2);
      assertThat(progressingSeen).as("the OperatedService reported the rollouts").isNotEmpty();
    }
  }

  /**
   * A node drain under load, evicting as kubectl drain does (each pod through the eviction
   * subresource, again after a 429): the operator's PodDisruptionBudget lets one pod go at a
   * time, the second only once the Deployment's replacement is ready, and the drain in each
   * evicted pod keeps every request answered.
   */
  @Test
  void aDrainUnderLoadEvictsOnePodAtATimeThroughTheBudgetAndFailsNoRequest() throws Exception {
    ServiceFront front = twoPodsBehindAFront(resource -> resource);

    AtomicLong lowestServing = new AtomicLong(Long.MAX_VALUE);
    AtomicLong refusals = new AtomicLong();
    try (Load load = Load.start(front.port(), CLIENTS, Duration.ofMinutes(4));
        Watcher watcher = new Watcher(() ->
            lowestServing.accumulateAndGet(e2e.servingPods(), Math::min))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded() > 50);

      Set<String> before = podNames();
      for (String pod : before) {
        await("pod " + pod + " evicted").atMost(ROLLOUT_TIMEOUT)
            .pollInterval(Duration.ofMillis(500)).until(() -> {
              boolean evicted = e2e.cluster.client().pods().inNamespace(NS).withName(pod)
                  .evict();
              if (!evicted) {
                refusals.incrementAndGet(); // 429: the budget allows no disruption now
              }
              return evicted;
            });
      }
      awaitAllPodsReplaced(before);
      e2e.awaitReady(2);

      load.close();
      System.out.printf("drain: %d requests answered, %d failed, %d evictions refused, lowest "
          + "serving %d%n", load.succeeded(), load.failures().size(), refusals.get(),
          lowestServing.get());
      assertThat(load.failures()).as("requests that failed during the drain").isEmpty();
      assertThat(refusals.get()).as("the second eviction waited for the first's replacement")
          .isPositive();
      assertThat(lowestServing.get()).as("ready, not terminating pods at any time")
          .isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void withoutTheDrainTheSameRolloutDropsRequests() throws Exception {
    ServiceFront front = twoPodsBehindAFront(RolloutUnderLoadTest::withoutDrain);

    try (Load load = Load.start(front.port(), CLIENTS, Duration.ofMinutes(4))) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.succeeded() > 50);
      Set<String> before = podNames();
      e2e.applyExample(resource -> withEnv(withoutDrain(resource), "GREETING", "v2"));
      awaitAllPodsReplaced(before);
      e2e.awaitReady(2);
      load.close();
      System.out.printf("without drain: %d requests answered, %d failed: %s%n",
          load.succeeded(), load.failures().size(),
          load.failures().subList(0, Math.min(3, load.failures().size())));

      // the old pods stopped listening while the front still sent them new connections
      assertThat(load.failures()).as("requests lost to the endpoint-removal race").isNotEmpty();
    }
  }

  /** The example, changed so, Ready with two pods, both in the Service front's rotation. */
  private ServiceFront twoPodsBehindAFront(UnaryOperator<OperatedService> example)
      throws Exception {
    e2e = new LocalEndToEnd(logs, "1.33");
    e2e.applyExample(example);
    e2e.awaitReady(2);
    ServiceFront front = e2e.cluster.front(NS, NAME, PROPAGATION);
    await().atMost(Duration.ofSeconds(10)).until(() -> front.endpoints().size() == 2);
    return front;
  }

  private Set<String> podNames() {
    return e2e.pods().stream().map(pod -> pod.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private void awaitAllPodsReplaced(Set<String> before) {
    await("every pod replaced").atMost(ROLLOUT_TIMEOUT).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          List<Pod> pods = e2e.pods();
          return !pods.isEmpty() && pods.stream()
              .noneMatch(pod -> before.contains(pod.getMetadata().getName()));
        });
  }

  private static OperatedService withEnv(OperatedService resource, String name, String value) {
    resource.setSpec(resource.getSpec().withEnv(
        List.of(new EnvVarBuilder().withName(name).withValue(value).build())));
    return resource;
  }

  private static OperatedService withoutDrain(OperatedService resource) {
    resource.setSpec(resource.getSpec().withShutdown(
        new ShutdownSpec(0, resource.getSpec().shutdown().timeoutSeconds(), null, null)));
    return resource;
  }

  /** Samples the cluster every 100 ms in the background until closed. */
  private static final class Watcher implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    Watcher(Runnable sample) {
      thread = new Thread(() -> {
        while (running) {
          try {
            sample.run();
          } catch (RuntimeException e) {
            // the API answered with an error once: the next sample counts
          }
          await().pollDelay(Duration.ofMillis(100)).until(() -> true);
        }
      }, "rollout-watcher");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(5000);
    }
  }
}
