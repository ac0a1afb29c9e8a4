package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Works from views kept from the store's changes, as the controller's informers: the pods by
 * label ({@link PodsByLabel}), the budgets by the labels they select ({@link PodSelectors}), so
 * that a pod's change wakes only the budgets that select it, and the scale of ReplicaSets and
 * Deployments. A budget's status is written only when it differs from the one stored
 * ({@code updatePdbStatus}), which an eviction may have changed since the controller wrote it.
 */
final class DisruptionController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DisruptionController.class);
  private static final ApiTarget BUDGETS = ApiTarget.parse(
      "/apis/policy/v1/namespaces/default/poddisruptionbudgets");

  /** What a budget needs of a ReplicaSet: its Deployment, if one controls it, and its scale. */
  private record ReplicaSetFacts(String deployment, int replicas) {
  }

  /** The counts a status is made of, or why they could not be made. */
  private record Counts(long generation, int expected, int desiredHealthy, int currentHealthy,
      Map<String, String> disruptedPods, String failure) {
  }

  /** Two JSON values alike, a number whatever its width (a stored 1 is an int, ours a long). */
  private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (one, other) ->
      one.equals(other) || one.isNumber() && other.isNumber()
          && one.decimalValue().compareTo(other.decimalValue()) == 0 ? 0 : 1;

  /** disruption.go's DeletionTimeout: how long an evicted pod is not counted as healthy. */
  private static final long DELETION_TIMEOUT_SECONDS = 120;

  private final Storage api;
  private final Clock clock;
  private final WorkQueue queue;
  private final PodsByLabel pods;
  private final PodSelectors budgets = new PodSelectors();
  /** "namespace/name" → facts. */
  private final Map<String, ReplicaSetFacts> replicaSets = new ConcurrentHashMap<>();
  private final Map<String, Integer> deploymentReplicas = new ConcurrentHashMap<>();

  DisruptionController(Storage api, PodsByLabel pods, Clock clock) {
    this.api = api;
    this.pods = pods;
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
        JsonNode selector = object == null ? null : object.path("spec").path("selector");
        // policy/v1: an empty selector selects every pod of the namespace, a missing one none
        budgets.put(namespace, name, selector != null && selector.isObject() ? selector : null);
        if (object != null && (before == null || !before.path("spec").equals(object.path("spec"))
            || !before.path("metadata").path("generation")
                .equals(object.path("metadata").path("generation")))) {
          queue.enqueue(namespace, name);
        }
      }
      case "pods" -> {
        if (object == null || before == null || healthy(before) != healthy(object)
            || !before.path("metadata").path("labels").equals(object.path("metadata")
                .path("labels"))) {
          wakeBudgetsOf(namespace, before);
          wakeBudgetsOf(namespace, object);
        }
      }
      case "replicasets" -> {
        if (object == null) {
          replicaSets.remove(namespace + "/" + name);
        } else {
          ReplicaSetFacts facts = new ReplicaSetFacts(
              DeploymentController.owner(object, "Deployment").orElse(null),
              object.path("spec").path("replicas").asInt(1));
          if (!facts.equals(replicaSets.put(namespace + "/" + name, facts))) {
            wakeBudgetsOf(namespace, object.path("spec").path("template"));
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
            wakeBudgetsOf(namespace, object.path("spec").path("template"));
          }
        }
      }
      default -> { }
    }
  }

  /** The budgets that select this pod (or template) are synced again. */
  private void wakeBudgetsOf(String namespace, JsonNode podOrTemplate) {
    if (podOrTemplate != null) {
      budgets.selecting(namespace, podOrTemplate.path("metadata").path("labels"))
          .forEach(budget -> queue.enqueue(namespace, budget));
    }
  }

  // ---- the sync, on the controller's own thread ----

  private void sync(String namespace, String name) {
    JsonNode selector = budgets.get(namespace, name);
    if (selector == null) {
      return;
    }
    List<ObjectNode> selected = pods.selected(namespace, selector);
    api.updateInternal(BUDGETS.withNamespace(namespace).withName(name).withSubresource("status"),
        budget -> {
          ObjectNode status = status(budget, counts(budget, namespace, selected));
          // updatePdbStatus: compared with the status as stored, which an eviction may have
          // changed since this controller wrote it (disruptionsAllowed taken, the pod named)
          if (!status.equals(NUMBERS_BY_VALUE, budget.path("status"))) {
            budget.set("status", status);
          }
          return budget;
        }, DeploymentController.MANAGER);
  }

  /** getExpectedPodCount and countHealthyPods. */
  private Counts counts(ObjectNode budget, String namespace, List<ObjectNode> selected) {
    JsonNode spec = budget.path("spec");
    long generation = budget.path("metadata").path("generation").asLong(1);
    Map<String, String> disrupted = disruptedPods(budget, selected);
    int currentHealthy = (int) selected.stream().filter(pod -> healthy(pod)
        && !disrupted.containsKey(pod.path("metadata").path("name").asText())).count();
    try {
      if (spec.hasNonNull("maxUnavailable")) {
        int expected = expectedScale(namespace, selected);
        return new Counts(generation, expected,
            Math.max(0, expected - scaled(spec.get("maxUnavailable"), expected)),
            currentHealthy, disrupted, null);
      } else if (spec.path("minAvailable").isInt()) {
        return new Counts(generation, selected.size(), spec.get("minAvailable").asInt(),
            currentHealthy, disrupted, null);
      } else if (spec.hasNonNull("minAvailable")) {
        int expected = expectedScale(namespace, selected);
        return new Counts(generation, expected, scaled(spec.get("minAvailable"), expected),
            currentHealthy, disrupted, null);
      }
      return new Counts(generation, selected.size(), 0, currentHealthy, disrupted, null);
    } catch (IllegalStateException noController) {
      return new Counts(generation, 0, 0, 0, Map.of(), noController.getMessage());
    }
  }

  /**
   * buildDisruptedPodMap: the pods an eviction named (Evictions) that still exist, are not yet
   * being deleted and were named less than DeletionTimeout ago; they are not counted as healthy.
   * An entry that outlives its pod's deletion or its timeout is dropped at the next sync.
   */
  private Map<String, String> disruptedPods(JsonNode budget, List<ObjectNode> selected) {
    Map<String, String> kept = new java.util.TreeMap<>();
    JsonNode named = budget.path("status").path("disruptedPods");
    Instant now = Instant.now(clock);
    for (ObjectNode pod : selected) {
      String podName = pod.path("metadata").path("name").asText();
      String since = named.path(podName).asText("");
      if (!since.isEmpty() && !pod.path("metadata").hasNonNull("deletionTimestamp")
          && Instant.parse(since).plusSeconds(DELETION_TIMEOUT_SECONDS).isAfter(now)) {
        kept.put(podName, since);
      }
    }
    return kept;
  }

  private ObjectNode status(ObjectNode budget, Counts counts) {
    JsonNode old = budget.path("status");
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    if (counts.failure() != null) {
      // failSafe: what cannot be counted allows no disruption, and says why
      status.put("disruptionsAllowed", 0);
      status.put("currentHealthy", old.path("currentHealthy").asInt(0));
      status.put("desiredHealthy", old.path("desiredHealthy").asInt(0));
      status.put("expectedPods", old.path("expectedPods").asInt(0));
      status.put("observedGeneration", old.path("observedGeneration").asLong());
      status.putArray("conditions").add(condition(budget, false, "SyncFailed",
          counts.failure(), counts.generation(), clock));
      return status;
    }
    int allowed = Math.max(0, counts.currentHealthy() - counts.desiredHealthy());
    status.put("observedGeneration", counts.generation());
    status.put("disruptionsAllowed", allowed);
    status.put("currentHealthy", counts.currentHealthy());
    status.put("desiredHealthy", counts.desiredHealthy());
    status.put("expectedPods", counts.expected());
    if (!counts.disruptedPods().isEmpty()) { // omitempty
      ObjectNode disrupted = status.putObject("disruptedPods");
      counts.disruptedPods().forEach(disrupted::put);
    }
    status.putArray("conditions").add(allowed > 0
        ? condition(budget, true, "SufficientPods", "", counts.generation(), clock)
        : condition(budget, false, "InsufficientPods", "", counts.generation(), clock));
    return status;
  }

  /**
   * pdbhelper.UpdateDisruptionAllowedCondition on a budget whose disruptionsAllowed an eviction
   * has just changed.
   */
  static void setAllowedCondition(ObjectNode budget, boolean allowed, Clock clock) {
    ObjectNode status = budget.with("status");
    ObjectNode condition = condition(budget, allowed, allowed ? "SufficientPods"
        : "InsufficientPods", "", status.path("observedGeneration").asLong(), clock);
    var conditions = status.withArray("conditions");
    for (int i = conditions.size() - 1; i >= 0; i--) {
      if ("DisruptionAllowed".equals(conditions.get(i).path("type").asText())) {
        conditions.remove(i);
      }
    }
    conditions.add(condition);
  }

  /** getExpectedScale: the scale of each controller of the selected pods, counted once. */
  private int expectedScale(String namespace, List<ObjectNode> selected) {
    Map<String, Integer> scales = new LinkedHashMap<>();
    for (ObjectNode pod : selected) {
      String podName = pod.path("metadata").path("name").asText();
      String replicaSetName = DeploymentController.owner(pod, "ReplicaSet").orElse(null);
      if (replicaSetName == null) {
        throw new IllegalStateException("found no controller ref for pod \"" + podName + "\"");
      }
      ReplicaSetFacts replicaSet = replicaSets.get(namespace + "/" + replicaSetName);
      Integer replicas = replicaSet == null ? null : replicaSet.deployment() == null
          ? Integer.valueOf(replicaSet.replicas())
          : deploymentReplicas.get(namespace + "/" + replicaSet.deployment());
      if (replicas == null) {
        throw new IllegalStateException("found no controllers for pod \"" + podName + "\"");
      }
      scales.put(replicaSet.deployment() != null ? "Deployment/" + replicaSet.deployment()
          : "ReplicaSet/" + replicaSetName, replicas);
    }
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
  private static ObjectNode condition(JsonNode budget, boolean allowed, String reason,
      String message, long generation, Clock clock) {
    String status = allowed ? "True" : "False";
    String since = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    JsonNode old = ReplicaSetController.find(budget.path("status"), "DisruptionAllowed");
    if (old != null && status.equals(old.path("status").asText())) {
      since = old.path("lastTransitionTime").asText(since);
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

  /** countHealthyPods: ready and not being deleted. */
  private static boolean healthy(JsonNode pod) {
    return !pod.path("metadata").hasNonNull("deletionTimestamp") && ReplicaSetController.ready(pod);
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
