package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The custom resource types the stored CRDs define, as the stages need them: the version's
 * {@code openAPIV3Schema} (for merge semantics, defaults, pruning and validation) and the kind.
 * Parsed once per CRD revision; a changed CRD is read again.
 */
final class CustomResourceTypes {

  static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "policy", "batch",
      "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "coordination.k8s.io",
      "events.k8s.io", "discovery.k8s.io", "apiextensions.k8s.io", "storage.k8s.io",
      "admissionregistration.k8s.io", "scheduling.k8s.io", "node.k8s.io");

  /**
   * One served version of a CRD.
   *
   * @param schema the same schema, typed, for the validation code shared with the operator
   */
  record Type(String group, String version, String kind, String plural,
      JsonNode openApiV3Schema, JSONSchemaProps schema) {
  }

  private record Cached(String crdText, Optional<Type> type) {
  }

  private final Storage storage;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  CustomResourceTypes(Storage storage) {
    this.storage = storage;
  }

  /**
   * How apply merges the target's fields: built-in kinds by their Go markers, custom resources by
   * their CRD's schema.
   */
  FieldSchema fieldSchema(ApiTarget target) {
    return find(target).map(type -> FieldSchema.custom(type.openApiV3Schema()))
        .orElse(FieldSchema.BUILT_IN);
  }

  Optional<Type> find(ApiTarget target) {
    if (BUILT_IN_GROUPS.contains(target.group())) {
      return Optional.empty();
    }
    String crdName = target.plural() + "." + target.group();
    String text = storage.latestObject("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
        + crdName);
    if (text == null) {
      return Optional.empty();
    }
    String key = crdName + "/" + target.version();
    Cached cached = cache.get(key);
    // The stored text is the same String instance until the CRD is written again.
    if (cached != null && cached.crdText() == text) {
      return cached.type();
    }
    Optional<Type> type = parse(Storage.parse(text), target);
    cache.put(key, new Cached(text, type));
    return type;
  }

  private static Optional<Type> parse(JsonNode crd, ApiTarget target) {
    for (JsonNode version : crd.path("spec").path("versions")) {
      // a version not served has no handler, as in apiextensions-apiserver's crdHandler
      if (target.version().equals(version.path("name").asText())
          && version.path("served").asBoolean(true)) {
        JsonNode schema = version.path("schema").path("openAPIV3Schema");
        if (!schema.isObject()) {
          return Optional.empty();
        }
        return Optional.of(new Type(target.group(), target.version(),
            crd.path("spec").path("names").path("kind").asText(), target.plural(), schema,
            io.fabric8.kubernetes.client.utils.Serialization.unmarshal(FieldPaths.write(schema),
                JSONSchemaProps.class)));
      }
    }
    return Optional.empty();
  }
}
