package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * What kube-apiserver does for a namespace's life, in one place: the namespace's strategy
 * (pkg/registry/core/namespace/strategy.go), its registry's two-step delete
 * (pkg/registry/core/namespace/storage/storage.go, {@code REST.Delete} and
 * {@code ShouldDeleteNamespaceDuringUpdate}) and the NamespaceLifecycle admission plugin
 * (apiserver/pkg/admission/plugin/namespace/lifecycle, {@code Admit}). The content is removed by
 * the {@link NamespaceController}.
 */
final class NamespaceLifecycle {

  static final String FINALIZER = "kubernetes";
  static final String ACTIVE = "Active";
  static final String TERMINATING = "Terminating";
  /** {@code v1.NamespaceTerminatingCause}: what controllers tell a refusal to drop by. */
  static final String TERMINATING_CAUSE = "NamespaceTerminating";
  /** {@code v1.LabelMetadataName}, which every namespace carries with its own name. */
  static final String NAME_LABEL = "kubernetes.io/metadata.name";
  /** The plugin's immortal namespaces (its {@code Register}). */
  private static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");

  private NamespaceLifecycle() {
  }

  static boolean isNamespace(ApiTarget target) {
    return target.group().isEmpty() && "namespaces".equals(target.plural())
        && target.namespace() == null;
  }

  static boolean terminating(JsonNode namespace) {
    return namespace.path("metadata").hasNonNull("deletionTimestamp")
        || TERMINATING.equals(namespace.path("status").path("phase").asText());
  }

  /**
   * The strategy's PrepareForCreate and PrepareForUpdate with the defaults' label: a new
   * namespace is Active and carries the {@code kubernetes} finalizer; an update keeps the
   * finalizers (only {@code /finalize} writes them) and the status (only {@code /status} does).
   */
  static void prepare(ApiTarget target, ObjectNode next, ObjectNode current) {
    String name = next.path("metadata").path("name").asText("");
    if (!name.isEmpty()) { // SetDefaults_Namespace and the strategy's Canonicalize
      Storage.metadataOf(next).with("labels").put(NAME_LABEL, name);
    }
    if (current == null) {
      next.putObject("status").put("phase", ACTIVE);
      ArrayNode finalizers = next.with("spec").withArray("finalizers");
      if (!contains(finalizers, FINALIZER)) {
        finalizers.add(FINALIZER);
      }
      return;
    }
    String subresource = target.subresource();
    if (!"finalize".equals(subresource)) {
      copyOrRemove(current.path("spec").get("finalizers"), next.with("spec"), "finalizers");
    }
    if (!"status".equals(subresource)) {
      copyOrRemove(current.get("status"), next, "status");
    }
    if (next.path("spec").isObject() && next.get("spec").isEmpty()) {
      next.remove("spec");
    }
  }

  /**
   * The finalize subresource's object: the stored one with the finalizers it was given. Only a
   * namespace has the subresource.
   */
  static ObjectNode withFinalizersOf(ApiTarget target, ObjectNode current, ObjectNode given) {
    if (!isNamespace(target)) {
      throw new ApiErrors.ApiException(404, "NotFound",
          "the server could not find the requested resource");
    }
    ObjectNode updated = current.deepCopy();
    copyOrRemove(given.path("spec").get("finalizers"), updated.with("spec"), "finalizers");
    return updated;
  }

  /**
   * Whether {@code spec.finalizers} is empty: with {@code metadata.finalizers} empty too, a
   * namespace being deleted goes with the update that leaves it so
   * ({@code ShouldDeleteNamespaceDuringUpdate}).
   */
  static boolean finalized(JsonNode namespace) {
    return namespace.path("spec").path("finalizers").isEmpty();
  }

  /** The plugin's first check: {@code this namespace may not be deleted}. */
  static void refuseDeletingImmortal(ApiTarget target) {
    if (isNamespace(target) && IMMORTAL.contains(target.name())) {
      throw ApiErrors.forbidden(target, target.name(), "this namespace may not be deleted",
          null);
    }
  }

  /**
   * {@code REST.Delete}'s first step: marked as deleting and Terminating, nothing removed; the
   * {@link NamespaceController} removes the content and then the finalizer.
   */
  static ObjectNode markedTerminating(ObjectNode current, String now) {
    ObjectNode next = current.deepCopy();
    ObjectNode metadata = Storage.metadataOf(next);
    if (!metadata.hasNonNull("deletionTimestamp")) {
      metadata.put("deletionTimestamp", now);
    }
    next.with("status").put("phase", TERMINATING);
    return next;
  }

  /**
   * The plugin's check of a create: only into a namespace that exists (404 naming it) and is
   * not being deleted (403 with the {@code NamespaceTerminating} cause). Everything else passes:
   * updates and deletes of what is in it, and cluster-scoped objects.
   *
   * @param namespace the request's namespace as stored, null if absent
   */
  static void admitCreate(ApiTarget target, String name, JsonNode namespace) {
    if (target.namespace() == null) {
      return;
    }
    ApiTarget namespaceTarget = Storage.NAMESPACES.withName(target.namespace());
    if (namespace == null) {
      throw ApiErrors.notFound(namespaceTarget);
    }
    if (TERMINATING.equals(namespace.path("status").path("phase").asText())) {
      ObjectNode cause = JsonNodeFactory.instance.objectNode().put("reason", TERMINATING_CAUSE)
          .put("message", "namespace " + target.namespace() + " is being terminated")
          .put("field", "metadata.namespace");
      throw ApiErrors.forbidden(target, name, "unable to create new content in namespace "
          + target.namespace() + " because it is being terminated", cause);
    }
  }

  /** A refusal a controller drops rather than retries: the namespace will not take it. */
  static boolean refusedAsTerminating(Throwable failure) {
    return failure instanceof ApiErrors.ApiException refusal && refusal.details != null
        && refusal.details.path("causes").findValuesAsText("reason")
            .contains(TERMINATING_CAUSE);
  }

  private static boolean contains(ArrayNode values, String value) {
    for (JsonNode each : values) {
      if (value.equals(each.asText())) {
        return true;
      }
    }
    return false;
  }

  private static void copyOrRemove(JsonNode value, ObjectNode into, String field) {
    if (value == null || value.isNull()) {
      into.remove(field);
    } else {
      into.set(field, value.deepCopy());
    }
  }
}
