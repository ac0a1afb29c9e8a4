package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The garbage collector's graph never shows a dependent without the owner created before it: the
 * collector deletes a dependent whose owners it cannot find, so such a snapshot deletes a live
 * object (SizeTest lost one Deployment of 1,000 that way, on a loaded machine).
 */
class OwnerGraphTest {

  private static final ApiTarget CONFIG_MAPS =
      ApiTarget.parse("/api/v1/namespaces/default/configmaps");
  /** Enough entries that copying the graph takes long enough for writes to land during it. */
  private static final int OTHERS = 5_000;
  private static final int PAIRS = 2_000;

  @Test
  void aSnapshotTakenDuringWritesHoldsTheOwnerOfEveryDependentInIt() throws InterruptedException {
    Storage api = new Storage(Clock.systemUTC());
    Workloads.createNamespace(api, "default"); // NamespaceLifecycle: the namespace first
    OwnerGraph graph = new OwnerGraph(api);
    for (int i = 0; i < OTHERS; i++) {
      api.createInternal(CONFIG_MAPS, configMap("other-" + i, null), "test");
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < PAIRS; i++) {
          ObjectNode owner = api.createInternal(CONFIG_MAPS, configMap("owner-" + i, null),
              "test");
          api.createInternal(CONFIG_MAPS, configMap("dependent-" + i,
              owner.path("metadata").path("uid").asText()), "test");
        }
      } finally {
        writing.set(false);
      }
    }, "owner-graph-writer");
    writer.start();

    List<String> orphans = new ArrayList<>();
    int snapshots = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (writing.get() && System.nanoTime() < deadline) {
      Map<String, OwnerGraph.Node> snapshot = graph.nodes();
      snapshots++;
      snapshot.values().stream()
          .filter(node -> node.owners().stream().anyMatch(owner -> !snapshot.containsKey(owner)))
          .forEach(node -> orphans.add(node.target().name()));
    }
    writer.join(Duration.ofMinutes(1).toMillis());

    assertThat(snapshots).as("snapshots taken while the writer ran").isGreaterThan(10);
    assertThat(orphans).as("dependents seen without their owner in %d snapshots", snapshots)
        .isEmpty();
  }

  private static ObjectNode configMap(String name, String ownerUid) {
    ObjectNode configMap = JsonNodeFactory.instance.objectNode();
    configMap.put("apiVersion", "v1").put("kind", "ConfigMap");
    ObjectNode metadata = configMap.putObject("metadata");
    metadata.put("name", name).put("namespace", "default");
    if (ownerUid != null) {
      metadata.putArray("ownerReferences").addObject().put("apiVersion", "v1")
          .put("kind", "ConfigMap").put("name", "owner").put("uid", ownerUid);
    }
    return configMap;
  }
}
