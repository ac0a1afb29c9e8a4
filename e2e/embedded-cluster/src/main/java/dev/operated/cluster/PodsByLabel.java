package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods of each namespace, indexed by label and kept current from the store's changes: the
 * pod informer and its indexer that the disruption and EndpointSlice controllers select pods
 * from, so that a selector reads the few pods with its first label instead of a namespace. It
 * must be made before the controllers that read it, so that it has heard of a change before a
 * controller's listener does. The objects are the stored ones: readers must not change them.
 */
final class PodsByLabel {

  /** namespace → pod name → pod. */
  private final Map<String, Map<String, ObjectNode>> pods = new ConcurrentHashMap<>();
  /** namespace → "key=value" → names of the pods with that label. */
  private final Map<String, Map<String, Set<String>>> byLabel = new ConcurrentHashMap<>();

  PodsByLabel(Storage api) {
    api.addListener(change -> {
      if ("pods".equals(change.target().plural()) && change.target().group().isEmpty()) {
        changed(change.target().namespace(), change.target().name(), change.object());
      }
    });
    for (ObjectNode pod : api.list("/api/v1/pods")) {
      changed(pod.path("metadata").path("namespace").asText(),
          pod.path("metadata").path("name").asText(), pod);
    }
  }

  private void changed(String namespace, String name, ObjectNode pod) {
    Map<String, ObjectNode> inNamespace = namespaced(pods, namespace);
    Map<String, Set<String>> index = namespaced(byLabel, namespace);
    ObjectNode old = pod == null ? inNamespace.remove(name) : inNamespace.put(name, pod);
    if (old != null) {
      old.path("metadata").path("labels").fields().forEachRemaining(label -> index.getOrDefault(
          label.getKey() + "=" + label.getValue().asText(), Set.of()).remove(name));
    }
    if (pod != null) {
      pod.path("metadata").path("labels").fields().forEachRemaining(label -> index
          .computeIfAbsent(label.getKey() + "=" + label.getValue().asText(),
              key -> ConcurrentHashMap.newKeySet()).add(name));
    }
  }

  /** The pods of the namespace a {@code metav1.LabelSelector} selects. */
  List<ObjectNode> selected(String namespace, JsonNode selector) {
    Map<String, ObjectNode> inNamespace = namespaced(pods, namespace);
    String first = PodSelectors.indexKey(selector);
    Iterable<String> candidates = first.isEmpty() ? List.copyOf(inNamespace.keySet())
        : List.copyOf(namespaced(byLabel, namespace).getOrDefault(first, Set.of()));
    List<ObjectNode> selected = new ArrayList<>();
    for (String name : candidates) {
      ObjectNode pod = inNamespace.get(name);
      if (pod != null && LabelSelectors.matches(selector, pod.path("metadata").path("labels"))) {
        selected.add(pod);
      }
    }
    return selected;
  }

  static <V> Map<String, V> namespaced(Map<String, Map<String, V>> byNamespace,
      String namespace) {
    return byNamespace.computeIfAbsent(namespace, key -> new ConcurrentHashMap<>());
  }
}
