package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every stored object's uid, owners and deletion state, kept current from the store's changes:
 * the garbage collector's graph (kube-controller-manager's GraphBuilder keeps one from its
 * informers, pkg/controller/garbagecollector/graph_builder.go), so a sweep walks small records
 * instead of parsing every stored object, which at thousands of objects cost the server more
 * than the requests it answered.
 */
final class OwnerGraph {

  /** What the collector needs of one object. */
  record Node(ApiTarget target, String uid, List<String> owners, boolean deleting,
      boolean foregroundDeletion, boolean orphaning) {
  }

  private final Map<String, Node> byUid = new ConcurrentHashMap<>();
  private final Storage api;

  OwnerGraph(Storage api) {
    this.api = api;
    api.addListener(this::changed);
    // Whatever was stored before the graph existed; a change since is already here and newer.
    for (Storage.Stored stored : api.allObjects()) {
      Node node = node(stored.target(), stored.object());
      byUid.putIfAbsent(node.uid(), node);
    }
  }

  /**
   * A snapshot, by uid, of one state of the store. Copied between writes: a copy taken while
   * writes go on may hold a dependent created during it without the owner created just before it
   * (a concurrent map's iteration may miss one new entry and see a later one), and the collector
   * would delete that dependent as an orphan. kube-controller-manager checks an owner it cannot
   * find with a live read before it deletes (garbagecollector.go, isDangling); here the snapshot
   * itself is consistent.
   */
  Map<String, Node> nodes() {
    Map<String, Node> snapshot = new HashMap<>();
    api.withoutWrites(() -> snapshot.putAll(byUid));
    return snapshot;
  }

  private void changed(Storage.Change change) {
    if (change.previous() != null) {
      byUid.remove(change.previous().path("metadata").path("uid").asText());
    }
    if (change.object() != null) {
      Node node = node(change.target(), change.object());
      byUid.put(node.uid(), node);
    }
  }

  private static Node node(ApiTarget target, ObjectNode object) {
    JsonNode metadata = object.path("metadata");
    List<String> owners = new ArrayList<>();
    for (JsonNode owner : metadata.path("ownerReferences")) {
      owners.add(owner.path("uid").asText());
    }
    return new Node(target.object(), metadata.path("uid").asText(), List.copyOf(owners),
        metadata.hasNonNull("deletionTimestamp"),
        Storage.finalizersOf(object).contains(GarbageCollector.FOREGROUND),
        Storage.finalizersOf(object).contains(GarbageCollector.ORPHAN));
  }
}
