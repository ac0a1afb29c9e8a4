package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The API-server defaulting emulated: a port's protocol, because it is part of the key of the
 * ports lists (containerPort+protocol, port+protocol) and managedFields name items by it; and a
 * Deployment's or ReplicaSet's replicas (SetDefaults_Deployment, SetDefaults_ReplicaSet: one),
 * because an applier that stops setting them (to leave them to an HPA) meets that default, and
 * the pods it takes away. Every other default a real server adds is left out; see the README.
 */
final class Defaults {

  private Defaults() {
  }

  static void apply(ObjectNode object, boolean builtIn) {
    if (builtIn) {
      defaultProtocols(object, false);
      defaultReplicas(object);
    }
  }

  private static void defaultReplicas(ObjectNode object) {
    String kind = object.path("kind").asText();
    if (("Deployment".equals(kind) || "ReplicaSet".equals(kind))
        && object.get("spec") instanceof ObjectNode spec && !spec.hasNonNull("replicas")) {
      spec.put("replicas", 1);
    }
  }

  private static void defaultProtocols(JsonNode node, boolean underContainer) {
    if (node.isArray()) {
      node.forEach(item -> defaultProtocols(item, underContainer));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if ("ports".equals(field.getKey()) && field.getValue().isArray()) {
        for (JsonNode port : field.getValue()) {
          if (port.isObject() && !port.hasNonNull("protocol")
              && (port.has("containerPort") || port.has("port"))) {
            ((ObjectNode) port).put("protocol", "TCP");
          }
        }
      } else if (!"metadata".equals(field.getKey()) && !"status".equals(field.getKey())) {
        defaultProtocols(field.getValue(), underContainer);
      }
    }
  }
}
