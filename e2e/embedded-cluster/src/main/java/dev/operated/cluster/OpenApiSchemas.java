package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.crdv2.generator.v1.JsonSchema;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI schema of each kind this server serves, as the {@code components.schemas} entry of
 * its group-version document: a custom resource's from its CRD's {@code openAPIV3Schema} (so its
 * descriptions reach {@code kubectl explain}), a built-in kind's generated from fabric8's model
 * class of that kind by the same generator that writes our CRD (fabric8's model jars ship no
 * schema resource and its classes carry no descriptions, so built-in fields are described by name
 * and type only). Either way the schema carries {@code x-kubernetes-group-version-kind}, which is
 * how kubectl finds a kind's schema in the document (kubectl/pkg/explain/v2 templates), and the
 * list markers the server merges by, so a client computing a strategic merge patch from it
 * (kubectl apply's {@code buildStrategicMergePatchFromOpenAPIV3}) merges lists as we do.
 */
final class OpenApiSchemas {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final KubernetesDeserializer MODEL = new KubernetesDeserializer();
  private static final Map<String, ObjectNode> BUILT_IN_CACHE = new ConcurrentHashMap<>();
  private static final ObjectNode OBJECT_META = withListMarkers(
      generate(ObjectMeta.class), List.of("metadata"));

  private OpenApiSchemas() {
  }

  /**
   * The name kube-apiserver gives the kind's schema: {@code io.k8s.api.apps.v1.Deployment} for a
   * built-in kind, the reversed group for a custom resource ({@code dev.operated.v1alpha1.
   * OperatedService}, as the CRD handler's builder names it).
   */
  static String componentName(Discovery.Kind kind, boolean custom) {
    if (custom) {
      List<String> parts = new ArrayList<>(List.of(kind.group().split("\\.")));
      java.util.Collections.reverse(parts);
      return String.join(".", parts) + "." + kind.version() + "." + kind.kind();
    }
    if ("apiextensions.k8s.io".equals(kind.group())) {
      return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + kind.version() + "."
          + kind.kind();
    }
    String group = kind.group().isEmpty() ? "core" : kind.group().split("\\.")[0];
    return "io.k8s.api." + group + "." + kind.version() + "." + kind.kind();
  }

  /** A built-in kind's schema from its fabric8 model class (computed once per kind). */
  static ObjectNode builtIn(Discovery.Kind kind) {
    return BUILT_IN_CACHE.computeIfAbsent(kind.groupVersion() + "/" + kind.kind(), key -> {
      Class<? extends KubernetesResource> type = MODEL.getRegisteredKind(kind.groupVersion(),
          kind.kind());
      ObjectNode schema;
      try {
        schema = type == null ? openObject() : withListMarkers(generate(type), List.of());
      } catch (IllegalArgumentException cyclic) {
        // The generator inlines every type and refuses recursive ones (a CRD's JSONSchemaProps):
        // such a kind is described as an object of any shape rather than not at all.
        schema = openObject();
      }
      return withResourceFields(schema, kind);
    }).deepCopy();
  }

  /** A custom resource's schema: its CRD version's {@code openAPIV3Schema}. */
  static ObjectNode custom(Discovery.Kind kind, JsonNode openApiV3Schema) {
    ObjectNode schema = openApiV3Schema != null && openApiV3Schema.isObject()
        ? ((ObjectNode) openApiV3Schema).deepCopy() : openObject();
    return withResourceFields(schema, kind);
  }

  private static ObjectNode generate(Class<?> type) {
    return (ObjectNode) FieldPaths.JSON.valueToTree(JsonSchema.from(type));
  }

  private static ObjectNode openObject() {
    ObjectNode schema = NODES.objectNode();
    schema.put("type", "object");
    schema.put("x-kubernetes-preserve-unknown-fields", true);
    return schema;
  }

  /**
   * The fields every resource has and the generator (which writes CRD schemas, where the server
   * adds them) leaves out: apiVersion, kind, metadata; and the kind's group-version-kind.
   */
  private static ObjectNode withResourceFields(ObjectNode schema, Discovery.Kind kind) {
    schema.put("type", "object");
    ObjectNode properties = schema.with("properties");
    ObjectNode apiVersion = NODES.objectNode().put("type", "string");
    ObjectNode kindField = NODES.objectNode().put("type", "string");
    properties.set("apiVersion", properties.has("apiVersion") ? properties.get("apiVersion")
        : apiVersion);
    properties.set("kind", properties.has("kind") ? properties.get("kind") : kindField);
    JsonNode metadata = properties.get("metadata");
    if (metadata == null || !metadata.has("properties")) {
      ObjectNode objectMeta = OBJECT_META.deepCopy();
      if (metadata != null && metadata.has("description")) {
        objectMeta.set("description", metadata.get("description"));
      }
      properties.set("metadata", objectMeta);
    }
    ObjectNode gvk = NODES.objectNode();
    gvk.put("group", kind.group());
    gvk.put("kind", kind.kind());
    gvk.put("version", kind.version());
    schema.set("x-kubernetes-group-version-kind", NODES.arrayNode().add(gvk));
    return schema;
  }

  /**
   * Marks each list the way kube-apiserver's schema does for the Go type's
   * {@code +listType}/{@code +listMapKey} and {@code patchStrategy:"merge"
   * patchMergeKey:"..."} tags, taken from {@link FieldSchema#BUILT_IN}: the markers the server
   * itself merges by.
   */
  private static ObjectNode withListMarkers(ObjectNode schema, List<String> names) {
    JsonNode properties = schema.get("properties");
    if (properties != null) {
      properties.fields().forEachRemaining(field -> {
        List<String> child = new ArrayList<>(names);
        child.add(field.getKey());
        markField((ObjectNode) field.getValue(), child);
      });
    }
    return schema;
  }

  private static void markField(ObjectNode field, List<String> names) {
    String type = field.path("type").asText();
    if ("array".equals(type)) {
      ListType listType = FieldSchema.BUILT_IN.listType(names);
      switch (listType.kind()) {
        case MAP -> {
          field.put("x-kubernetes-list-type", "map");
          field.set("x-kubernetes-list-map-keys", FieldPaths.JSON.valueToTree(listType.keys()));
          field.put("x-kubernetes-patch-strategy", "merge");
          field.put("x-kubernetes-patch-merge-key", listType.keys().get(0));
        }
        case SET -> {
          field.put("x-kubernetes-list-type", "set");
          field.put("x-kubernetes-patch-strategy", "merge");
        }
        default -> field.put("x-kubernetes-list-type", "atomic");
      }
      JsonNode items = field.get("items");
      if (items instanceof ObjectNode item) {
        withListMarkers(item, names);
      }
    } else if ("object".equals(type)) {
      if (FieldSchema.BUILT_IN.atomicObject(names)) {
        field.put("x-kubernetes-map-type", "atomic");
      }
      withListMarkers(field, names);
      JsonNode additional = field.get("additionalProperties");
      if (additional instanceof ObjectNode value) {
        withListMarkers(value, names);
      }
    }
  }
}
