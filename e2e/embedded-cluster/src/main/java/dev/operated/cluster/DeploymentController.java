package dev.operated.cluster;

import static dev.operated.cluster.ReplicaSetController.find;
import static dev.operated.cluster.ReplicaSetController.live;
import static dev.operated.cluster.ReplicaSetController.name;
import static dev.operated.cluster.ReplicaSetController.ownerReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deployment controller
 * (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/): a ReplicaSet per pod
 * template (named and labelled with its {@code pod-template-hash}), rolling updates within
 * maxSurge/maxUnavailable (or Recreate), ReplicaSets that keep their pod count, and the
 * Deployment status with the Available and Progressing conditions, ProgressDeadlineExceeded
 * included, and the revisions {@code kubectl rollout history|undo} read (the
 * {@code deployment.kubernetes.io/revision} annotation of the Deployment and each ReplicaSet,
 * the Deployment's annotations copied to its new ReplicaSet). A paused Deployment
 * ({@code kubectl rollout pause}) gets no new ReplicaSet and no rollout, only its count
 * (syncDeployment's {@code sync} with {@code createIfNotExisted} false), and says so in its
 * Progressing condition ({@code checkPausedConditions}). Not emulated: proportional scaling of
 * several active ReplicaSets while paused, revision history cleanup.
 * The {@link ReplicaSetController}'s part runs in the same pass, for the ReplicaSets a Deployment
 * owns, and the keys wait in a {@link WorkQueue}.
 */
final class DeploymentController implements AutoCloseable {

  static final String MANAGER = "kube-controller-manager";
  static final String HASH_LABEL = "pod-template-hash";
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  /** The deployment controller's revHistoryLimitInChars. */
  static final int REVISION_HISTORY_CHARS = 2000;
  /** deploymentutil's annotationsToSkip: never copied from a Deployment to its ReplicaSets. */
  private static final java.util.Set<String> NOT_COPIED = java.util.Set.of(
      "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
      "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
      "deprecated.deployment.rollback.to");
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentController.class);
  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private final Storage api;
  private final Clock clock;
  private final WorkQueue queue;
  private final ReplicaSetController replicaSetController;
  /** hook: pausing this controller, and the ReplicaSet controller's part of its pass. */
  final ControllerGate deploymentGate = new ControllerGate();
  final ControllerGate replicaSetGate = new ControllerGate();
  // hook: the controller's own views (OwnedObjects), not a namespace listed on every sync
  private final OwnedObjects replicaSetsByOwner;
  private final OwnedObjects podsByOwner;
  /** Deployments whose rollout was not complete at their last write, for the resync. */
  private final java.util.Set<String> unfinished = ConcurrentHashMap.newKeySet();

  DeploymentController(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.replicaSetsByOwner = new OwnedObjects(api, "replicasets", "/apis/apps/v1/replicasets");
    this.podsByOwner = new OwnedObjects(api, "pods", "/api/v1/pods");
    this.replicaSetController = new ReplicaSetController(api, clock);
    this.queue = new WorkQueue("embedded-cluster-deployment-controller",
        this::reconcileUnlessPaused, this::resync, LOG);
    api.addListener(change -> {
      ObjectNode object = change.object() != null ? change.object() : change.previous();
      String namespace = change.target().namespace();
      switch (change.target().plural()) {
        case "deployments" -> {
          queue.enqueue(namespace, change.target().name());
          if (change.object() != null && !complete(change.object())) { // hook: resync set
            unfinished.add(namespace + "/" + change.target().name());
          } else {
            unfinished.remove(namespace + "/" + change.target().name());
          }
        }
        case "replicasets" -> owner(object, "Deployment")
            .ifPresent(owner -> queue.enqueue(namespace, owner));
        case "pods" -> owner(object, "ReplicaSet").ifPresent(replicaSet -> queue.enqueue(
            namespace, deploymentOfReplicaSet(replicaSet, object)));
        default -> { }
      }
    });
    queue.start();
  }

  /** Deadlines pass without any event: unfinished rollouts are looked at now and then. */
  private void resync() {
    // hook: from the set the listener keeps, not every Deployment listed and parsed each second
    for (String key : List.copyOf(unfinished)) {
      int slash = key.indexOf('/');
      queue.enqueue(key.substring(0, slash), key.substring(slash + 1));
    }
  }

  /** A ReplicaSet's name is its Deployment's name, a dash and the template hash. */
  private static String deploymentOfReplicaSet(String replicaSet, ObjectNode pod) {
    String hash = pod.path("metadata").path("labels").path(HASH_LABEL).asText("");
    return !hash.isEmpty() && replicaSet.endsWith("-" + hash)
        ? replicaSet.substring(0, replicaSet.length() - hash.length() - 1) : replicaSet;
  }

  /** The name of the object's controller of this kind, from its ownerReferences. */
  static Optional<String> owner(JsonNode object, String kind) {
    for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
      if (kind.equals(owner.path("kind").asText()) && owner.path("controller").asBoolean()) {
        return Optional.of(owner.path("name").asText());
      }
    }
    return Optional.empty();
  }

  private static boolean complete(ObjectNode deployment) {
    for (JsonNode condition : deployment.path("status").path("conditions")) {
      if ("Progressing".equals(condition.path("type").asText())) {
        return !"ReplicaSetUpdated".equals(condition.path("reason").asText())
            && !"NewReplicaSetCreated".equals(condition.path("reason").asText())
            && deployment.path("status").path("observedGeneration").asLong()
                == deployment.path("metadata").path("generation").asLong();
      }
    }
    return false;
  }

  // hook: pause and resume (EmbeddedCluster.pause); a key met while paused is queued on resume
  private void reconcileUnlessPaused(String namespace, String name) {
    deploymentGate.run(namespace + "/" + name, () -> reconcile(namespace, name),
        () -> queue.enqueue(namespace, name));
  }

  private void reconcile(String namespace, String name) {
    ApiTarget target = new ApiTarget("apps", "v1", namespace, "deployments", name, null,
        Map.of());
    ObjectNode deployment = api.get(target);
    if (deployment == null || deployment.path("metadata").hasNonNull("deletionTimestamp")) {
      return;
    }
    String uid = deployment.path("metadata").path("uid").asText();
    JsonNode spec = deployment.path("spec");
    int replicas = spec.path("replicas").asInt(1);
    ObjectNode template = (ObjectNode) spec.path("template").deepCopy();
    String hash = templateHash(template);

    ApiTarget replicaSets = new ApiTarget("apps", "v1", namespace, "replicasets", null, null,
        Map.of());
    List<ObjectNode> owned = new ArrayList<>();
    for (ObjectNode replicaSet : replicaSetsByOwner.owned(uid)) { // hook: own view
      if (ownedBy(replicaSet, uid) && !replicaSet.path("metadata").hasNonNull(
          "deletionTimestamp")) {
        owned.add(replicaSet);
      }
    }
    boolean recreate = "Recreate".equals(spec.path("strategy").path("type").asText());
    int maxSurge = recreate ? 0 : budget(spec.path("strategy").path("rollingUpdate")
        .get("maxSurge"), replicas, true);
    int maxUnavailable = recreate ? replicas : budget(spec.path("strategy")
        .path("rollingUpdate").get("maxUnavailable"), replicas, false);
    if (maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    java.util.function.Predicate<JsonNode> ofTheTemplate = rs -> hash.equals(rs.path("metadata")
        .path("labels").path(HASH_LABEL).asText());
    ObjectNode newReplicaSet = owned.stream().filter(ofTheTemplate).findFirst().orElse(null);
    long nextRevision = Math.max(0, owned.stream().filter(ofTheTemplate.negate())
        .mapToLong(DeploymentController::revision).max().orElse(0)) + 1;
    boolean created = false;
    boolean paused = spec.path("paused").asBoolean(false);
    if (newReplicaSet == null && paused) {
      // getAllReplicaSetsAndSyncRevision(createIfNotExisted: false): no ReplicaSet for the new
      // template until the Deployment is resumed
    } else if (newReplicaSet == null) {
      ObjectNode fresh = newReplicaSet(deployment, template, hash, owned.isEmpty() ? replicas : 0);
      ObjectNode annotations = newReplicaSetAnnotations(deployment, fresh, nextRevision);
      replicasAnnotations(annotations, replicas, maxSurge);
      ((ObjectNode) fresh.get("metadata")).set("annotations", annotations);
      newReplicaSet = api.createInternal(replicaSets, fresh, MANAGER);
      owned.add(newReplicaSet);
      created = true;
    } else {
      ObjectNode annotations = newReplicaSetAnnotations(deployment, newReplicaSet, nextRevision);
      if (!annotations.equals(newReplicaSet.path("metadata").path("annotations"))) {
        ObjectNode updated = api.updateInternal(replicaSets.withName(name(newReplicaSet)), rs -> {
          ((ObjectNode) rs.get("metadata")).set("annotations", annotations);
          return rs;
        }, MANAGER);
        owned.replaceAll(rs -> name(rs).equals(name(updated)) ? updated : rs);
        newReplicaSet = updated;
      }
    }
    final String newName = newReplicaSet == null ? ""
        : newReplicaSet.path("metadata").path("name").asText();
    final String revision = (newReplicaSet == null ? deployment : newReplicaSet).path("metadata")
        .path("annotations").path(REVISION).asText();
    List<ObjectNode> old = owned.stream()
        .filter(rs -> !newName.equals(rs.path("metadata").path("name").asText()))
        .sorted(Comparator.comparing(rs -> rs.path("metadata").path("creationTimestamp")
            .asText()))
        .toList();

    Map<String, List<ObjectNode>> podsByReplicaSet = new java.util.HashMap<>();
    for (ObjectNode replicaSet : owned) {
      String rsUid = replicaSet.path("metadata").path("uid").asText();
      // hook: own view
      podsByReplicaSet.put(replicaSet.path("metadata").path("name").asText(),
          podsByOwner.owned(rsUid).stream().filter(pod -> ownedBy(pod, rsUid)).toList());
    }
    int minReadySeconds = spec.path("minReadySeconds").asInt(0);

    // The rollout: scale the new ReplicaSet up and the old ones down within the budget.
    Map<String, Integer> desired = new java.util.HashMap<>();
    for (ObjectNode replicaSet : owned) {
      desired.put(replicaSet.path("metadata").path("name").asText(),
          replicaSet.path("spec").path("replicas").asInt(0));
    }
    if (paused) {
      pausedScale(owned, replicas).ifPresent(scaled -> desired.put(scaled, replicas));
    } else if (old.stream().allMatch(rs -> desired.get(name(rs)) == 0
        && live(podsByReplicaSet.get(name(rs))).isEmpty())) {
      desired.put(newName, replicas);
    } else if (recreate) {
      old.forEach(rs -> desired.put(name(rs), 0));
    } else {
      int total = desired.values().stream().mapToInt(Integer::intValue).sum();
      int room = replicas + maxSurge - total;
      if (room > 0) {
        desired.put(newName, Math.min(replicas, desired.get(newName) + room));
      }
      int available = 0;
      for (ObjectNode replicaSet : owned) {
        available += available(podsByReplicaSet.get(name(replicaSet)), minReadySeconds);
      }
      int canRemove = available - (replicas - maxUnavailable);
      // Old pods that are not available cost nothing to remove.
      for (ObjectNode replicaSet : old) {
        int unavailable = desired.get(name(replicaSet))
            - available(podsByReplicaSet.get(name(replicaSet)), minReadySeconds);
        if (unavailable > 0) {
          desired.put(name(replicaSet), desired.get(name(replicaSet)) - unavailable);
        }
      }
      for (ObjectNode replicaSet : old) {
        int remove = Math.min(Math.max(canRemove, 0), desired.get(name(replicaSet)));
        desired.put(name(replicaSet), desired.get(name(replicaSet)) - remove);
        canRemove -= remove;
      }
    }
    for (ObjectNode replicaSet : owned) {
      int want = Math.max(0, desired.get(name(replicaSet)));
      if (want != replicaSet.path("spec").path("replicas").asInt(0)) {
        api.updateInternal(replicaSets.withName(name(replicaSet)), rs -> {
          ((ObjectNode) rs.get("spec")).put("replicas", want);
          replicasAnnotations(Storage.metadataOf(rs).with("annotations"), replicas, maxSurge);
          return rs;
        }, MANAGER);
      }
      replicaSetGate.run(namespace + "/" + name(replicaSet), // hook: pause and resume
          () -> replicaSetController.sync(namespace, replicaSet, want,
              podsByReplicaSet.get(name(replicaSet)), minReadySeconds),
          () -> queue.enqueue(namespace, name));
    }
    if (paused) {
      writePausedStatus(target, deployment, newName, owned, podsByReplicaSet, replicas,
          maxUnavailable, minReadySeconds);
    } else {
      writeStatus(target, deployment, newName, revision, created, owned, podsByReplicaSet,
          replicas, maxUnavailable, minReadySeconds);
    }
  }

  /**
   * The scaling a paused Deployment still gets (sync.go's {@code scale}): the one active
   * ReplicaSet, or the latest when none is active ({@code FindActiveOrLatest}), takes the
   * Deployment's count; none when several are active (their proportional scaling is not
   * emulated).
   */
  private static Optional<String> pausedScale(List<ObjectNode> owned, int replicas) {
    List<ObjectNode> active = owned.stream()
        .filter(rs -> rs.path("spec").path("replicas").asInt(0) > 0).toList();
    if (active.size() > 1) {
      return Optional.empty();
    }
    return (active.size() == 1 ? active.stream() : owned.stream())
        .max(Comparator.comparing(rs -> rs.path("metadata").path("creationTimestamp").asText()))
        .map(ReplicaSetController::name);
  }

  /**
   * A paused Deployment's status: its counts (syncDeploymentStatus) and Progressing Unknown,
   * {@code DeploymentPaused} (checkPausedConditions), unless its deadline was already reported
   * exceeded, which a pause does not overwrite.
   */
  private void writePausedStatus(ApiTarget target, ObjectNode deployment, String newName,
      List<ObjectNode> owned, Map<String, List<ObjectNode>> podsByReplicaSet, int replicas,
      int maxUnavailable, int minReadySeconds) {
    JsonNode previous = deployment.path("status");
    String now = now();
    ObjectNode status = countedStatus(deployment, newName, owned, podsByReplicaSet, replicas,
        maxUnavailable, minReadySeconds, now);
    ArrayNode conditions = (ArrayNode) status.get("conditions");
    JsonNode progressing = find(previous, "Progressing");
    if (progressing != null && ("ProgressDeadlineExceeded".equals(progressing.path("reason")
        .asText()) || "DeploymentPaused".equals(progressing.path("reason").asText()))) {
      conditions.add(progressing.deepCopy());
    } else {
      ObjectNode condition = conditions.addObject();
      condition.put("type", "Progressing");
      condition.put("status", "Unknown");
      condition.put("lastUpdateTime", now);
      condition.put("lastTransitionTime", now);
      condition.put("reason", "DeploymentPaused");
      condition.put("message", "Deployment is paused");
    }
    if (!status.equals(previous)) {
      api.updateInternal(target.withSubresource("status"), object -> {
        object.set("status", status);
        return object;
      }, MANAGER);
    }
  }

  /** The revision annotation's number: 0 when there is none, -1 when it is not a number. */
  private static long revision(JsonNode replicaSet) {
    try {
      return Long.parseLong(replicaSet.path("metadata").path("annotations").path(REVISION)
          .asText("0"));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * deploymentutil.SetReplicasAnnotations, set where the controller creates or scales a
   * ReplicaSet (getNewReplicaSet, scaleReplicaSet): the Deployment's replicas and that plus the
   * surge.
   */
  private static void replicasAnnotations(ObjectNode annotations, int replicas, int maxSurge) {
    annotations.put("deployment.kubernetes.io/desired-replicas", Integer.toString(replicas));
    annotations.put("deployment.kubernetes.io/max-replicas",
        Integer.toString(replicas + maxSurge));
  }

  /**
   * deploymentutil.SetNewReplicaSetAnnotations: the Deployment's annotations copied; the revision
   * raised to the next one when it is lower (a template rolled back to takes the next revision,
   * and keeps the ones it had in {@code revision-history}), never lowered.
   */
  private static ObjectNode newReplicaSetAnnotations(ObjectNode deployment, JsonNode replicaSet,
      long nextRevision) {
    JsonNode current = replicaSet.path("metadata").path("annotations");
    ObjectNode annotations = current.isObject() ? ((ObjectNode) current).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    deployment.path("metadata").path("annotations").fields().forEachRemaining(entry -> {
      if (!NOT_COPIED.contains(entry.getKey())) {
        annotations.set(entry.getKey(), entry.getValue());
      }
    });
    long had = revision(replicaSet);
    // a revision that is not a number is left as it is, as SetNewReplicaSetAnnotations does
    if (had >= 0 && had < nextRevision) {
      annotations.put(REVISION, Long.toString(nextRevision));
      if (current.has(REVISION)) {
        annotations.put(REVISION_HISTORY, revisionHistory(
            annotations.path(REVISION_HISTORY).asText(""), Long.toString(had)));
      }
    }
    return annotations;
  }

  /**
   * SetNewReplicaSetAnnotations: the revision a reused ReplicaSet had is appended to its history,
   * the oldest dropped while the list would be longer than {@value #REVISION_HISTORY_CHARS}
   * characters (the controller's revHistoryLimitInChars).
   */
  static String revisionHistory(String history, String oldRevision) {
    if (history.isEmpty()) {
      return oldRevision;
    }
    List<String> revisions = List.of(history.split(","));
    int total = history.length() + oldRevision.length() + 1;
    int start = 0;
    while (total > REVISION_HISTORY_CHARS && start < revisions.size()) {
      total -= revisions.get(start).length() + 1;
      start++;
    }
    if (total > REVISION_HISTORY_CHARS) {
      return history; // "Not appending revision due to length limit"
    }
    List<String> kept = new ArrayList<>(revisions.subList(start, revisions.size()));
    kept.add(oldRevision);
    return String.join(",", kept);
  }

  private void writeStatus(ApiTarget target, ObjectNode deployment, String newName,
      String revision, boolean created, List<ObjectNode> owned,
      Map<String, List<ObjectNode>> podsByReplicaSet, int replicas, int maxUnavailable,
      int minReadySeconds) {
    String now = now();
    JsonNode previous = deployment.path("status");
    ObjectNode status = countedStatus(deployment, newName, owned, podsByReplicaSet, replicas,
        maxUnavailable, minReadySeconds, now);
    ArrayNode conditions = (ArrayNode) status.get("conditions");
    int updatedAvailable = available(live(podsByReplicaSet.get(newName)), minReadySeconds);
    boolean done = status.get("updatedReplicas").asInt() == replicas
        && updatedAvailable == replicas && status.get("replicas").asInt() == replicas;

    JsonNode progressing = find(previous, "Progressing");
    boolean progressed = created;
    for (String count : List.of("updatedReplicas", "availableReplicas", "readyReplicas",
        "observedGeneration")) {
      progressed |= previous.path(count).asLong(-1) != status.path(count).asLong(-1);
    }
    long deadline = deployment.path("spec").path("progressDeadlineSeconds").asLong(600);
    if (done) {
      conditions.add(condition(previous, "Progressing", true, "NewReplicaSetAvailable",
          "ReplicaSet \"" + newName + "\" has successfully progressed.", now, progressed));
    } else if (progressing != null && "ProgressDeadlineExceeded".equals(
        progressing.path("reason").asText()) && !progressed) {
      conditions.add(progressing.deepCopy());
    } else if (progressing != null && !progressed && "True".equals(
        progressing.path("status").asText()) && Duration.between(
            Instant.parse(progressing.path("lastUpdateTime").asText(now)),
            Instant.now(clock)).getSeconds() > deadline) {
      conditions.add(condition(previous, "Progressing", false, "ProgressDeadlineExceeded",
          "ReplicaSet \"" + newName + "\" has timed out progressing.", now, true));
    } else {
      boolean keep = !progressed && progressing != null && "True".equals(
          progressing.path("status").asText());
      conditions.add(keep ? progressing.deepCopy() : condition(previous, "Progressing", true,
          created ? "NewReplicaSetCreated" : "ReplicaSetUpdated",
          created ? "Created new replica set \"" + newName + "\""
              : "ReplicaSet \"" + newName + "\" is progressing.", now, true));
    }
    // The revision goes with the status, as the controller's UpdateStatus carries it
    // (SetDeploymentRevision): written through the status, the annotation bumps no generation.
    api.updateInternal(target.withSubresource("status"), object -> {
      object.set("status", status);
      Storage.metadataOf(object).with("annotations").put(REVISION, revision);
      return object;
    }, MANAGER);
  }

  /**
   * calculateStatus: the Deployment's counts over its ReplicaSets' live pods, the new
   * ReplicaSet's as the updated ones, and the Available condition.
   */
  private ObjectNode countedStatus(ObjectNode deployment, String newName, List<ObjectNode> owned,
      Map<String, List<ObjectNode>> podsByReplicaSet, int replicas, int maxUnavailable,
      int minReadySeconds, String now) {
    int total = 0;
    int ready = 0;
    int available = 0;
    for (ObjectNode replicaSet : owned) {
      List<ObjectNode> pods = live(podsByReplicaSet.get(name(replicaSet)));
      total += pods.size();
      ready += (int) pods.stream().filter(ReplicaSetController::ready).count();
      available += available(pods, minReadySeconds);
    }
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("observedGeneration", deployment.path("metadata").path("generation").asLong(1));
    status.put("replicas", total);
    status.put("updatedReplicas", live(podsByReplicaSet.get(newName)).size());
    status.put("readyReplicas", ready);
    status.put("availableReplicas", available);
    status.put("unavailableReplicas", Math.max(replicas - available, 0));
    boolean minimumAvailable = available >= replicas - maxUnavailable;
    status.putArray("conditions").add(condition(deployment.path("status"), "Available",
        minimumAvailable, minimumAvailable ? "MinimumReplicasAvailable"
            : "MinimumReplicasUnavailable", minimumAvailable ? "Deployment has minimum "
            + "availability." : "Deployment does not have minimum availability.", now, false));
    return status;
  }

  private static ObjectNode condition(JsonNode previousStatus, String type, boolean value,
      String reason, String message, String now, boolean touched) {
    JsonNode old = find(previousStatus, type);
    ObjectNode condition = JsonNodeFactory.instance.objectNode();
    condition.put("type", type);
    condition.put("status", value ? "True" : "False");
    boolean same = old != null && old.path("status").asText().equals(value ? "True" : "False");
    boolean sameReason = same && reason.equals(old.path("reason").asText());
    condition.put("lastUpdateTime", sameReason && !touched
        ? old.path("lastUpdateTime").asText(now) : now);
    condition.put("lastTransitionTime", same ? old.path("lastTransitionTime").asText(now) : now);
    condition.put("reason", reason);
    condition.put("message", message);
    return condition;
  }

  private ObjectNode newReplicaSet(ObjectNode deployment, ObjectNode template, String hash,
      int replicas) {
    ObjectNode replicaSet = JsonNodeFactory.instance.objectNode();
    replicaSet.put("apiVersion", "apps/v1");
    replicaSet.put("kind", "ReplicaSet");
    ObjectNode metadata = replicaSet.putObject("metadata");
    metadata.put("name", name(deployment) + "-" + hash);
    metadata.put("namespace", deployment.path("metadata").path("namespace").asText());
    ObjectNode labels = template.path("metadata").path("labels").isObject()
        ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    labels.put(HASH_LABEL, hash);
    metadata.set("labels", labels);
    metadata.putArray("ownerReferences").add(ownerReference(deployment, "apps/v1",
        "Deployment"));
    ObjectNode spec = replicaSet.putObject("spec");
    spec.put("replicas", replicas);
    spec.put("minReadySeconds", deployment.path("spec").path("minReadySeconds").asInt(0));
    ObjectNode selector = deployment.path("spec").path("selector").deepCopy();
    ObjectNode matchLabels = selector.path("matchLabels").isObject()
        ? (ObjectNode) selector.get("matchLabels") : selector.putObject("matchLabels");
    matchLabels.put(HASH_LABEL, hash);
    spec.set("selector", selector);
    ObjectNode podTemplate = template.deepCopy();
    ObjectNode templateMetadata = podTemplate.path("metadata").isObject()
        ? (ObjectNode) podTemplate.get("metadata") : podTemplate.putObject("metadata");
    templateMetadata.set("labels", labels.deepCopy());
    spec.set("template", podTemplate);
    return replicaSet;
  }

  /**
   * Like the controller's: a hash of the template, spelled in its consonant-digit alphabet. The
   * controller hashes the Go struct, in which a JSON null and an absent field are the same (a
   * template's {@code creationTimestamp: null}, which every Go client writes, as in the template
   * {@code kubectl rollout undo} puts back), so nulls are left out of what is hashed.
   */
  static String templateHash(ObjectNode template) {
    int hash = 0x811c9dc5;
    try {
      Object canonical = CANONICAL.treeToValue(withoutNulls(template), Object.class);
      for (byte b : CANONICAL.writeValueAsBytes(canonical)) {
        hash ^= b & 0xff;
        hash *= 0x01000193;
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder encoded = new StringBuilder();
    for (char digit : Integer.toUnsignedString(hash).toCharArray()) {
      encoded.append(SAFE_ALPHABET.charAt(digit % SAFE_ALPHABET.length()));
    }
    return encoded.toString();
  }

  private static JsonNode withoutNulls(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      node.fields().forEachRemaining(field -> {
        if (!field.getValue().isNull()) {
          copy.set(field.getKey(), withoutNulls(field.getValue()));
        }
      });
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(item -> copy.add(withoutNulls(item)));
      return copy;
    }
    return node;
  }

  /** maxSurge rounds up, maxUnavailable down; 25% each unless set. */
  private static int budget(JsonNode value, int replicas, boolean roundUp) {
    if (value == null || value.isNull()) {
      return roundUp ? (int) Math.ceil(replicas * 0.25) : (int) Math.floor(replicas * 0.25);
    }
    if (value.isTextual() && value.asText().endsWith("%")) {
      double percent = Double.parseDouble(value.asText().replace("%", "")) / 100.0;
      return roundUp ? (int) Math.ceil(replicas * percent) : (int) Math.floor(replicas * percent);
    }
    return value.asInt();
  }

  private static boolean ownedBy(ObjectNode object, String uid) {
    for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
      if (uid.equals(owner.path("uid").asText())) {
        return true;
      }
    }
    return false;
  }

  private int available(List<ObjectNode> pods, int minReadySeconds) {
    return replicaSetController.available(pods, minReadySeconds);
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
