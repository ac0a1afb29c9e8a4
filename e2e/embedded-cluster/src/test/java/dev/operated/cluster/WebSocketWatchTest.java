package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket watch (what fabric8's informers open) hears each write it matches once, as
 * kube-apiserver's watch cache tells a watcher: MODIFIED while the object matches before and
 * after, ADDED when it starts matching, DELETED (with the object as it was) when it stops or is
 * deleted ({@code cacheWatcher.convertToWatchEvent},
 * staging/src/k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go). The server writes each
 * event's frame once for all its watchers ({@link WatchFrames}); these tests check what each
 * watcher receives.
 */
class WebSocketWatchTest {

  private static final String NS = "watched";

  private EmbeddedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private void write(String name, String team, String value) {
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(name).withLabels(Map.of("team", team)).endMetadata()
        .withData(Map.of("value", value)).build()).serverSideApply();
  }

  private static Watcher<ConfigMap> recording(List<String> events) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        events.add(action + " " + resource.getMetadata().getName() + " "
            + resource.getMetadata().getLabels().get("team") + " "
            + resource.getData().get("value") + " @" + resource.getMetadata().getResourceVersion());
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    };
  }

  private static List<String> withoutVersions(List<String> events) {
    return events.stream().map(event -> event.replaceFirst(" @.*", "")).toList();
  }

  @Test
  void aSelectedObjectIsAddedWhenItStartsMatchingAndDeletedWhenItStops() {
    write("before", "a", "0");
    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch ignored = client.configMaps().inNamespace(NS).withLabel("team", "a")
        .watch(recording(events))) {
      await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
      write("moving", "b", "1"); // not matched: nothing
      write("moving", "a", "2");
      write("moving", "a", "3");
      write("moving", "b", "4"); // the object as it is now is sent, no longer matching
      write("other", "b", "5");
      client.configMaps().inNamespace(NS).withName("before").delete();

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
          withoutVersions(events)).containsExactly("ADDED before a 0", "ADDED moving a 2",
          "MODIFIED moving a 3", "DELETED moving a 3", "DELETED before a 0"));
    }
  }

  @Test
  void aWatchOfOneNameHearsOnlyThatObject() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch ignored = client.configMaps().inNamespace(NS).withName("mine")
        .watch(recording(events))) {
      write("theirs", "a", "1");
      write("mine", "a", "1");
      write("theirs", "a", "2");
      write("mine", "a", "2");

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
          withoutVersions(events)).containsExactly("ADDED mine a 1", "MODIFIED mine a 2"));
    }
  }

  @Test
  void everyWatcherHearsTheSameEventsWithTheStoredVersions() {
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    try (Watch one = client.configMaps().inNamespace(NS).watch(recording(first));
        Watch two = client.configMaps().inNamespace(NS).watch(recording(second))) {
      for (int i = 0; i < 20; i++) {
        write("shared-" + (i % 3), "a", String.valueOf(i));
      }

      await().atMost(Duration.ofSeconds(5)).until(() -> first.size() == 20
          && second.size() == 20);
      assertThat(second).isEqualTo(first);
      ConfigMap stored = client.configMaps().inNamespace(NS).withName("shared-1").get();
      assertThat(first).last().isEqualTo("MODIFIED shared-1 a 19 @"
          + stored.getMetadata().getResourceVersion());
    }
  }

  /**
   * labels.Parse's set-based terms (staging/src/k8s.io/apimachinery/pkg/labels/selector.go):
   * fabric8's store split {@code team in (a,c)} at its comma, dropped both halves and answered
   * every object, so an informer on {@code matchExpressions} saw all of a namespace.
   */
  @Test
  void setBasedSelectorsSelectOnListsAndWatches() {
    write("in-a", "a", "0");
    write("in-b", "b", "0");
    write("in-c", "c", "0");
    assertThat(names(client.configMaps().inNamespace(NS).withLabelIn("team", "a", "c").list()
        .getItems())).containsExactlyInAnyOrder("in-a", "in-c");
    assertThat(names(client.configMaps().inNamespace(NS).withLabelNotIn("team", "a", "c")
        .list().getItems())).containsExactly("in-b");
    assertThat(names(client.configMaps().inNamespace(NS).withLabel("team", "b")
        .withLabelNotIn("team", "a").list().getItems())).containsExactly("in-b");

    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch ignored = client.configMaps().inNamespace(NS).withLabelIn("team", "a", "c")
        .watch(recording(events))) {
      await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
      write("in-b", "b", "1"); // not selected: nothing
      write("in-b", "c", "2");
      write("in-a", "b", "3"); // no longer selected: DELETED, as it was when it matched

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
          withoutVersions(events)).containsExactlyInAnyOrder("ADDED in-a a 0", "ADDED in-c c 0",
          "ADDED in-b c 2", "DELETED in-a a 0"));
    }
  }

  private static List<String> names(List<ConfigMap> items) {
    return items.stream().map(item -> item.getMetadata().getName()).toList();
  }
}
