package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects of one resource (ReplicaSets, pods) by the uid of each owner they name, kept
 * current from the store's changes: a controller's informer with an index by owner
 * (kube-controller-manager's controllers list their ReplicaSets and pods from such caches, not
 * from the API server). A sync then reads what one Deployment or ReplicaSet owns instead of
 * listing and parsing a whole namespace, which made every sync cost as much as the namespace is
 * big. The store notifies under its write lock before the write returns, so the view is never
 * behind a write that has been answered. The objects are the stored ones: readers must not
 * change them.
 */
final class OwnedObjects {

  private final String plural;
  /** owner uid → object uid → object, in the order of their last write. */
  private final Map<String, Map<String, ObjectNode>> byOwner = new ConcurrentHashMap<>();

  OwnedObjects(Storage api, String plural, String collectionPath) {
    this.plural = plural;
    api.addListener(this::changed);
    // Whatever was stored before this view existed; a change since is already here and newer.
    for (ObjectNode object : api.list(collectionPath)) {
      for (String owner : owners(object)) {
        bucket(owner).putIfAbsent(uid(object), object);
      }
    }
  }

  /** What names the owner in its ownerReferences, controller or not. */
  List<ObjectNode> owned(String ownerUid) {
    Map<String, ObjectNode> objects = byOwner.get(ownerUid);
    if (objects == null) {
      return List.of();
    }
    synchronized (objects) {
      return new ArrayList<>(objects.values());
    }
  }

  private void changed(Storage.Change change) {
    if (!plural.equals(change.target().plural())) {
      return;
    }
    ObjectNode object = change.object();
    String uid = uid(object != null ? object : change.previous());
    List<String> after = object != null ? owners(object) : List.of();
    Set<String> touched = new LinkedHashSet<>(after);
    if (change.previous() != null) {
      touched.addAll(owners(change.previous()));
    }
    // One owner's bucket is changed under its own lock, remove and put together, and is never
    // dropped: a reader between the two would see the owner own nothing, and a Deployment whose
    // ReplicaSet seems gone makes another.
    for (String owner : touched) {
      Map<String, ObjectNode> objects = bucket(owner);
      synchronized (objects) {
        objects.remove(uid);
        if (after.contains(owner)) {
          objects.put(uid, object);
        }
      }
    }
  }

  private Map<String, ObjectNode> bucket(String owner) {
    return byOwner.computeIfAbsent(owner, ignored -> Collections.synchronizedMap(
        new LinkedHashMap<>()));
  }

  private static String uid(JsonNode object) {
    return object.path("metadata").path("uid").asText();
  }

  private static List<String> owners(JsonNode object) {
    List<String> owners = new ArrayList<>();
    for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
      owners.add(owner.path("uid").asText());
    }
    return owners;
  }
}
