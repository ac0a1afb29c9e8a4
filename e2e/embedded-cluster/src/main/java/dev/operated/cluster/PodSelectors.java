package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects of one kind that select pods (PodDisruptionBudgets, Services), each with its
 * {@code metav1.LabelSelector}, indexed by the first label the selector requires: a pod's change
 * finds the few that select it by its own labels, rather than by matching every one in its
 * namespace under the store's write lock.
 */
final class PodSelectors {

  /** namespace → name → selector. */
  private final Map<String, Map<String, JsonNode>> selectors = new ConcurrentHashMap<>();
  /** namespace → the first "key=value" of a selector's matchLabels, "" for none → names. */
  private final Map<String, Map<String, Set<String>>> byFirstLabel = new ConcurrentHashMap<>();

  /** Records (or, with a null selector, forgets) what an object selects. */
  void put(String namespace, String name, JsonNode selector) {
    JsonNode old = selector == null
        ? PodsByLabel.namespaced(selectors, namespace).remove(name)
        : PodsByLabel.namespaced(selectors, namespace).put(name, selector);
    Map<String, Set<String>> index = PodsByLabel.namespaced(byFirstLabel, namespace);
    if (old != null) {
      index.getOrDefault(indexKey(old), Set.of()).remove(name);
    }
    if (selector != null) {
      index.computeIfAbsent(indexKey(selector), key -> ConcurrentHashMap.newKeySet()).add(name);
    }
  }

  JsonNode get(String namespace, String name) {
    return PodsByLabel.namespaced(selectors, namespace).get(name);
  }

  /** The names of the objects in the namespace whose selector matches these labels. */
  Set<String> selecting(String namespace, JsonNode labels) {
    Map<String, Set<String>> index = PodsByLabel.namespaced(byFirstLabel, namespace);
    Set<String> candidates = new HashSet<>(index.getOrDefault("", Set.of()));
    labels.fields().forEachRemaining(label -> candidates.addAll(index.getOrDefault(
        label.getKey() + "=" + label.getValue().asText(), Set.of())));
    Map<String, JsonNode> inNamespace = PodsByLabel.namespaced(selectors, namespace);
    candidates.removeIf(name -> inNamespace.get(name) == null
        || !LabelSelectors.matches(inNamespace.get(name), labels));
    return candidates;
  }

  /** The label a selector's index entry is under: its first matchLabels pair, or "". */
  static String indexKey(JsonNode selector) {
    var matchLabels = selector.path("matchLabels").fields();
    if (!matchLabels.hasNext()) {
      return "";
    }
    var first = matchLabels.next();
    return first.getKey() + "=" + first.getValue().asText();
  }
}
