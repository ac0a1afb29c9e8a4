package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One invalid field, as k8s.io/apimachinery/pkg/util/validation/field's {@code Error}: a path,
 * a type, the bad value and a detail, printed as {@code Error()} prints them:
 * {@code spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal
 * to 0}.
 */
record FieldError(String field, Type type, JsonNode value, String detail) {

  /** field.ErrorType: what {@code String()} prints and the cause's reason. */
  enum Type {
    REQUIRED("Required value", "FieldValueRequired", false),
    INVALID("Invalid value", "FieldValueInvalid", true),
    TYPE_INVALID("Invalid value", "FieldValueTypeInvalid", true),
    NOT_SUPPORTED("Unsupported value", "FieldValueNotSupported", true),
    FORBIDDEN("Forbidden", "FieldValueForbidden", false),
    DUPLICATE("Duplicate value", "FieldValueDuplicate", true),
    TOO_LONG("Too long", "FieldValueTooLong", false),
    TOO_MANY("Too many", "FieldValueTooMany", true);

    private final String text;
    private final String reason;
    private final boolean showsValue;

    Type(String text, String reason, boolean showsValue) {
      this.text = text;
      this.reason = reason;
      this.showsValue = showsValue;
    }

    String reason() {
      return reason;
    }

    static Type ofReason(String reason) {
      for (Type type : values()) {
        if (type.reason.equals(reason)) {
          return type;
        }
      }
      return INVALID;
    }
  }

  /** field.Error's {@code ErrorBody()}: the cause's message. */
  String body() {
    StringBuilder body = new StringBuilder(type.text);
    if (type.showsValue && value != null) {
      body.append(": ").append(printed(value));
    }
    if (detail != null && !detail.isEmpty()) {
      body.append(": ").append(detail);
    }
    return body.toString();
  }

  @Override
  public String toString() {
    return field + ": " + body();
  }

  /**
   * A Go {@code []string} as the value of an error: field.Error prints it with {@code %#v}
   * ({@code []string{"10.0.0.1"}}), which no JSON value prints as.
   */
  static JsonNode goStrings(List<String> values) {
    return new POJONode(new GoLiteral(values.stream()
        .map(value -> "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(", ", "[]string{", "}"))));
  }

  /**
   * A list-map key as field.Duplicate's value: ValidateListSetsAndMaps passes a
   * {@code map[string]interface{}}, printed with {@code %#v}
   * ({@code map[string]interface {}{"name":"A"}}); a set's repeated scalar prints as itself.
   */
  static JsonNode goMap(JsonNode key) {
    if (!key.isObject()) {
      return key;
    }
    // %#v prints a map's keys sorted
    Map<String, JsonNode> sorted = new TreeMap<>();
    key.fields().forEachRemaining(field -> sorted.put(field.getKey(), field.getValue()));
    return new POJONode(new GoLiteral(sorted.entrySet().stream()
        .map(field -> "\"" + field.getKey() + "\":" + field.getValue())
        .collect(Collectors.joining(", ", "map[string]interface {}{", "}"))));
  }

  private record GoLiteral(String printed) {
  }

  /**
   * Go's %v of the value as field.Error prints it: strings quoted, numbers and booleans bare, and
   * no value at all (a nil BadValue, a JSON null) as the string "null", so quoted too.
   */
  private static String printed(JsonNode value) {
    if (value instanceof POJONode pojo && pojo.getPojo() instanceof GoLiteral literal) {
      return literal.printed();
    }
    if (value.isNull()) {
      return "\"null\"";
    }
    if (value.isTextual()) {
      return "\"" + value.textValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    return FieldPaths.write(value);
  }
}
