package dev.operated.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.api.ApiPatterns;
import dev.operated.api.SpecProblem;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Layer 1: a CRD's structural schema, as the API server applies it at {@code kubectl apply}
 * (types, enums, ranges, lengths, patterns, required fields, unknown fields refused as
 * {@code kubectl}'s strict field validation does). For OperatedServices it reads the CRD the build
 * generated from the model, so it can never disagree with the CRD that is shipped; any other
 * CRD's schema can be given ({@link #check(JSONSchemaProps, String, ObjectNode)}), which is how
 * the embedded API server's validating admission runs this very code for every stored CRD.
 *
 * <p>Each refusal is reported twice over, from one decision: as a {@link SpecProblem} that says
 * what to do (render, the operator's status), and as a {@link FieldError} in the terms of
 * k8s.io/apimachinery's {@code field.Error} with kube-openapi's detail text
 * (apiextensions-apiserver's {@code validation.kubeOpenAPIResultToFieldErrors}), which an API
 * server puts in its 422.
 *
 * <p>Checking also sanitises: a value the schema refuses is left out of the copy it returns, so
 * the later layers can still decode and check the rest; every problem is reported at once.
 */
public final class CrdSchema {

  /** Where the crd-generator plugin writes the CRD into the classes (and so the jar). */
  public static final String RESOURCE = "META-INF/fabric8/operatedservices.operated.dev-v1.yml";

  /** Top-level fields every object has; the API server validates them, not the CRD schema. */
  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata",
      "status");

  /** What a pattern means to a person: the schema's regexes are not a fix a user can apply. */
  static final Map<String, String> PATTERN_MEANINGS = Map.of(
      ApiPatterns.HTTP_PATH, "an HTTP path: start with '/', no spaces or query",
      ApiPatterns.PROBE_PATH, "an HTTP path: start with '/', no spaces; a query may follow '?'",
      ApiPatterns.OTLP_ENDPOINT, "a URL with http:// or https://, a host, an optional port and "
          + "path (e.g. http://otel-collector.observability:4318)",
      ApiPatterns.NO_WHITESPACE, "a value without spaces");

  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
  private static volatile JSONSchemaProps root;

  private CrdSchema() {
  }

  /** The openAPIV3Schema of the CRD this build generated (served version). */
  public static JSONSchemaProps rootSchema() {
    JSONSchemaProps loaded = root;
    if (loaded == null) {
      try (InputStream in = CrdSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(RESOURCE + " is not on the class path: the "
              + "crd-generator plugin writes it at process-classes");
        }
        CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        loaded = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        root = loaded;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return loaded;
  }

  public static JSONSchemaProps specSchema() {
    return rootSchema().getProperties().get("spec");
  }

  /**
   * The problems the schema finds in an object, the object without the refused values, and the
   * same problems as an API server reports them; {@code listErrors} are those of them the keyed
   * lists' own pass found (ValidateListSetsAndMaps), which an update ratchets apart.
   */
  public record Checked(List<SpecProblem> problems, ObjectNode sanitised, List<FieldError> errors,
      List<FieldError> listErrors) {
  }

  /** What kind of refusal, as k8s.io/apimachinery/pkg/util/validation/field names its types. */
  public enum ErrorType {
    REQUIRED, INVALID, TYPE_INVALID, NOT_SUPPORTED, TOO_LONG, TOO_MANY, UNKNOWN_FIELD,
    /** A repeated key of a {@code map} list or item of a {@code set} list; the value is the key. */
    DUPLICATE
  }

  /**
   * One refusal in an API server's terms.
   *
   * @param field  the path as field.Path prints it ({@code spec.ports[0].name})
   * @param value  the refused value (null for a required or unknown field)
   * @param detail kube-openapi's text, e.g. {@code spec.replicas in body should be greater than
   *               or equal to 0}; for NOT_SUPPORTED the allowed values, quoted and joined; for
   *               TOO_LONG and TOO_MANY the limit
   * @param hint   what the user should do, as {@link SpecProblem} says it
   */
  public record FieldError(String field, ErrorType type, JsonNode value, String detail,
      String hint) {
  }

  /** Checks a whole OperatedService object (apiVersion, kind, metadata, spec...). */
  public static Checked check(ObjectNode object) {
    return check(rootSchema(), "OperatedService", object);
  }

  /**
   * Checks a whole custom resource against its CRD version's {@code openAPIV3Schema}; the
   * top-level fields every object has (apiVersion, kind, metadata, status) are left to the
   * caller, as the API server validates them apart from the schema.
   */
  public static Checked check(JSONSchemaProps schema, String kind, ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    Walk walk = new Walk(errors, new ArrayList<>());
    ObjectNode sanitised = object.deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String name = field.getKey();
      if (OBJECT_FIELDS.contains(name)) {
        continue;
      }
      JSONSchemaProps property = schema.getProperties() == null ? null
          : schema.getProperties().get(name);
      if (property == null) {
        if (!Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields())) {
          errors.add(new FieldError(name, ErrorType.UNKNOWN_FIELD, null, "unknown field \""
              + name + "\"", "is not a field of " + kind + ": remove it "
              + "(kubectl apply refuses unknown fields)"));
          sanitised.remove(name);
        }
        continue;
      }
      JsonNode checked = walk.value(name, property, field.getValue());
      if (checked == null) {
        sanitised.remove(name);
      } else {
        sanitised.set(name, checked);
      }
    }
    errors.addAll(walk.repeats());
    List<SpecProblem> problems = errors.stream()
        .map(error -> new SpecProblem(error.field(), error.hint())).toList();
    return new Checked(problems, sanitised, List.copyOf(errors), List.copyOf(walk.repeats()));
  }

  /**
   * Checks one value against its schema node: {@code path} is where the value sits
   * ({@code status}, {@code spec.ports}), which every problem's field starts with.
   */
  public static Checked checkValue(String path, JSONSchemaProps schema, JsonNode value) {
    List<FieldError> errors = new ArrayList<>();
    Walk walk = new Walk(errors, new ArrayList<>());
    JsonNode checked = walk.value(path, schema, value);
    errors.addAll(walk.repeats());
    ObjectNode sanitised = JsonNodeFactory.instance.objectNode();
    if (checked != null) {
      sanitised.set(path, checked);
    }
    List<SpecProblem> problems = errors.stream()
        .map(error -> new SpecProblem(error.field(), error.hint())).toList();
    return new Checked(problems, sanitised, List.copyOf(errors), List.copyOf(walk.repeats()));
  }

  /**
   * One pass over a value; returns it without refused parts, or null when it is refused. The
   * repeats of keyed lists are kept apart and reported after every other refusal, as
   * customResourceStrategy.Validate runs ValidateListSetsAndMaps after the schema's validator.
   */
  private record Walk(List<FieldError> errors, List<FieldError> repeats) {

    JsonNode value(String path, JSONSchemaProps schema, JsonNode value) {
      if (value == null || value.isNull()) {
        // A null for a field that is not nullable is pruned by the API server, not refused.
        return null;
      }
      if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
        if (value.isIntegralNumber() || value.isTextual()) {
          return value;
        }
        if (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0) {
          // 1.0 is an integer to kube-openapi's type check (isFloatInt, validate/type.go), and
          // the API server stores it as 1: kept as the integer it is
          return JsonNodeFactory.instance.numberNode(value.decimalValue().toBigIntegerExact());
        }
        return refuse(path, ErrorType.TYPE_INVALID, value, path + " in body must be of type "
            + "integer,string: " + quotedType(value), "must be an integer or a string (e.g. "
            + "500m or 1Gi), not " + describe(value)
            + (value.isNumber() ? ": quote it ('" + value.asText() + "')" : ""));
      }
      String type = schema.getType();
      if (type == null) {
        return value;
      }
      return switch (type) {
        case "object" -> object(path, schema, value);
        case "array" -> array(path, schema, value);
        case "string" -> string(path, schema, value);
        case "integer" -> number(path, schema, value, true);
        case "number" -> number(path, schema, value, false);
        case "boolean" -> value.isBoolean() ? value
            : refuse(path, ErrorType.TYPE_INVALID, value, typeDetail(path, "boolean", value),
                "must be true or false, not " + describe(value)
                + (value.isTextual() ? ": write it without quotes" : ""));
        default -> value;
      };
    }

    private JsonNode object(String path, JSONSchemaProps schema, JsonNode value) {
      if (!value.isObject()) {
        return refuse(path, ErrorType.TYPE_INVALID, value, typeDetail(path, "object", value),
            "must be an object (a mapping of fields), not " + describe(value));
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      Map<String, JSONSchemaProps> properties = schema.getProperties();
      JSONSchemaProps additional = schema.getAdditionalProperties() == null ? null
          : schema.getAdditionalProperties().getSchema();
      Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String name = field.getKey();
        JSONSchemaProps property = properties == null ? null : properties.get(name);
        String childPath;
        if (property != null) {
          childPath = path + "." + name;
        } else if (additional != null) {
          property = additional;
          childPath = path + "[" + name + "]";
        } else if (Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields())) {
          copy.set(name, field.getValue());
          continue;
        } else {
          errors.add(new FieldError(path + "." + name, ErrorType.UNKNOWN_FIELD, null,
              "unknown field \"" + path + "." + name + "\"", "is not a field of " + path
              + (properties == null || properties.isEmpty() ? ""
                  : " (it has " + String.join(", ", properties.keySet()) + ")")
              + ": remove it or correct its spelling (kubectl apply refuses unknown fields)"));
          continue;
        }
        JsonNode checked = value(childPath, property, field.getValue());
        if (checked != null) {
          copy.set(name, checked);
        }
      }
      if (schema.getRequired() != null) {
        for (String required : schema.getRequired()) {
          if (!value.has(required) || value.get(required).isNull()) {
            errors.add(new FieldError(path + "." + required, ErrorType.REQUIRED, null, "",
                "is required"));
          }
        }
      }
      if (schema.getMaxProperties() != null && copy.size() > schema.getMaxProperties()) {
        return refuse(path, ErrorType.TOO_MANY, JsonNodeFactory.instance.numberNode(copy.size()),
            String.valueOf(schema.getMaxProperties()), "has " + copy.size() + " entries, more "
            + "than the " + schema.getMaxProperties() + " allowed");
      }
      return copy;
    }

    private JsonNode array(String path, JSONSchemaProps schema, JsonNode value) {
      if (!value.isArray()) {
        return refuse(path, ErrorType.TYPE_INVALID, value, typeDetail(path, "array", value),
            "must be a list, not " + describe(value));
      }
      // a pass of its own upstream: a list's repeats whatever else is wrong with it, and before
      // those of the lists inside its items
      repeats(path, schema, value);
      if (schema.getMaxItems() != null && value.size() > schema.getMaxItems()) {
        return refuse(path, ErrorType.TOO_MANY, JsonNodeFactory.instance.numberNode(value.size()),
            String.valueOf(schema.getMaxItems()), "has " + value.size() + " items, more than the "
            + schema.getMaxItems() + " allowed: remove some");
      }
      if (schema.getMinItems() != null && value.size() < schema.getMinItems()) {
        return refuse(path, ErrorType.INVALID, value, path + " in body should have at least "
            + schema.getMinItems() + " items", "needs at least " + schema.getMinItems()
            + " items");
      }
      JSONSchemaProps items = schema.getItems() == null ? null : schema.getItems().getSchema();
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < value.size(); i++) {
        JsonNode checked = items == null ? value.get(i)
            : value(path + "[" + i + "]", items, value.get(i));
        // A refused item is kept out of the copy as an empty object, so indexes stay the same
        // for the later layers' field paths.
        copy.add(checked == null ? JsonNodeFactory.instance.objectNode() : checked);
      }
      return copy;
    }

    /**
     * apiextensions-apiserver's validateListSetsAndMapsArray: in a {@code map} list each key (the
     * map keys' values together; an entry without them, or a null entry, has the unspecified key)
     * may appear once, in a {@code set} list each item; a repeat is reported once, at its first
     * repetition. A map list with an entry that is not an object is one Invalid, and no repeats.
     */
    private void repeats(String path, JSONSchemaProps schema, JsonNode value) {
      String listType = schema.getXKubernetesListType();
      boolean map = "map".equals(listType) && schema.getXKubernetesListMapKeys() != null;
      if (!map && !"set".equals(listType)) {
        return;
      }
      if (map) {
        for (int i = 0; i < value.size(); i++) {
          JsonNode item = value.get(i);
          if (!item.isNull() && !item.isObject()) {
            repeats.add(new FieldError(path + "[" + i + "]", ErrorType.INVALID, item,
                "must be an object for an array of list-type map", "must be an object with "
                + String.join(" and ", schema.getXKubernetesListMapKeys())));
            return;
          }
        }
      }
      Map<String, Integer> firstAt = new HashMap<>();
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        JsonNode key = map ? key(schema.getXKubernetesListMapKeys(), item) : item;
        String identity = canonical(key);
        int times = seen.merge(identity, 1, Integer::sum);
        firstAt.putIfAbsent(identity, i);
        if (times == 2) {
          int first = firstAt.get(identity);
          repeats.add(new FieldError(path + "[" + i + "]", ErrorType.DUPLICATE, key, "",
              (map ? "has the same " + describeKey(key) + " as " + path + "[" + first + "]"
                  : "repeats " + path + "[" + first + "]")
              + ": each may appear once in " + path + "; remove or rename one of them"));
        }
      }
    }

    /** A null key field is pruned before upstream compares, so it counts as missing. */
    private static ObjectNode key(List<String> keyFields, JsonNode item) {
      ObjectNode key = JsonNodeFactory.instance.objectNode();
      if (item != null && item.isObject()) {
        keyFields.stream().filter(item::hasNonNull)
            .forEach(field -> key.set(field, item.get(field)));
      }
      return key;
    }

    /**
     * The value as Go compares it: compounds by their json.Marshal (object keys sorted), numbers
     * by amount (a decoded 80 and 80.0 are equal).
     */
    private static String canonical(JsonNode value) {
      if (value.isObject()) {
        List<String> names = new ArrayList<>();
        value.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names.stream().map(name -> JsonNodeFactory.instance.textNode(name) + ":"
            + canonical(value.get(name))).collect(Collectors.joining(",", "{", "}"));
      }
      if (value.isArray()) {
        List<String> items = new ArrayList<>();
        value.forEach(item -> items.add(canonical(item)));
        return "[" + String.join(",", items) + "]";
      }
      if (value.isNumber()) {
        return value.decimalValue().stripTrailingZeros().toPlainString();
      }
      return value.toString();
    }

    private static String describeKey(JsonNode key) {
      if (key.isEmpty()) {
        return "missing key";
      }
      List<String> parts = new ArrayList<>();
      key.fields().forEachRemaining(field -> parts.add(field.getKey() + " "
          + (field.getValue().isTextual() ? "'" + field.getValue().textValue() + "'"
              : field.getValue().toString())));
      return String.join(" and ", parts);
    }

    private JsonNode string(String path, JSONSchemaProps schema, JsonNode value) {
      if (!value.isTextual()) {
        return refuse(path, ErrorType.TYPE_INVALID, value, typeDetail(path, "string", value),
            "must be a string, not " + describe(value)
            + (value.isNumber() || value.isBoolean() ? ": quote it ('" + value.asText() + "')"
                : ""));
      }
      String text = value.textValue();
      int length = text.codePointCount(0, text.length());
      if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
        List<String> allowed = schema.getEnum().stream().map(JsonNode::asText).toList();
        if (!allowed.contains(text)) {
          return refuse(path, ErrorType.NOT_SUPPORTED, value, allowed.stream()
              .map(CrdSchema::quoted).collect(Collectors.joining(", ")), "'" + text
              + "' is not one of " + String.join(", ", allowed)
              + ": use one of them (the names are case-sensitive)");
        }
      }
      if (schema.getMinLength() != null && length < schema.getMinLength()) {
        return refuse(path, ErrorType.INVALID, value, path + " in body should be at least "
            + schema.getMinLength() + " chars long", schema.getMinLength() == 1
            ? "must not be empty" : "is shorter than " + schema.getMinLength() + " characters");
      }
      if (schema.getMaxLength() != null && length > schema.getMaxLength()) {
        return refuse(path, ErrorType.TOO_LONG, value, String.valueOf(schema.getMaxLength()),
            "is " + length + " characters long, more than the " + schema.getMaxLength()
            + " allowed: shorten it");
      }
      if (schema.getPattern() != null) {
        Pattern pattern = PATTERNS.computeIfAbsent(schema.getPattern(), GoRegexp::compile);
        if (!pattern.matcher(text).find()) {
          String meaning = PATTERN_MEANINGS.get(schema.getPattern());
          return refuse(path, ErrorType.INVALID, value, path + " in body should match '"
              + schema.getPattern() + "'", "'" + text + "' is not " + (meaning != null ? meaning
              : "of the form " + schema.getPattern()));
        }
      }
      return value;
    }

    private JsonNode number(String path, JSONSchemaProps schema, JsonNode value,
        boolean integer) {
      if (!value.isNumber()) {
        return refuse(path, ErrorType.TYPE_INVALID, value,
            typeDetail(path, integer ? "integer" : "number", value),
            "must be " + (integer ? "an integer" : "a number") + ", not "
            + describe(value) + (value.isTextual() && value.asText().matches("-?[0-9.]+")
                ? ": write it without quotes" : ""));
      }
      BigDecimal number = value.decimalValue();
      if (integer && !value.isIntegralNumber()
          && number.stripTrailingZeros().scale() > 0) {
        return refuse(path, ErrorType.TYPE_INVALID, value, typeDetail(path, "integer", value),
            "must be a whole number, not " + number.toPlainString());
      }
      BigDecimal minimum = schema.getMinimum() == null ? null
          : BigDecimal.valueOf(schema.getMinimum());
      BigDecimal maximum = schema.getMaximum() == null ? null
          : BigDecimal.valueOf(schema.getMaximum());
      boolean below = minimum != null && number.compareTo(minimum) < 0;
      boolean above = maximum != null && number.compareTo(maximum) > 0;
      if (below || above) {
        return refuse(path, ErrorType.INVALID, value, path + " in body should be "
            + (below ? "greater than or equal to " + plain(minimum)
                : "less than or equal to " + plain(maximum)),
            number.toPlainString() + " is " + (below ? "below the minimum "
            + plain(minimum) : "above the maximum " + plain(maximum)) + ": use a value "
            + range(minimum, maximum));
      }
      return value;
    }

    private static String range(BigDecimal minimum, BigDecimal maximum) {
      if (minimum != null && maximum != null) {
        return "from " + plain(minimum) + " to " + plain(maximum);
      }
      return minimum != null ? "of at least " + plain(minimum) : "of at most " + plain(maximum);
    }

    private static String plain(BigDecimal number) {
      return number.stripTrailingZeros().toPlainString();
    }

    private JsonNode refuse(String path, ErrorType type, JsonNode value, String detail,
        String hint) {
      errors.add(new FieldError(path, type, value, detail, hint));
      return null;
    }

    /** kube-openapi's errors.InvalidType: {@code <path> in body must be of type <t>: "<got>"}. */
    private static String typeDetail(String path, String expected, JsonNode value) {
      return path + " in body must be of type " + expected + ": " + quotedType(value);
    }
  }

  /** The JSON type of a value as kube-openapi names it, quoted. */
  private static String quotedType(JsonNode value) {
    String type = value.isTextual() ? "string" : value.isIntegralNumber() ? "integer"
        : value.isNumber() ? "number" : value.isBoolean() ? "boolean"
        : value.isArray() ? "array" : value.isObject() ? "object" : "null";
    return "\"" + type + "\"";
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "the string '" + value.textValue() + "'";
    }
    if (value.isObject()) {
      return "an object with " + value.size() + " field(s) ("
          + iterable(value.fieldNames()).stream().collect(Collectors.joining(", ")) + ")";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isBoolean()) {
      return "the boolean " + value.asText();
    }
    return "the number " + value.asText();
  }

  private static List<String> iterable(Iterator<String> names) {
    List<String> list = new ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
