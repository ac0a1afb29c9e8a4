package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Field selectors ({@code ?fieldSelector=involvedObject.name=x,type!=Normal}) as the API server
 * evaluates them. fabric8's CRUD store only knows {@code metadata.name} and
 * {@code metadata.namespace}; any other field (what {@code kubectl describe} asks of Events) it
 * turns into an attribute no object has, so the list comes back empty. The store is asked without
 * the selector and the items are filtered here.
 *
 * <p>The fields each kind supports are the ones its registry's {@code GetAttrs}/
 * {@code ToSelectableFields} exposes upstream: {@code pkg/registry/core/pod/strategy.go}
 * (ToSelectableFields: spec.nodeName, spec.restartPolicy, spec.schedulerName,
 * spec.serviceAccountName, spec.hostNetwork, status.phase, status.podIP, status.nominatedNodeName),
 * {@code pkg/registry/core/event/strategy.go} (ToSelectableFields: involvedObject.*, reason,
 * reportingComponent, source, type), {@code pkg/registry/core/namespace/strategy.go}
 * (status.phase), {@code pkg/registry/apps/replicaset/strategy.go} (status.replicas),
 * {@code pkg/registry/core/secret/strategy.go} (type); every kind and custom resource supports
 * metadata.name and metadata.namespace ({@code generic.ObjectMetaFieldsSet}). An unsupported field
 * is refused as upstream refuses it: 400 "field label not supported".
 */
final class FieldSelectors {

  private static final Set<String> META = Set.of("metadata.name", "metadata.namespace");
  private static final Map<String, Map<String, Function<JsonNode, String>>> BY_PLURAL = Map.of(
      "pods", Map.of(
          "spec.nodeName", text("spec", "nodeName"),
          "spec.restartPolicy", text("spec", "restartPolicy"),
          "spec.schedulerName", text("spec", "schedulerName"),
          "spec.serviceAccountName", text("spec", "serviceAccountName"),
          "spec.hostNetwork", pod -> String.valueOf(pod.path("spec").path("hostNetwork")
              .asBoolean(false)),
          "status.phase", text("status", "phase"),
          "status.podIP", text("status", "podIP"),
          "status.nominatedNodeName", text("status", "nominatedNodeName")),
      "events", Map.ofEntries(
          Map.entry("involvedObject.kind", text("involvedObject", "kind")),
          Map.entry("involvedObject.namespace", text("involvedObject", "namespace")),
          Map.entry("involvedObject.name", text("involvedObject", "name")),
          Map.entry("involvedObject.uid", text("involvedObject", "uid")),
          Map.entry("involvedObject.apiVersion", text("involvedObject", "apiVersion")),
          Map.entry("involvedObject.resourceVersion", text("involvedObject", "resourceVersion")),
          Map.entry("involvedObject.fieldPath", text("involvedObject", "fieldPath")),
          Map.entry("reason", text("reason")),
          Map.entry("reportingComponent", text("reportingComponent")),
          Map.entry("source", text("source", "component")),
          Map.entry("type", text("type"))),
      "namespaces", Map.of("status.phase", text("status", "phase")),
      "replicasets", Map.of("status.replicas", replicaSet -> String.valueOf(
          replicaSet.path("status").path("replicas").asInt(0))),
      "secrets", Map.of("type", text("type")));

  /** One requirement: {@code field=value}, {@code field==value} or {@code field!=value}. */
  record Requirement(String field, boolean equal, String value) {
  }

  /** A parsed selector; empty matches everything. */
  record Selector(String plural, List<Requirement> requirements) {

    static final Selector NONE = new Selector("", List.of());

    boolean isEmpty() {
      return requirements.isEmpty();
    }

    boolean matches(JsonNode object) {
      for (Requirement requirement : requirements) {
        String actual = valueOf(plural, requirement.field(), object);
        if (requirement.equal() != requirement.value().equals(actual)) {
          return false;
        }
      }
      return true;
    }
  }

  private FieldSelectors() {
  }

  /** The request's field selector, checked against what the kind supports. */
  static Selector of(ApiTarget target) {
    String raw = target.query().get("fieldSelector");
    List<Requirement> requirements = new ArrayList<>();
    if (raw != null && !raw.isBlank()) {
      for (String term : splitUnescaped(raw, ',')) {
        requirements.add(requirement(term.trim()));
      }
    }
    for (Requirement requirement : requirements) {
      if (!META.contains(requirement.field())
          && !BY_PLURAL.getOrDefault(target.plural(), Map.of()).containsKey(requirement.field())) {
        throw new ApiErrors.ApiException(400, "BadRequest", "field label not supported: "
            + requirement.field() + " (" + target.plural() + " can be selected by "
            + supported(target.plural()) + ")");
      }
    }
    return new Selector(target.plural(), List.copyOf(requirements));
  }

  private static String supported(String plural) {
    List<String> fields = new ArrayList<>(META);
    fields.addAll(BY_PLURAL.getOrDefault(plural, Map.of()).keySet());
    return String.join(", ", fields.stream().sorted().toList());
  }

  /** As {@code fields.ParseSelector}: {@code !=} before {@code ==} before {@code =}. */
  private static Requirement requirement(String term) {
    for (String operator : List.of("!=", "==", "=")) {
      int at = indexOfUnescaped(term, operator);
      if (at > 0) {
        return new Requirement(term.substring(0, at).trim(), !"!=".equals(operator),
            unescape(term.substring(at + operator.length())));
      }
    }
    throw new ApiErrors.ApiException(400, "BadRequest", "invalid field selector: \"" + term
        + "\": a term is field=value, field==value or field!=value");
  }

  static String valueOf(String plural, String field, JsonNode object) {
    if ("metadata.name".equals(field)) {
      return object.path("metadata").path("name").asText("");
    }
    if ("metadata.namespace".equals(field)) {
      return object.path("metadata").path("namespace").asText("");
    }
    return BY_PLURAL.getOrDefault(plural, Map.of()).getOrDefault(field, ignored -> "")
        .apply(object);
  }

  private static Function<JsonNode, String> text(String... path) {
    return object -> {
      JsonNode node = object;
      for (String step : path) {
        node = node.path(step);
      }
      return node.isValueNode() ? node.asText() : "";
    };
  }

  // Values escape ',' '=' '!' and '\' with a backslash (fields.EscapeValue).
  private static List<String> splitUnescaped(String raw, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length()) {
        current.append(c).append(raw.charAt(++i));
      } else if (c == separator) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  private static int indexOfUnescaped(String term, String operator) {
    for (int i = 0; i + operator.length() <= term.length(); i++) {
      if (term.charAt(i) == '\\') {
        i++;
      } else if (term.startsWith(operator, i)) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String value) {
    return value.replaceAll("\\\\(.)", "$1");
  }
}
