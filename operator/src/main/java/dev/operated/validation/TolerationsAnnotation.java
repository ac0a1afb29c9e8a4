package dev.operated.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operated.api.LabelValues;
import dev.operated.api.SpecProblem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code scheduler.alpha.kubernetes.io/tolerations} pod annotation as core {@code
 * ValidateTolerationsInPodAnnotations} reads it: helper {@code GetTolerationsFromPodAnnotations}
 * decodes it with Go's {@code encoding/json} into {@code []core.Toleration}, then {@code
 * ValidateTolerations} checks each toleration as it would one in {@code spec.tolerations}.
 *
 * <p>Decoding follows Go, not Jackson: field names match case-insensitively, unknown fields are
 * ignored, {@code null} leaves a field empty, but a number is never a string, a string never a
 * number, {@code 5.0} is not an integer and nothing may follow the list.
 */
final class TolerationsAnnotation {

  /** core {@code TolerationOpEqual}, {@code TolerationOpExists}; "" means Equal. */
  private static final Set<String> OPERATORS = Set.of("", "Equal", "Exists");
  /** core {@code validateTaintEffect} with allowEmpty: "" tolerates every effect. */
  private static final Set<String> EFFECTS = Set.of("", "NoSchedule", "PreferNoSchedule",
      "NoExecute");
  private static final Set<String> TEXT_FIELDS = Set.of("key", "operator", "value", "effect");
  private static final ObjectMapper GO_JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** One toleration as decoded: text fields absent or null are "", seconds may be absent. */
  private record Toleration(Map<String, String> text, boolean hasSeconds) {
    String get(String field) {
      return text.getOrDefault(field, "");
    }
  }

  private TolerationsAnnotation() {
  }

  /** @param field the annotation's path, e.g. {@code spec.podAnnotations[scheduler...]} */
  static List<SpecProblem> validate(String field, String value) {
    List<SpecProblem> problems = new ArrayList<>();
    List<Toleration> tolerations;
    try {
      tolerations = decode(GO_JSON.readTree(value));
    } catch (JsonProcessingException | IllegalArgumentException notTolerations) {
      String why = notTolerations instanceof JsonProcessingException json
          ? json.getOriginalMessage() : notTolerations.getMessage();
      problems.add(new SpecProblem(field, "is not a JSON list of tolerations (" + why + "): "
          + "write e.g. [{\"key\": \"dedicated\", \"operator\": \"Exists\"}]"));
      return problems;
    }
    for (int i = 0; i < tolerations.size(); i++) {
      problems.addAll(toleration(field + "[" + i + "]", tolerations.get(i)));
    }
    return problems;
  }

  /** core {@code ValidateTolerations}, one toleration. */
  private static List<SpecProblem> toleration(String path, Toleration toleration) {
    List<SpecProblem> problems = new ArrayList<>();
    String key = toleration.get("key");
    String operator = toleration.get("operator");
    String value = toleration.get("value");
    String effect = toleration.get("effect");
    if (!key.isEmpty()) {
      KubernetesRules.qualifiedName(key).ifPresent(why -> problems.add(new SpecProblem(
          path + ".key", "'" + key + "' is not a valid toleration key: " + why)));
    } else if (!operator.equals("Exists")) {
      problems.add(new SpecProblem(path + ".operator", "must be Exists when key is empty (a "
          + "toleration of every taint): give a key, or operator Exists"));
    }
    if (toleration.hasSeconds() && !effect.equals("NoExecute")) {
      problems.add(new SpecProblem(path + ".effect", "must be NoExecute when tolerationSeconds "
          + "is set: only a NoExecute taint evicts after a while"));
    }
    if (!OPERATORS.contains(operator)) {
      problems.add(new SpecProblem(path + ".operator", "'" + operator + "' is not supported: "
          + "use Equal or Exists"));
    } else if (operator.equals("Exists") && !value.isEmpty()) {
      problems.add(new SpecProblem(path + ".value", "must be empty when operator is Exists: "
          + "remove it, or use operator Equal"));
    } else if (!operator.equals("Exists") && !LabelValues.isValid(value)) {
      problems.add(new SpecProblem(path + ".value", "'" + value + "' is not a valid label "
          + "value, which an Equal toleration's value must be: at most 63 letters, digits, "
          + "'-', '_' and '.', starting and ending with a letter or digit"));
    }
    if (!EFFECTS.contains(effect)) {
      problems.add(new SpecProblem(path + ".effect", "'" + effect + "' is not supported: use "
          + "NoSchedule, PreferNoSchedule or NoExecute, or leave it out for every effect"));
    }
    return problems;
  }

  /** Go's {@code json.Unmarshal} into {@code []core.Toleration}. */
  private static List<Toleration> decode(JsonNode list) {
    List<Toleration> tolerations = new ArrayList<>();
    if (list.isNull()) {
      return tolerations;
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("a JSON " + list.getNodeType().name()
          .toLowerCase(Locale.ROOT) + ", not a list");
    }
    for (JsonNode element : list) {
      if (element.isNull()) {
        tolerations.add(new Toleration(Map.of(), false));
      } else if (!element.isObject()) {
        throw new IllegalArgumentException("an element is a JSON " + element.getNodeType()
            .name().toLowerCase(Locale.ROOT) + ", not an object");
      } else {
        tolerations.add(decodeOne(element));
      }
    }
    return tolerations;
  }

  private static Toleration decodeOne(JsonNode object) {
    Map<String, String> text = new HashMap<>();
    boolean hasSeconds = false;
    for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey().toLowerCase(Locale.ROOT);
      JsonNode node = field.getValue();
      if (TEXT_FIELDS.contains(name)) {
        if (node.isTextual()) {
          text.put(name, node.textValue());
        } else if (!node.isNull()) {
          throw new IllegalArgumentException(name + " is a JSON " + node.getNodeType().name()
              .toLowerCase(Locale.ROOT) + ", not a string");
        }
      } else if (name.equals("tolerationseconds")) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          hasSeconds = true;
        } else if (node.isNull()) {
          hasSeconds = false;
        } else {
          throw new IllegalArgumentException("tolerationSeconds " + node + " is not a 64-bit "
              + "integer");
        }
      }
    }
    return new Toleration(text, hasSeconds);
  }
}
