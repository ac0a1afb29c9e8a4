package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's namespace controller (pkg/controller/namespace/deletion,
 * {@code namespacedResourcesDeleter.Delete}): a namespace marked as deleting has everything in
 * it deleted (every namespaced resource that can be, custom resources too, with background
 * propagation), reports what is left in its status conditions ({@code status_condition_utils.go}),
 * and once nothing is left loses its {@code kubernetes} finalizer through {@code /finalize},
 * which removes it. An object whose own finalizers nobody removes holds the namespace in
 * Terminating, named in {@code NamespaceFinalizersRemaining}, as on a cluster.
 */
final class NamespaceController implements AutoCloseable {

  static final String MANAGER = DeploymentController.MANAGER;
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);
  private static final ApiTarget CRDS =
      ApiTarget.parse("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
  /** What a condition the deleter keeps says when all is well. */
  private record Ok(String reason, String message) {
  }

  /** The condition types the deleter keeps, in its order, and what each says when all is well. */
  private static final Map<String, Ok> CONDITIONS_OK = conditionsOk();

  private final Storage api;
  private final Clock clock;
  private final WorkQueue queue;
  final ControllerGate gate = new ControllerGate();
  /** The namespaces being deleted, so that a change of what is in one finishes it promptly. */
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();

  NamespaceController(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.queue = new WorkQueue("embedded-cluster-namespace-controller",
        (ignored, name) -> handle(name), this::resync, LOG);
    api.addListener(change -> {
      ApiTarget target = change.target();
      if (NamespaceLifecycle.isNamespace(target)) {
        if (change.object() != null && NamespaceLifecycle.terminating(change.object())) {
          terminating.add(target.name());
          queue.enqueue(null, target.name());
        } else if (change.object() == null) {
          terminating.remove(target.name());
        }
      } else if (target.namespace() != null && terminating.contains(target.namespace())) {
        queue.enqueue(null, target.namespace()); // content went or lost a finalizer
      }
    });
    queue.start();
  }

  private void handle(String name) {
    gate.run(name, () -> sync(name), () -> queue.enqueue(null, name));
  }

  /** Every second, as the deleter requeues a namespace whose content has not gone yet. */
  private void resync() {
    terminating.forEach(name -> queue.enqueue(null, name));
  }

  private void sync(String name) {
    ApiTarget target = Storage.NAMESPACES.withName(name);
    ObjectNode namespace = api.get(target);
    if (namespace == null || !namespace.path("metadata").hasNonNull("deletionTimestamp")) {
      terminating.remove(name);
      return;
    }
    if (NamespaceLifecycle.finalized(namespace)) {
      return; // finalized by hand before its deletion: the next delete removes it (Delete)
    }
    Remaining remaining = deleteAllContent(name);
    api.updateInternal(target.withSubresource("status"),
        stored -> withConditions(stored, remaining), MANAGER);
    if (remaining.resources().isEmpty() && remaining.failures().isEmpty()) {
      api.updateInternal(target.withSubresource("finalize"), stored -> {
        ArrayNode finalizers = stored.with("spec").withArray("finalizers");
        for (int i = finalizers.size() - 1; i >= 0; i--) {
          if (NamespaceLifecycle.FINALIZER.equals(finalizers.get(i).asText())) {
            finalizers.remove(i);
          }
        }
        return stored;
      }, MANAGER);
    }
  }

  /** What a pass left: instances per resource, per finalizer, and the deletes refused. */
  private record Remaining(Map<String, Integer> resources, Map<String, Integer> finalizers,
      List<String> failures) {
  }

  /** deleteAllContent: each namespaced resource's objects deleted, then counted again. */
  private Remaining deleteAllContent(String namespace) {
    Map<String, Integer> resources = new TreeMap<>();
    Map<String, Integer> finalizers = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (ApiTarget collection : namespacedCollections(namespace)) {
      for (ObjectNode item : api.list(collection.collectionPath())) {
        if (item.path("metadata").hasNonNull("deletionTimestamp")) {
          continue;
        }
        try {
          api.deleteInternal(collection.withName(item.path("metadata").path("name").asText()),
              JsonNodeFactory.instance.objectNode().put("propagationPolicy", "Background"));
        } catch (ApiErrors.ApiException refused) {
          failures.add(refused.getMessage());
        }
      }
      List<ObjectNode> left = api.list(collection.collectionPath());
      if (!left.isEmpty()) {
        // gvr.Resource + "." + gvr.Group: "pods." for the core group
        resources.put(collection.plural() + "." + collection.group(), left.size());
        left.forEach(item -> Storage.finalizersOf(item)
            .forEach(finalizer -> finalizers.merge(finalizer, 1, Integer::sum)));
      }
    }
    return new Remaining(resources, finalizers, failures);
  }

  /**
   * Every namespaced resource a discovery document lists, built-in and custom, in this one:
   * each once, in the first version served (the deleter's preferred resources).
   */
  private List<ApiTarget> namespacedCollections(String namespace) {
    List<Discovery.Kind> kinds = new ArrayList<>(Discovery.BUILT_IN);
    api.list(CRDS.collectionPath()).forEach(crd -> kinds.addAll(Discovery.kindsOf(crd)));
    Map<String, ApiTarget> collections = new LinkedHashMap<>();
    for (Discovery.Kind kind : kinds) {
      if (kind.namespaced()) {
        collections.putIfAbsent(kind.group() + "/" + kind.plural(), new ApiTarget(kind.group(),
            kind.version(), namespace, kind.plural(), null, null, Map.of()));
      }
    }
    return List.copyOf(collections.values());
  }

  /**
   * updateConditions: every type the deleter keeps, its failing form where something failed
   * or remains, else its "ok" form; a condition's transition time changes with its status.
   */
  private ObjectNode withConditions(ObjectNode namespace, Remaining remaining) {
    Map<String, ObjectNode> wanted = new LinkedHashMap<>();
    CONDITIONS_OK.forEach((type, ok) ->
        wanted.put(type, condition(type, "False", ok.reason(), ok.message())));
    if (!remaining.failures().isEmpty()) {
      wanted.put("NamespaceDeletionContentFailure", condition("NamespaceDeletionContentFailure",
          "True", "ContentDeletionFailed", "Failed to delete all resource types, "
              + remaining.failures().size() + " remaining: "
              + String.join(", ", remaining.failures().stream().sorted().toList())));
    }
    if (!remaining.resources().isEmpty()) {
      List<String> counts = new ArrayList<>();
      remaining.resources().forEach((resource, count) ->
          counts.add(resource + " has " + count + " resource instances"));
      wanted.put("NamespaceContentRemaining", condition("NamespaceContentRemaining", "True",
          "SomeResourcesRemain", "Some resources are remaining: " + String.join(", ", counts)));
    }
    if (!remaining.finalizers().isEmpty()) {
      List<String> counts = new ArrayList<>();
      remaining.finalizers().forEach((finalizer, count) ->
          counts.add(finalizer + " in " + count + " resource instances"));
      wanted.put("NamespaceFinalizersRemaining", condition("NamespaceFinalizersRemaining",
          "True", "SomeFinalizersRemain",
          "Some content in the namespace has finalizers remaining: "
              + String.join(", ", counts)));
    }
    ArrayNode conditions = namespace.with("status").withArray("conditions");
    wanted.forEach((type, condition) -> {
      ObjectNode old = null;
      for (JsonNode each : conditions) {
        if (type.equals(each.path("type").asText())) {
          old = (ObjectNode) each;
        }
      }
      if (old == null) {
        conditions.add(condition);
        return;
      }
      if (!old.path("status").asText().equals(condition.path("status").asText())) {
        old.set("lastTransitionTime", condition.get("lastTransitionTime"));
      }
      for (String field : List.of("status", "reason", "message")) {
        old.set(field, condition.get(field));
      }
    });
    return namespace;
  }

  private ObjectNode condition(String type, String status, String reason, String message) {
    return JsonNodeFactory.instance.objectNode().put("type", type).put("status", status)
        .put("lastTransitionTime",
            Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString())
        .put("reason", reason).put("message", message);
  }

  private static Map<String, Ok> conditionsOk() {
    Map<String, Ok> ok = new LinkedHashMap<>();
    ok.put("NamespaceDeletionDiscoveryFailure",
        new Ok("ResourcesDiscovered", "All resources successfully discovered"));
    ok.put("NamespaceDeletionGroupVersionParsingFailure",
        new Ok("ParsedGroupVersions", "All legacy kube types successfully parsed"));
    ok.put("NamespaceDeletionContentFailure", new Ok("ContentDeleted",
        "All content successfully deleted, may be waiting on finalization"));
    ok.put("NamespaceContentRemaining",
        new Ok("ContentRemoved", "All content successfully removed"));
    ok.put("NamespaceFinalizersRemaining",
        new Ok("ContentHasNoFinalizers", "All content-preserving finalizers finished"));
    return ok;
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
