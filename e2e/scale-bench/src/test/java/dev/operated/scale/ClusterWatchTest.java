package dev.operated.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.RequestFaults;
import dev.operated.cluster.WatchControl;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's observer sees every object once it exists, across what ends a watch on a real
 * API server: a closed stream (reopened from the last version seen) and a 410 Gone (reopened
 * from now, every object ADDED again).
 */
class ClusterWatchTest {

  private static final Duration BOUND = Duration.ofSeconds(20);

  @Test
  void objectsCreatedAfterTheWatchEndedOrWasGoneAreStillSeen() {
    try (EmbeddedCluster cluster = EmbeddedCluster.start();
        KubernetesClient client = cluster.newClient();
        ClusterWatch watch = new ClusterWatch(client, List.of(
            new ClusterWatch.Kind("v1", "ConfigMap")))) {
      create(client, "before");
      assertThat(watch.awaitSeen(List.of(key("before")), BOUND)).isEmpty();

      assertThat(cluster.watches().closeStreams(WatchControl.watchesOf("configmaps")))
          .isEqualTo(1);
      create(client, "after-close");
      assertThat(watch.awaitSeen(List.of(key("after-close")), BOUND)).isEmpty();

      awaitOpen(cluster);
      assertThat(cluster.watches().dropWithGone(WatchControl.watchesOf("configmaps")))
          .isEqualTo(1);
      create(client, "after-gone");
      assertThat(watch.awaitSeen(List.of(key("after-gone")), BOUND)).isEmpty();
    }
  }

  /**
   * A watch the server keeps refusing leaves the benchmark's waits to time out; the observer
   * then says which watch fails and with what, and stops saying it once the watch reads again.
   */
  @Test
  void aWatchThatKeepsFailingSaysWhyUntilItReadsAgain() {
    try (EmbeddedCluster cluster = EmbeddedCluster.start();
        KubernetesClient client = cluster.newClient()) {
      RequestFaults.Rule refused = cluster.faults().during(Duration.ofMinutes(1),
          RequestFaults.requests("GET", "/api/v1/configmaps?watch=true"),
          RequestFaults.Fault.internalError("etcd is down"));
      try (ClusterWatch watch = new ClusterWatch(client, List.of(
          new ClusterWatch.Kind("v1", "ConfigMap")))) {
        create(client, "while-refused");
        assertThat(watch.awaitSeen(List.of(key("while-refused")), Duration.ofSeconds(2)))
            .containsExactly(key("while-refused"));
        assertThat(watch.failing()).singleElement().satisfies(failing -> {
          assertThat(failing.kind()).isEqualTo("ConfigMap");
          assertThat(failing.attempts()).isGreaterThan(1);
          assertThat(failing.lastError()).contains("answered 500");
        });

        refused.lift();
        assertThat(watch.awaitSeen(List.of(key("while-refused")), BOUND)).isEmpty();
        assertThat(watch.failing()).isEmpty();
      }
    }
  }

  private static void awaitOpen(EmbeddedCluster cluster) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (cluster.watches().open().stream().noneMatch(w -> "configmaps".equals(w.resource()))
        && System.nanoTime() < deadline) {
      OperatorProcess.pause(Duration.ofMillis(50));
    }
  }

  private static void create(KubernetesClient client, String name) {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName(name).endMetadata().build()).create();
  }

  private static String key(String name) {
    return ClusterWatch.key("ConfigMap", "default", name);
  }
}
