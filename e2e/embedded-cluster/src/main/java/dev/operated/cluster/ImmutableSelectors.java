package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The selector of a Deployment or ReplicaSet written through apps/v1 cannot change:
 * {@code deploymentStrategy.ValidateUpdate} and {@code rsStrategy.ValidateUpdate}
 * (pkg/registry/apps/.../strategy.go) call {@code ValidateImmutableField} on it for every group
 * version but the retired apps/v1beta1 and extensions/v1beta1. An operator that changes the
 * selector labels it puts on its Deployment (between two of its versions, or from a spec field)
 * is refused with a 422 by a real API server; here too, or the tests would never see it.
 */
final class ImmutableSelectors {

  private static final Map<String, String> KINDS = Map.of("deployments", "Deployment",
      "replicasets", "ReplicaSet");

  private ImmutableSelectors() {
  }

  /** Refuses an update of {@code old} into {@code object} that changes its selector. */
  static void admit(ApiTarget target, ObjectNode object, ObjectNode old) {
    String kind = KINDS.get(target.plural());
    if (old == null || kind == null || !"apps".equals(target.group())
        || target.subresource() != null) {
      return;
    }
    JsonNode selector = object.path("spec").path("selector");
    if (semantic(selector).equals(semantic(old.path("spec").path("selector")))) {
      return;
    }
    throw ApiErrors.invalid(kind, "apps", object.path("metadata").path("name").asText(""),
        List.of(new FieldError("spec.selector", FieldError.Type.INVALID,
            new POJONode(goValue(selector)), "field is immutable")));
  }

  /** apiequality.Semantic.DeepEqual: an empty map or list is the same as none. */
  private static Object semantic(JsonNode selector) {
    Map<String, Object> parts = new TreeMap<>();
    JsonNode labels = selector.path("matchLabels");
    if (labels.isObject() && !labels.isEmpty()) {
      parts.put("matchLabels", labels);
    }
    JsonNode expressions = selector.path("matchExpressions");
    if (expressions.isArray() && !expressions.isEmpty()) {
      parts.put("matchExpressions", expressions);
    }
    return selector.isObject() ? parts : "null";
  }

  /**
   * field.Error's rendering of the new selector: a pointer is dereferenced and the struct printed
   * with %#v (its String method has a pointer receiver), map keys sorted.
   */
  private static String goValue(JsonNode selector) {
    if (!selector.isObject()) {
      return "null";
    }
    StringBuilder value = new StringBuilder("v1.LabelSelector{MatchLabels:map[string]string");
    JsonNode labels = selector.path("matchLabels");
    if (labels.isObject()) {
      List<String> pairs = new ArrayList<>();
      new TreeMap<>(FieldPaths.JSON.convertValue(labels, Map.class)).forEach((key, label) ->
          pairs.add(quoted(String.valueOf(key)) + ":" + quoted(String.valueOf(label))));
      value.append('{').append(String.join(", ", pairs)).append('}');
    } else {
      value.append("(nil)");
    }
    value.append(", MatchExpressions:[]v1.LabelSelectorRequirement");
    JsonNode expressions = selector.path("matchExpressions");
    if (expressions.isArray()) {
      List<String> requirements = new ArrayList<>();
      for (JsonNode requirement : expressions) {
        List<String> values = new ArrayList<>();
        requirement.path("values").forEach(item -> values.add(quoted(item.asText())));
        requirements.add("v1.LabelSelectorRequirement{Key:" + quoted(requirement.path("key")
            .asText()) + ", Operator:" + quoted(requirement.path("operator").asText())
            + ", Values:[]string" + (requirement.path("values").isArray()
            ? "{" + String.join(", ", values) + "}" : "(nil)") + "}");
      }
      value.append('{').append(String.join(", ", requirements)).append('}');
    } else {
      value.append("(nil)");
    }
    return value.append('}').toString();
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
