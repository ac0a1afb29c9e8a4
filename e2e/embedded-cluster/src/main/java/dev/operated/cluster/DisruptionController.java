package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's disruption controller (pkg/controller/disruption/disruption.go,
 * {@code trySync}): a PodDisruptionBudget's status counts the pods its selector matches, how
 * many of them are healthy (ready and not being deleted: {@code countHealthyPods}), how many must
 * stay so ({@code getExpectedPodCount}: {@code minAvailable} as a number, or a share of the
 * controllers' scale: a Deployment's replicas, or a ReplicaSet's own when no Deployment owns it),
 * and so how many disruptions an eviction may cause now; the {@code DisruptionAllowed} condition
 * says the same ({@code UpdateDisruptionAllowedCondition}). {@code kubectl get pdb} and
 * {@code describe pdb} print these; without them every budget showed 0 disruptions allowed.
 *
 * <p>Works from its own views, kept from the store's changes, as the controller's informers: the
 * budgets and the pods of each namespace, the pods indexed by label, so that a pod's change
 * wakes only the budgets that select it.
 */
final class DisruptionController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DisruptionController.class);
  private static final ApiTarget BUDGETS = ApiTarget.parse(
      "/apis/policy/v1/namespaces/default/poddisruptionbudgets");

  /** What a budget needs of a pod. */
  private record PodFacts(JsonNode labels, boolean healthy, String replicaSet) {
  }

  /** What a budget needs of a ReplicaSet: its Deployment, if one controls it, and its scale. */
  private record ReplicaSetFacts(String deployment, int replicas) {
  }

  private final Storage api;
  private final Clock clock;
  private final WorkQueue queue;
  /** namespace → budget name → its selector. */
  private final Map<String, Map<String, JsonNode>> selectors = new ConcurrentHashMap<>();
  /**
   * namespace → the first "key=value" of a budget's matchLabels (or "" when it has none) → the
   * budgets: a pod's change looks up its own labels instead of matching every budget.
   */
  private final Map<String, Map<String, Set<String>>> budgetsByLabel = new ConcurrentHashMap<>();
  /** namespace → pod name → facts. */
  private final Map<String, Map<String, PodFacts>> pods = new ConcurrentHashMap<>();
  /** namespace → "key=value" → names of the pods with that label. */
  private final Map<String, Map<String, Set<String>>> podsByLabel = new ConcurrentHashMap<>();
  /** "namespace/name" → facts. */
  private final Map<String, ReplicaSetFacts> replicaSets = new ConcurrentHashMap<>();
  private final Map<String, Integer> deploymentReplicas = new ConcurrentHashMap<>();

  DisruptionController(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue("embedded-cluster-disruption-controller", this::sync, () -> { },
        LOG);
    api.addListener(this::changed);
    queue.start();
  }

  // ---- the views, under the store's write lock: note and return ----

  private void changed(Storage.Change change) {
    ObjectNode object = change.object();
    ObjectNode before = change.previous();
    String namespace = change.target().namespace();
    String name = change.target().name();
    switch (change.target().plural()) {
      case "poddisruptionbudgets" -> {
        JsonNode oldSelector = namespaced(selectors, namespace).remove(name);
        if (oldSelector != null) {
          namespaced(budgetsByLabel, namespace).getOrDefault(indexKey(oldSelector), Set.of())
              .remove(name);
        }
        if (object != null) {
          JsonNode selector = object.path("spec").path("selector");
          namespaced(selectors, namespace).put(name, selector);
          namespaced(budgetsByLabel, namespace).computeIfAbsent(indexKey(selector),
              key -> ConcurrentHashMap.newKeySet()).add(name);
          if (before == null || !before.path("spec").equals(object.path("spec"))
              || !before.path("metadata").path("generation")
                  .equals(object.path("metadata").path("generation"))) {
            queue.enqueue(namespace, name);
          }
        }
      }
      case "pods" -> podChanged(namespace, name, before, object);
      case "replicasets" -> {
        if (object == null) {
          replicaSets.remove(namespace + "/" + name);
        } else {
          ReplicaSetFacts facts = new ReplicaSetFacts(controller(object, "Deployment"),
              object.path("spec").path("replicas").asInt(1));
          if (!facts.equals(replicaSets.put(namespace + "/" + name, facts))) {
            wakeBudgetsOf(namespace, object.path("spec").path("template").path("metadata")
                .path("labels"));
          }
        }
      }
      case "deployments" -> {
        if (object == null) {
          deploymentReplicas.remove(namespace + "/" + name);
        } else {
          int replicas = object.path("spec").path("replicas").asInt(1);
          Integer previous = deploymentReplicas.put(namespace + "/" + name, replicas);
          if (previous == null || previous != replicas) {
            wakeBudgetsOf(namespace, object.path("spec").path("template").path("metadata")
                .path("labels"));
          }
        }
      }
      default -> { }
    }
  }

  private void podChanged(String namespace, String name, ObjectNode before, ObjectNode object) {
    PodFacts old = namespaced(pods, namespace).get(name);
    PodFacts now = object == null ? null : new PodFacts(object.path("metadata").path("labels"),
        healthy(object), controller(object, "ReplicaSet"));
    if (Objects.equals(old, now)) {
      return;
    }
    Map<String, Set<String>> byLabel = namespaced(podsByLabel, namespace);
    if (old != null) {
      old.labels().fields().forEachRemaining(label -> byLabel.getOrDefault(
          label.getKey() + "=" + label.getValue().asText(), Set.of()).remove(name));
      namespaced(pods, namespace).remove(name);
      wakeBudgetsOf(namespace, old.labels());
    }
    if (now != null) {
      now.labels().fields().forEachRemaining(label -> byLabel.computeIfAbsent(
          label.getKey() + "=" + label.getValue().asText(),
          key -> ConcurrentHashMap.newKeySet()).add(name));
      namespaced(pods, namespace).put(name, now);
      wakeBudgetsOf(namespace, now.labels());
    }
  }

  /** The budgets whose selector matches these labels are synced again. */
  private void wakeBudgetsOf(String namespace, JsonNode labels) {
    Map<String, Set<String>> index = namespaced(budgetsByLabel, namespace);
    Map<String, JsonNode> inNamespace = namespaced(selectors, namespace);
    Set<String> candidates = new HashSet<>(index.getOrDefault("", Set.of()));
    labels.fields().forEachRemaining(label -> candidates.addAll(index.getOrDefault(
        label.getKey() + "=" + label.getValue().asText(), Set.of())));
    for (String budget : candidates) {
      JsonNode selector = inNamespace.get(budget);
      if (selector != null && selects(selector, labels)) {
        queue.enqueue(namespace, budget);
      }
    }
  }

  private static String indexKey(JsonNode selector) {
    var matchLabels = selector.path("matchLabels").fields();
    if (!matchLabels.hasNext()) {
      return "";
    }
    var first = matchLabels.next();
    return first.getKey() + "=" + first.getValue().asText();
  }

  // ---- the sync, on the controller's own thread ----

  private void sync(String namespace, String name) {
    JsonNode selector = namespaced(selectors, namespace).get(name);
    if (selector == null) {
      return;
    }
    Map<String, PodFacts> selected = selectedPods(namespace, selector);
    api.updateInternal(BUDGETS.withNamespace(namespace).withName(name).withSubresource("status"),
        budget -> {
          budget.set("status", status(budget, namespace, selected));
          return budget;
        }, DeploymentController.MANAGER);
  }

  private Map<String, PodFacts> selectedPods(String namespace, JsonNode selector) {
    Map<String, PodFacts> inNamespace = namespaced(pods, namespace);
    String indexKey = indexKey(selector);
    Set<String> candidates = new HashSet<>(indexKey.isEmpty() ? inNamespace.keySet()
        : namespaced(podsByLabel, namespace).getOrDefault(indexKey, Set.of()));
    Map<String, PodFacts> selected = new LinkedHashMap<>();
    for (String pod : candidates) {
      PodFacts facts = inNamespace.get(pod);
      if (facts != null && selects(selector, facts.labels())) {
        selected.put(pod, facts);
      }
    }
    return selected;
  }

  private ObjectNode status(ObjectNode budget, String namespace, Map<String, PodFacts> selected) {
    JsonNode spec = budget.path("spec");
    long generation = budget.path("metadata").path("generation").asLong(1);
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    int expected;
    int desiredHealthy;
    try {
      if (spec.hasNonNull("maxUnavailable")) {
        expected = expectedScale(namespace, selected);
        desiredHealthy = Math.max(0, expected - scaled(spec.get("maxUnavailable"), expected));
      } else if (spec.path("minAvailable").isInt()) {
        expected = selected.size();
        desiredHealthy = spec.get("minAvailable").asInt();
      } else if (spec.hasNonNull("minAvailable")) {
        expected = expectedScale(namespace, selected);
        desiredHealthy = scaled(spec.get("minAvailable"), expected);
      } else {
        expected = selected.size();
        desiredHealthy = 0;
      }
    } catch (IllegalStateException noController) {
      // failSafe: what cannot be counted allows no disruption, and says why
      status.put("disruptionsAllowed", 0);
      status.put("currentHealthy", budget.path("status").path("currentHealthy").asInt(0));
      status.put("desiredHealthy", budget.path("status").path("desiredHealthy").asInt(0));
      status.put("expectedPods", budget.path("status").path("expectedPods").asInt(0));
      status.put("observedGeneration", budget.path("status").path("observedGeneration").asLong());
      status.putArray("conditions").add(condition(budget, false, "SyncFailed",
          noController.getMessage(), generation));
      return status;
    }
    int currentHealthy = (int) selected.values().stream().filter(PodFacts::healthy).count();
    int allowed = Math.max(0, currentHealthy - desiredHealthy);
    status.put("observedGeneration", generation);
    status.put("disruptionsAllowed", allowed);
    status.put("currentHealthy", currentHealthy);
    status.put("desiredHealthy", desiredHealthy);
    status.put("expectedPods", expected);
    status.putArray("conditions").add(allowed > 0
        ? condition(budget, true, "SufficientPods", "", generation)
        : condition(budget, false, "InsufficientPods", "", generation));
    return status;
  }

  /** getExpectedScale: the scale of each controller of the selected pods, counted once. */
  private int expectedScale(String namespace, Map<String, PodFacts> selected) {
    Map<String, Integer> scales = new LinkedHashMap<>();
    selected.forEach((pod, facts) -> {
      if (facts.replicaSet() == null) {
        throw new IllegalStateException("found no controller ref for pod \"" + pod + "\"");
      }
      ReplicaSetFacts replicaSet = replicaSets.get(namespace + "/" + facts.replicaSet());
      Integer replicas = replicaSet == null ? null : replicaSet.deployment() == null
          ? Integer.valueOf(replicaSet.replicas())
          : deploymentReplicas.get(namespace + "/" + replicaSet.deployment());
      if (replicas == null) {
        throw new IllegalStateException("found no controllers for pod \"" + pod + "\"");
      }
      scales.put(replicaSet.deployment() != null ? "Deployment/" + replicaSet.deployment()
          : "ReplicaSet/" + facts.replicaSet(), replicas);
    });
    return scales.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** intstr.GetScaledValueFromIntOrPercent, rounding up. */
  private static int scaled(JsonNode value, int total) {
    if (value.isInt()) {
      return value.asInt();
    }
    String percent = value.asText().replace("%", "");
    return (int) Math.ceil(Integer.parseInt(percent) * total / 100.0);
  }

  /** apimeta.SetStatusCondition: the transition time moves only when the status does. */
  private ObjectNode condition(ObjectNode budget, boolean allowed, String reason, String message,
      long generation) {
    String status = allowed ? "True" : "False";
    String since = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    for (JsonNode old : budget.path("status").path("conditions")) {
      if ("DisruptionAllowed".equals(old.path("type").asText())
          && status.equals(old.path("status").asText())) {
        since = old.path("lastTransitionTime").asText(since);
      }
    }
    ObjectNode condition = JsonNodeFactory.instance.objectNode();
    condition.put("type", "DisruptionAllowed");
    condition.put("status", status);
    condition.put("observedGeneration", generation);
    condition.put("lastTransitionTime", since);
    condition.put("reason", reason);
    condition.put("message", message);
    return condition;
  }

  /** policy/v1: an empty selector selects every pod of the namespace, a missing one none. */
  private static boolean selects(JsonNode selector, JsonNode labels) {
    return selector.isObject() && LabelSelectors.matches(selector, labels);
  }

  private static boolean healthy(ObjectNode pod) {
    if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return false;
    }
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return "True".equals(condition.path("status").asText());
      }
    }
    return false;
  }

  private static String controller(ObjectNode object, String kind) {
    for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
      if (kind.equals(owner.path("kind").asText()) && owner.path("controller").asBoolean()) {
        return owner.path("name").asText();
      }
    }
    return null;
  }

  private static <V> Map<String, V> namespaced(Map<String, Map<String, V>> byNamespace,
      String namespace) {
    return byNamespace.computeIfAbsent(namespace, key -> new ConcurrentHashMap<>());
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
