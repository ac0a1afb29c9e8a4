package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The eviction subresource ({@code POST pods/NAME/eviction}, what {@code kubectl drain} sends),
 * as kube-apiserver's {@code EvictionREST.Create} (pkg/registry/core/pod/storage/eviction.go):
 * a pod that has not started or has finished, or is already being deleted, is deleted at once
 * ({@code canIgnorePDB}); otherwise the one PodDisruptionBudget that selects it must allow a
 * disruption ({@code checkAndDecrement}): its status counts down and names the pod in
 * {@code disruptedPods}, so that the disruption controller no longer counts it healthy, then the
 * pod gets the {@code DisruptionTarget} condition and is deleted gracefully. Refused with 429
 * {@code TooManyRequests} while the budget allows none (kubectl drain waits and tries again), 500
 * when more than one budget selects the pod. A not-ready pod is evicted without counting down
 * when its budget is healthy or says {@code unhealthyPodEvictionPolicy: AlwaysAllow}.
 * {@code dryRun=All} checks and writes nothing.
 */
final class Evictions {

  private static final String MESSAGE =
      "Cannot evict pod as it would violate the pod's disruption budget.";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ApiTarget BUDGETS =
      ApiTarget.parse("/apis/policy/v1/namespaces/default/poddisruptionbudgets");

  private final Storage api;
  private final Clock clock;

  Evictions(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  static boolean isEviction(ApiTarget target, String method) {
    return target.group().isEmpty() && "pods".equals(target.plural())
        && "eviction".equals(target.subresource()) && "POST".equals(method);
  }

  /** The answer to an eviction: a Status of success, or the refusal thrown. */
  ObjectNode evict(ApiTarget target, ObjectNode eviction) {
    if (!target.name().equals(eviction.path("metadata").path("name").asText())) {
      throw ApiErrors.badRequest("name in URL does not match name in Eviction object");
    }
    boolean dryRun = "All".equals(target.query().get("dryRun"))
        || eviction.path("deleteOptions").path("dryRun").toString().contains("All");
    ApiTarget podTarget = target.withSubresource(null);
    ObjectNode pod = api.get(podTarget);
    if (pod == null) {
      throw ApiErrors.notFound(podTarget);
    }
    JsonNode deleteOptions = eviction.path("deleteOptions");
    String phase = pod.path("status").path("phase").asText();
    if (List.of("Succeeded", "Failed", "Pending").contains(phase)
        || pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return deleted(podTarget, deleteOptions, dryRun); // canIgnorePDB
    }
    List<ObjectNode> budgets = api.list(BUDGETS.withNamespace(target.namespace()).collectionPath())
        .stream().filter(budget -> {
          JsonNode selector = budget.path("spec").path("selector");
          return selector.isObject()
              && LabelSelectors.matches(selector, pod.path("metadata").path("labels"));
        }).toList();
    if (budgets.size() > 1) {
      throw ApiErrors.unknown("This pod has more than one PodDisruptionBudget, which the "
          + "eviction subresource does not support.");
    }
    if (budgets.isEmpty()) {
      return deleted(podTarget, deleteOptions, dryRun);
    }
    ObjectNode budget = budgets.get(0);
    JsonNode status = budget.path("status");
    if (!ReplicaSetController.ready(pod)
        && ("AlwaysAllow".equals(budget.path("spec").path("unhealthyPodEvictionPolicy").asText())
            || status.path("currentHealthy").asInt() >= status.path("desiredHealthy").asInt()
                && status.path("desiredHealthy").asInt() > 0)) {
      return deleted(podTarget, deleteOptions, dryRun); // unhealthy, and the budget is not hurt
    }
    String budgetName = budget.path("metadata").path("name").asText();
    if (dryRun) {
      check(budget);
      return deleted(podTarget, deleteOptions, true);
    }
    api.updateInternal(BUDGETS.withNamespace(target.namespace()).withName(budgetName)
        .withSubresource("status"), stored -> {
          check(stored); // again on what is stored now: the check and the count are one write
          ObjectNode storedStatus = (ObjectNode) stored.path("status");
          int allowed = storedStatus.path("disruptionsAllowed").asInt() - 1;
          storedStatus.put("disruptionsAllowed", allowed);
          if (allowed == 0) { // pdbhelper.UpdateDisruptionAllowedCondition
            DisruptionController.setAllowedCondition(stored, false, clock);
          }
          storedStatus.with("disruptedPods").put(target.name(),
              Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
          return stored;
        }, DeploymentController.MANAGER);
    return deleted(podTarget, deleteOptions, false);
  }

  /** checkAndDecrement's refusals, on the budget as read. */
  private static void check(JsonNode budget) {
    JsonNode status = budget.path("status");
    String name = budget.path("metadata").path("name").asText();
    if (status.path("observedGeneration").asLong(0)
        < budget.path("metadata").path("generation").asLong(1)) {
      throw tooManyRequests(10, "The disruption budget " + name
          + " is still being processed by the server.");
    }
    int allowed = status.path("disruptionsAllowed").asInt();
    if (allowed < 0) {
      throw new ApiErrors.ApiException(403, "Forbidden", "poddisruptionbudget.policy \"" + name
          + "\" is forbidden: pdb disruptions allowed is negative");
    }
    if (allowed == 0) {
      throw tooManyRequests(0, "The disruption budget " + name + " needs "
          + status.path("desiredHealthy").asInt() + " healthy pods and has "
          + status.path("currentHealthy").asInt() + " currently");
    }
  }

  /** errors.NewTooManyRequests with the DisruptionBudget cause. */
  private static ApiErrors.ApiException tooManyRequests(int retryAfterSeconds, String cause) {
    ObjectNode details = NODES.objectNode();
    details.putArray("causes").addObject().put("reason", "DisruptionBudget")
        .put("message", cause);
    if (retryAfterSeconds > 0) {
      details.put("retryAfterSeconds", retryAfterSeconds);
    }
    return new ApiErrors.ApiException(429, "TooManyRequests", MESSAGE, details);
  }

  /**
   * addConditionAndDeletePod: the DisruptionTarget condition (PodDisruptionConditions, on by
   * default since 1.31), then the delete with the eviction's options.
   */
  private ObjectNode deleted(ApiTarget podTarget, JsonNode deleteOptions, boolean dryRun) {
    if (!dryRun) {
      api.updateInternal(podTarget.withSubresource("status"), pod -> {
        ObjectNode condition = NODES.objectNode().put("type", "DisruptionTarget")
            .put("status", "True").put("lastTransitionTime",
                Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString())
            .put("reason", "EvictionByEvictionAPI").put("message", "Eviction API: evicting");
        var conditions = ((ObjectNode) pod.with("status")).withArray("conditions");
        for (int i = conditions.size() - 1; i >= 0; i--) {
          if ("DisruptionTarget".equals(conditions.get(i).path("type").asText())) {
            conditions.remove(i);
          }
        }
        conditions.add(condition);
        return pod;
      }, DeploymentController.MANAGER);
      api.deleteInternal(podTarget, deleteOptions.isObject() ? (ObjectNode) deleteOptions
          : NODES.objectNode());
    }
    ObjectNode success = NODES.objectNode().put("kind", "Status").put("apiVersion", "v1");
    success.putObject("metadata");
    return success.put("status", "Success").put("code", 201);
  }
}
