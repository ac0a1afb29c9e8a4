package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch opened while others write sends every change after the version it starts from, as from
 * kube-apiserver's watch cache, whose {@code cacheWatcher} takes its initial events and its place
 * among the watchers from one snapshot under the cache's lock ({@code Cacher.Watch},
 * staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go).
 *
 * <p>Found at N = 10,000 in the scale benchmark: fabric8's dispatcher replays the current objects
 * to a new WebSocket watch when it opens, iterating its store outside the store's lock; a write
 * meanwhile threw ConcurrentModificationException there and cut the replay short. An informer
 * that reconnected during the storm never heard of what changed while it was away, until its next
 * reconnect five to ten minutes later, and the services it fed waited that long. And a watch
 * closing while a write notified it failed that write with a 500 (fabric8's listener shuts its
 * executor down before it leaves the dispatcher's set).
 */
class WatchOpenedDuringWritesTest {

  private static final String NS = "busy";
  private static final int OBJECTS = 2_000;
  private static final int WATCHES = 40;

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

  private ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS)
        .endMetadata().withData(Map.of("value", value)).build();
  }

  @Test
  void everyWatchOpenedDuringAWriteStormSendsEveryChangeAfterItsVersion() throws Exception {
    // many stored objects make each replay long, so writes land inside it
    for (int i = 0; i < OBJECTS; i++) {
      client.configMaps().inNamespace(NS).resource(configMap("filler-" + i, "0")).create();
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger writes = new AtomicInteger();
    List<String> failedWrites = new CopyOnWriteArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      int writer = w;
      Thread thread = new Thread(() -> {
        for (int change = 0; writing.get() && change < 1_000_000; change++) {
          try {
            client.configMaps().inNamespace(NS).resource(configMap("churn-" + writer + "-"
                + change % 50, Integer.toString(change))).createOr(existing -> existing.update());
            writes.incrementAndGet();
          } catch (KubernetesClientException e) {
            failedWrites.add(e.getMessage());
          }
        }
      }, "writer-" + w);
      thread.start();
      writers.add(thread);
    }
    List<String> missed = new ArrayList<>();
    try {
      for (int round = 0; round < WATCHES; round++) {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        // a change after the version the watch starts from: an informer's reconnect must get it
        String from = client.configMaps().inNamespace(NS).list().getMetadata()
            .getResourceVersion();
        String before = "before-" + round;
        client.configMaps().inNamespace(NS).resource(configMap(before, "1")).create();
        try (Watch ignored = client.configMaps().inNamespace(NS).watch(new ListOptionsBuilder()
            .withResourceVersion(from).build(), new Watcher<>() {
              @Override
              public void eventReceived(Action action, ConfigMap resource) {
                seen.add(resource.getMetadata().getName());
              }

              @Override
              public void onClose(WatcherException cause) {
              }
            })) {
          String after = "after-" + round;
          client.configMaps().inNamespace(NS).resource(configMap(after, "1")).create();
          try {
            await().atMost(Duration.ofSeconds(10))
                .until(() -> seen.contains(before) && seen.contains(after));
          } catch (org.awaitility.core.ConditionTimeoutException e) {
            missed.addAll(Stream.of(before, after).filter(name -> !seen.contains(name))
                .toList());
          }
        }
      }
    } finally {
      writing.set(false);
      for (Thread writer : writers) {
        writer.join();
      }
    }
    System.out.printf("%d watches opened during %d writes; events missed: %s%n", WATCHES,
        writes.get(), missed);
    assertThat(writes.get()).as("writes went on while the watches opened")
        .isGreaterThan(WATCHES);
    assertThat(missed).as("changes after the version a watch started from, or after it opened, "
        + "that it never sent").isEmpty();
    assertThat(failedWrites).as("writes refused while watches opened and closed").isEmpty();
  }
}
