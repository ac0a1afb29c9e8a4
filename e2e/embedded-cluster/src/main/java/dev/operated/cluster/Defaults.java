package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The API-server defaulting emulated: a port's protocol, because it is part of the key of the
 * ports lists (containerPort+protocol, port+protocol) and managedFields name items by it; and a
 * Deployment's or ReplicaSet's replicas (SetDefaults_Deployment, SetDefaults_ReplicaSet: one),
 * because an applier that stops setting them (to leave them to an HPA) meets that default, and
 * the pods it takes away; a Service's (SetDefaults_Service), which kubectl prints; and an
 * HorizontalPodAutoscaler's, whose minimum its controller scales to. Every other
 * default a real server adds is left out; see the README.
 */
final class Defaults {

  /** v1.DefaultClientIPServiceAffinitySeconds: three hours. */
  private static final int DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

  private Defaults() {
  }

  static void apply(ObjectNode object, boolean builtIn) {
    if (builtIn) {
      defaultProtocols(object, false);
      defaultReplicas(object);
      defaultService(object);
      defaultHorizontalPodAutoscaler(object);
    }
  }

  /**
   * autoscaling/v2 SetDefaults_HorizontalPodAutoscaler: one replica at least, the CPU at 80 % of
   * its request when no metric is given, and a behavior given in part completed with the
   * defaults' rules (GenerateHPAScaleUpRules, GenerateHPAScaleDownRules).
   */
  private static void defaultHorizontalPodAutoscaler(ObjectNode object) {
    if (!"HorizontalPodAutoscaler".equals(object.path("kind").asText())
        || !(object.get("spec") instanceof ObjectNode spec)) {
      return;
    }
    if (!spec.hasNonNull("minReplicas")) {
      spec.put("minReplicas", 1);
    }
    if (spec.path("metrics").isEmpty()) {
      ObjectNode cpu = spec.putArray("metrics").addObject().put("type", "Resource")
          .putObject("resource").put("name", "cpu");
      cpu.putObject("target").put("type", "Utilization").put("averageUtilization", 80);
    }
    if (spec.get("behavior") instanceof ObjectNode behavior) {
      behavior.set("scaleUp", scalingRules(behavior.get("scaleUp"), 0,
          List.of(policy("Pods", 4), policy("Percent", 100))));
      behavior.set("scaleDown", scalingRules(behavior.get("scaleDown"), null,
          List.of(policy("Percent", 100))));
    }
  }

  /** copyHPAScalingRules onto the defaults: what is given replaces the default it names. */
  private static ObjectNode scalingRules(JsonNode given, Integer stabilizationWindowSeconds,
      List<ObjectNode> policies) {
    ObjectNode rules = JsonNodeFactory.instance.objectNode();
    if (stabilizationWindowSeconds != null) {
      rules.put("stabilizationWindowSeconds", stabilizationWindowSeconds);
    }
    rules.put("selectPolicy", "Max");
    rules.putArray("policies").addAll(policies);
    if (given instanceof ObjectNode set) {
      for (String field : List.of("selectPolicy", "stabilizationWindowSeconds", "policies",
          "tolerance")) {
        if (set.hasNonNull(field)) {
          rules.set(field, set.get(field));
        }
      }
    }
    return rules;
  }

  /** An HPAScalingPolicy of the defaults: over 15 s. */
  private static ObjectNode policy(String type, int value) {
    return JsonNodeFactory.instance.objectNode().put("type", type).put("value", value)
        .put("periodSeconds", 15);
  }

  /**
   * SetDefaults_Service: what {@code kubectl describe service} and {@code get -o yaml} show of a
   * Service nobody set them on (its cluster IP and families: {@link ServiceAddresses}).
   */
  private static void defaultService(ObjectNode object) {
    if (!"Service".equals(object.path("kind").asText())
        || !(object.get("spec") instanceof ObjectNode spec)) {
      return;
    }
    if (spec.path("sessionAffinity").asText("").isEmpty()) {
      spec.put("sessionAffinity", "None");
    }
    if ("None".equals(spec.path("sessionAffinity").asText())) {
      spec.remove("sessionAffinityConfig");
    } else if ("ClientIP".equals(spec.path("sessionAffinity").asText())
        && !spec.path("sessionAffinityConfig").path("clientIP").hasNonNull("timeoutSeconds")) {
      spec.putObject("sessionAffinityConfig").putObject("clientIP")
          .put("timeoutSeconds", DEFAULT_CLIENT_IP_AFFINITY_SECONDS);
    }
    if (spec.path("type").asText("").isEmpty()) {
      spec.put("type", "ClusterIP");
    }
    String type = spec.get("type").asText();
    for (JsonNode port : spec.path("ports")) {
      JsonNode targetPort = port.path("targetPort");
      if (port instanceof ObjectNode open && (targetPort.isMissingNode() || targetPort.isNull()
          || targetPort.asText().isEmpty() || targetPort.isInt() && targetPort.asInt() == 0)) {
        open.set("targetPort", port.path("port"));
      }
    }
    boolean externallyAccessible = "NodePort".equals(type) || "LoadBalancer".equals(type)
        || "ClusterIP".equals(type) && !spec.path("externalIPs").isEmpty();
    if (externallyAccessible && spec.path("externalTrafficPolicy").asText("").isEmpty()) {
      spec.put("externalTrafficPolicy", "Cluster");
    }
    if (!spec.hasNonNull("internalTrafficPolicy")
        && List.of("ClusterIP", "NodePort", "LoadBalancer").contains(type)) {
      spec.put("internalTrafficPolicy", "Cluster");
    }
    if ("LoadBalancer".equals(type) && !spec.hasNonNull("allocateLoadBalancerNodePorts")) {
      spec.put("allocateLoadBalancerNodePorts", true);
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
