package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The ReplicaSet controller
 * (https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/): a ReplicaSet keeps as
 * many live pods as it wants (not-ready and youngest pods removed first) and reports them in its
 * status. It is driven by the {@link DeploymentController}'s pass over the Deployment that owns
 * it, which is the only owner of ReplicaSets here.
 */
final class ReplicaSetController {

  static final String MANAGER = DeploymentController.MANAGER;

  private final Storage api;
  private final Clock clock;

  ReplicaSetController(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  /** As many live pods as the ReplicaSet wants, and its status. */
  void sync(String namespace, ObjectNode replicaSet, int want, List<ObjectNode> pods,
      int minReadySeconds) {
    List<ObjectNode> live = live(pods);
    ApiTarget podCollection = new ApiTarget("", "v1", namespace, "pods", null, null, Map.of());
    for (int i = live.size(); i < want; i++) {
      api.createInternal(podCollection, newPod(replicaSet), MANAGER);
    }
    if (live.size() > want) {
      // Not-ready pods go first, then the youngest, as the ReplicaSet controller ranks them.
      List<ObjectNode> ranked = new ArrayList<>(live);
      ranked.sort(Comparator.comparing((ObjectNode pod) -> ready(pod))
          .thenComparing(pod -> pod.path("metadata").path("creationTimestamp").asText(),
              Comparator.reverseOrder()));
      for (ObjectNode pod : ranked.subList(0, live.size() - want)) {
        api.deleteInternal(podCollection.withName(name(pod)),
            JsonNodeFactory.instance.objectNode());
      }
    }
    ApiTarget target = new ApiTarget("apps", "v1", namespace, "replicasets", name(replicaSet),
        "status", Map.of());
    long generation = replicaSet.path("metadata").path("generation").asLong(1);
    api.updateInternal(target, rs -> {
      ObjectNode status = rs.putObject("status");
      status.put("replicas", live.size());
      status.put("fullyLabeledReplicas", live.size());
      status.put("readyReplicas", (int) live.stream().filter(ReplicaSetController::ready).count());
      status.put("availableReplicas", available(pods, minReadySeconds));
      status.put("observedGeneration", generation);
      return rs;
    }, MANAGER);
  }

  private static ObjectNode newPod(ObjectNode replicaSet) {
    JsonNode template = replicaSet.path("spec").path("template");
    ObjectNode pod = JsonNodeFactory.instance.objectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode metadata = template.path("metadata").isObject()
        ? ((ObjectNode) template.get("metadata")).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    metadata.put("generateName", name(replicaSet) + "-");
    metadata.put("namespace", replicaSet.path("metadata").path("namespace").asText());
    metadata.putArray("ownerReferences").add(ownerReference(replicaSet, "apps/v1",
        "ReplicaSet"));
    pod.set("metadata", metadata);
    pod.set("spec", template.path("spec").deepCopy());
    return pod;
  }

  static ObjectNode ownerReference(ObjectNode owner, String apiVersion, String kind) {
    ObjectNode reference = JsonNodeFactory.instance.objectNode();
    reference.put("apiVersion", apiVersion);
    reference.put("kind", kind);
    reference.put("name", name(owner));
    reference.put("uid", owner.path("metadata").path("uid").asText());
    reference.put("controller", true);
    reference.put("blockOwnerDeletion", true);
    return reference;
  }

  static JsonNode find(JsonNode status, String type) {
    for (JsonNode condition : status.path("conditions")) {
      if (type.equals(condition.path("type").asText())) {
        return condition;
      }
    }
    return null;
  }

  static List<ObjectNode> live(List<ObjectNode> pods) {
    return pods == null ? List.of() : pods.stream()
        .filter(pod -> !pod.path("metadata").hasNonNull("deletionTimestamp")).toList();
  }

  /** podutil.IsPodReady: the pod's Ready condition is True. */
  static boolean ready(JsonNode pod) {
    JsonNode condition = find(pod.path("status"), "Ready");
    return condition != null && "True".equals(condition.path("status").asText());
  }

  int available(List<ObjectNode> pods, int minReadySeconds) {
    int count = 0;
    for (ObjectNode pod : live(pods)) {
      JsonNode condition = find(pod.path("status"), "Ready");
      if (condition != null && "True".equals(condition.path("status").asText())
          && (minReadySeconds == 0 || Duration.between(Instant.parse(condition
              .path("lastTransitionTime").asText()), Instant.now(clock)).getSeconds()
              >= minReadySeconds)) {
        count++;
      }
    }
    return count;
  }

  static String name(ObjectNode object) {
    return object.path("metadata").path("name").asText();
  }
}
