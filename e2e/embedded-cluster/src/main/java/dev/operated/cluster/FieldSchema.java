package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The merge semantics of the fields of one kind: which lists are associative (and on which keys)
 * and which objects are atomic. Built-in kinds use the markers Kubernetes puts on its Go types for
 * the fields our workloads touch; custom resources read them from their CRD's schema, where a list
 * without {@code x-kubernetes-list-type} is atomic, as on a real API server.
 */
final class FieldSchema {

  private static final Set<String> CONTAINER_LISTS =
      Set.of("containers", "initContainers", "ephemeralContainers");
  /** LabelSelector is {@code +structType=atomic}; Service's selector is {@code +mapType=atomic}. */
  private static final Set<String> ATOMIC_OBJECTS =
      Set.of("selector", "labelSelector", "namespaceSelector", "nodeSelectorTerms");

  private final JsonNode crdSchema;

  private FieldSchema(JsonNode crdSchema) {
    this.crdSchema = crdSchema;
  }

  static final FieldSchema BUILT_IN = new FieldSchema(null);

  /** @param openApiV3Schema the CRD version's {@code schema.openAPIV3Schema} */
  static FieldSchema custom(JsonNode openApiV3Schema) {
    return new FieldSchema(openApiV3Schema);
  }

  /** @param names the field names from the object's root, list items not counted */
  ListType listType(List<String> names) {
    String field = names.get(names.size() - 1);
    if (names.size() == 2 && "metadata".equals(names.get(0))) {
      if ("ownerReferences".equals(field)) {
        return ListType.map("uid");
      }
      if ("finalizers".equals(field)) {
        return ListType.SET;
      }
      return ListType.ATOMIC;
    }
    if (crdSchema != null) {
      return crdListType(names);
    }
    if (CONTAINER_LISTS.contains(field)) {
      return ListType.map("name");
    }
    switch (field) {
      case "ports":
        if (names.stream().anyMatch(CONTAINER_LISTS::contains)) {
          return ListType.map("containerPort", "protocol");
        }
        return names.size() == 2 && "spec".equals(names.get(0))
            ? ListType.map("port", "protocol") : ListType.ATOMIC;
      case "env", "volumes", "imagePullSecrets", "resourceClaims", "schedulingGates":
        return ListType.map("name");
      case "volumeMounts":
        return ListType.map("mountPath");
      case "volumeDevices":
        return ListType.map("devicePath");
      case "hostAliases":
        return ListType.map("ip");
      case "resizePolicy":
        return ListType.map("resourceName");
      case "topologySpreadConstraints":
        return ListType.map("topologyKey", "whenUnsatisfiable");
      case "conditions":
        return "status".equals(names.get(0)) ? ListType.map("type") : ListType.ATOMIC;
      default:
        // tolerations, args, command, envFrom...: no merge key on the Go type, so atomic
        return ListType.ATOMIC;
    }
  }

  boolean atomicObject(List<String> names) {
    if (names.isEmpty()) {
      return false;
    }
    if (crdSchema != null) {
      JsonNode schema = crdNode(names);
      return schema != null && ("atomic".equals(schema.path("x-kubernetes-map-type").asText())
          || "atomic".equals(schema.path("x-kubernetes-struct-type").asText()));
    }
    return ATOMIC_OBJECTS.contains(names.get(names.size() - 1));
  }

  private ListType crdListType(List<String> names) {
    JsonNode schema = crdNode(names);
    if (schema == null) {
      return ListType.ATOMIC;
    }
    String type = schema.path("x-kubernetes-list-type").asText("atomic");
    if ("map".equals(type)) {
      List<String> keys = new java.util.ArrayList<>();
      schema.path("x-kubernetes-list-map-keys").forEach(key -> keys.add(key.asText()));
      return new ListType(ListType.Kind.MAP, List.copyOf(keys));
    }
    return "set".equals(type) ? ListType.SET : ListType.ATOMIC;
  }

  /** Walks the CRD schema along field names, stepping into list items where the schema has them. */
  private JsonNode crdNode(List<String> names) {
    JsonNode node = crdSchema;
    for (String name : names) {
      while (node != null && "array".equals(node.path("type").asText())) {
        node = node.get("items");
      }
      if (node == null) {
        return null;
      }
      JsonNode next = node.path("properties").get(name);
      if (next == null) {
        JsonNode additional = node.get("additionalProperties");
        next = additional != null && additional.isObject() ? additional : null;
      }
      node = next;
    }
    return node;
  }
}
