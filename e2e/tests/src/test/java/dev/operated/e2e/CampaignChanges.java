package dev.operated.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.TerminationBudget;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * OperatedService changes derived from the shipped CRD's schema, Acto's method (SOSP 2023): for
 * every field of {@code spec}, the values its schema allows at its edges and just past them
 * (minimum/maximum, lengths, patterns), each enum value and one unknown, the field unset, list
 * push/pop/duplicate/clear and the item limit, map keys added and removed, invalid keys and label
 * values, canonical and non-canonical quantities. Nothing here names a field of the CRD: a field
 * added to the model gets its changes from the regenerated CRD. The cross-field cases the schema
 * cannot express (the CEL rules' and the operator's own rules) are written by hand and named in
 * {@link #crossField()}.
 */
final class CampaignChanges {

  /** A value no enum of the CRD has. */
  static final String UNKNOWN_ENUM_VALUE = "campaign-unknown";
  /** Resource names the quantity maps are probed with: a known CPU and memory, and one unknown. */
  private static final List<String> RESOURCE_NAMES = List.of("cpu", "memory",
      "campaign.dev/widgets");
  /** Quantities in the forms resource.Quantity parses, canonical or not, and two it does not. */
  private static final List<JsonNode> QUANTITIES = List.of(TextNode.valueOf("100m"),
      TextNode.valueOf("0.1"), TextNode.valueOf("1000m"), IntNode.valueOf(1),
      TextNode.valueOf("1Gi"), TextNode.valueOf("1024Mi"), TextNode.valueOf("1e3"),
      TextNode.valueOf("1.5Gi"), TextNode.valueOf("0"), TextNode.valueOf("-1"),
      TextNode.valueOf("abc"));
  /** Tried in order for a value just past a pattern: the first the pattern refuses is used. */
  private static final List<String> PATTERN_BREAKERS = List.of("has space", "no-leading-slash",
      "ftp://campaign.example", "");
  /** The longest label value is 63 (validation.IsValidLabelValue, LabelValueMaxLength). */
  private static final int LABEL_VALUE_MAX = 63;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * One change of the spec: its name says what and why, {@code field} is the field it aims at
   * (Kubernetes notation), {@code namespace} the namespace facts it sets (null: unchanged).
   */
  record Change(String name, String field, NamespaceFacts namespace,
      BiFunction<ObjectNode, ClusterFacts, Optional<ObjectNode>> edit) {

    /** The changed copy of {@code spec}; empty when it cannot apply (the list is not there). */
    Optional<ObjectNode> applyTo(ObjectNode spec, ClusterFacts facts) {
      return edit.apply(spec.deepCopy(), facts);
    }
  }

  /** A namespace's labels and annotations: what mesh: auto reads. */
  record NamespaceFacts(Map<String, String> labels, Map<String, String> annotations) {
    static final NamespaceFacts NONE = new NamespaceFacts(Map.of(), Map.of());

    NamespaceFacts {
      labels = labels == null ? Map.of() : new TreeMap<>(labels);
      annotations = annotations == null ? Map.of() : new TreeMap<>(annotations);
    }
  }

  private final List<Change> changes = new ArrayList<>();
  private final ObjectNode base;

  private CampaignChanges(ObjectNode base) {
    this.base = base;
  }

  /** The CRD's spec schema, as shipped in {@code crds/}. */
  static JSONSchemaProps specSchema(Path crdFile) {
    try (InputStream in = Files.newInputStream(crdFile)) {
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
          .get("spec");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CRD " + crdFile, e);
    }
  }

  /**
   * Every change the schema yields, walked from {@code base} (the spec the changes start from:
   * list items and map keys it has are popped, duplicated and removed), then the cross-field
   * cases.
   */
  static List<Change> all(JSONSchemaProps spec, ObjectNode base) {
    CampaignChanges generator = new CampaignChanges(base);
    generator.walkObject(spec, new ArrayList<>());
    generator.changes.addAll(crossField());
    return List.copyOf(generator.changes);
  }

  /** The changes derived from the schema alone, without the hand-written ones. */
  static List<Change> fromSchema(JSONSchemaProps spec, ObjectNode base) {
    CampaignChanges generator = new CampaignChanges(base);
    generator.walkObject(spec, new ArrayList<>());
    return List.copyOf(generator.changes);
  }

  private void walkObject(JSONSchemaProps schema, List<Object> path) {
    if (schema.getProperties() == null) {
      return;
    }
    List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
    for (Map.Entry<String, JSONSchemaProps> property : new TreeMap<>(schema.getProperties())
        .entrySet()) {
      List<Object> child = append(path, property.getKey());
      JSONSchemaProps propertySchema = property.getValue();
      String field = field(child);
      if (required.contains(property.getKey())) {
        add(field + " removed (required)", field, remove(child));
      } else {
        add(field + " unset", field, remove(child));
      }
      walk(propertySchema, child);
    }
  }

  private void walk(JSONSchemaProps schema, List<Object> path) {
    String field = field(path);
    if (Boolean.TRUE.equals(schema.getXKubernetesIntOrString())) {
      for (JsonNode quantity : QUANTITIES) {
        add(field + " = " + quantity, field, set(path, quantity));
      }
      return;
    }
    String type = schema.getType() == null ? "" : schema.getType();
    switch (type) {
      case "object" -> {
        if (schema.getAdditionalProperties() != null
            && schema.getAdditionalProperties().getSchema() != null) {
          walkMap(schema.getAdditionalProperties().getSchema(), path);
        } else {
          walkObject(schema, path);
        }
      }
      case "array" -> walkArray(schema, path);
      case "integer" -> walkNumber(schema, path, true);
      case "number" -> walkNumber(schema, path, false);
      case "boolean" -> {
        add(field + " = true", field, set(path, JSON.booleanNode(true)));
        add(field + " = false", field, set(path, JSON.booleanNode(false)));
        add(field + " = \"true\" (a string, not a boolean)", field,
            set(path, TextNode.valueOf("true")));
      }
      case "string" -> walkString(schema, path);
      default -> {
      }
    }
  }

  private void walkNumber(JSONSchemaProps schema, List<Object> path, boolean integer) {
    String field = field(path);
    Double minimum = schema.getMinimum();
    Double maximum = schema.getMaximum();
    // Just past an edge: the next integer, or a thousandth for a number.
    double step = integer ? 1 : 0.001;
    if (minimum != null) {
      add(field + " = minimum " + number(minimum, integer), field,
          set(path, numberNode(minimum, integer)));
      add(field + " = minimum - " + number(step, integer), field,
          set(path, numberNode(minimum - step, integer)));
    }
    if (maximum != null) {
      add(field + " = maximum " + number(maximum, integer), field,
          set(path, numberNode(maximum, integer)));
      add(field + " = maximum + " + number(step, integer), field,
          set(path, numberNode(maximum + step, integer)));
    }
    if (minimum == null && maximum == null) {
      add(field + " = 0", field, set(path, numberNode(0, integer)));
      add(field + " = -1", field, set(path, numberNode(-1, integer)));
    }
    if (integer && (minimum == null || minimum <= 1.5) && (maximum == null || maximum >= 1.5)) {
      add(field + " = 1.5 (not an integer)", field, set(path, DoubleNode.valueOf(1.5)));
    }
    add(field + " = \"1\" (a string, not a number)", field, set(path, TextNode.valueOf("1")));
  }

  private void walkString(JSONSchemaProps schema, List<Object> path) {
    String field = field(path);
    if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
      for (JsonNode value : schema.getEnum()) {
        add(field + " = " + value.asText(), field, set(path, value));
      }
      add(field + " = " + UNKNOWN_ENUM_VALUE + " (not in the enum)", field,
          set(path, TextNode.valueOf(UNKNOWN_ENUM_VALUE)));
      return;
    }
    Pattern pattern = schema.getPattern() == null ? null : Pattern.compile(schema.getPattern());
    String seed = seedValue(path, schema);
    Long maxLength = schema.getMaxLength();
    Long minLength = schema.getMinLength();
    if (maxLength != null) {
      padded(seed, maxLength.intValue(), pattern).ifPresent(value ->
          add(field + " at maxLength " + maxLength, field, set(path, TextNode.valueOf(value))));
      padded(seed, maxLength.intValue() + 1, pattern).ifPresent(value ->
          add(field + " at maxLength + 1", field, set(path, TextNode.valueOf(value))));
    }
    if (minLength != null) {
      shortest(minLength.intValue(), pattern).ifPresent(value ->
          add(field + " at minLength " + minLength, field, set(path, TextNode.valueOf(value))));
      if (minLength > 0) {
        add(field + " at minLength - 1", field, set(path,
            TextNode.valueOf("x".repeat(minLength.intValue() - 1))));
      }
    }
    if (pattern != null) {
      PATTERN_BREAKERS.stream().filter(value -> !pattern.matcher(value).find()).findFirst()
          .ifPresent(value -> add(field + " = \"" + value + "\" (past the pattern)", field,
              set(path, TextNode.valueOf(value))));
      add(field + " = a valid " + seed.length() + "-character value", field,
          set(path, TextNode.valueOf(seed)));
    }
    if (pattern == null && maxLength == null && minLength == null) {
      add(field + " = \"campaign-value\"", field, set(path, TextNode.valueOf("campaign-value")));
      add(field + " = \"\"", field, set(path, TextNode.valueOf("")));
    }
    add(field + " = 1 (a number, not a string)", field, set(path, IntNode.valueOf(1)));
  }

  private void walkArray(JSONSchemaProps schema, List<Object> path) {
    String field = field(path);
    JSONSchemaProps items = schema.getItems() == null ? null : schema.getItems().getSchema();
    if (items == null) {
      return;
    }
    add(field + " push", field, listEdit(path, list -> list.add(sampleItem(items,
        list.size() + 1))));
    add(field + " pop", field, listEdit(path, list -> {
      if (!list.isEmpty()) {
        list.remove(list.size() - 1);
      }
    }));
    add(field + " duplicate the last item", field, listEdit(path, list -> {
      if (!list.isEmpty()) {
        list.add(list.get(list.size() - 1).deepCopy());
      }
    }));
    add(field + " cleared", field, set(path, JSON.arrayNode()));
    if (schema.getMaxItems() != null) {
      int most = schema.getMaxItems().intValue();
      add(field + " at maxItems " + most, field, set(path, sampleList(items, most)));
      add(field + " at maxItems + 1", field, set(path, sampleList(items, most + 1)));
    }
    JsonNode existing = at(base, path);
    if (existing != null && existing.isArray() && !existing.isEmpty()) {
      // The fields of an item, on the first item the base spec has.
      List<Object> first = append(path, 0);
      if ("object".equals(items.getType())) {
        walkObject(items, first);
      } else {
        walk(items, first);
      }
    }
  }

  private void walkMap(JSONSchemaProps values, List<Object> path) {
    String field = field(path);
    JsonNode existing = at(base, path);
    if (existing != null && existing.isObject() && existing.size() > 0) {
      String key = existing.fieldNames().next();
      add(field + "[" + key + "] removed", field + "[" + key + "]", remove(append(path, key)));
    }
    add(field + " emptied", field, set(path, JSON.objectNode()));
    if (Boolean.TRUE.equals(values.getXKubernetesIntOrString())) {
      for (String key : RESOURCE_NAMES) {
        List<Object> keyPath = append(path, key);
        for (JsonNode quantity : QUANTITIES) {
          add(field + "[" + key + "] = " + quantity, field + "[" + key + "]",
              set(keyPath, quantity));
        }
      }
      return;
    }
    String key = "campaign.dev/added";
    List<Object> keyPath = append(path, key);
    String keyField = field + "[" + key + "]";
    add(keyField + " added", keyField, set(keyPath, TextNode.valueOf("yes")));
    add(keyField + " = 63 characters (longest label value)", keyField,
        set(keyPath, TextNode.valueOf("v".repeat(LABEL_VALUE_MAX))));
    add(keyField + " = 64 characters (one past the longest label value)", keyField,
        set(keyPath, TextNode.valueOf("v".repeat(LABEL_VALUE_MAX + 1))));
    add(keyField + " = \"-starts-with-dash\" (not a label value)", keyField,
        set(keyPath, TextNode.valueOf("-starts-with-dash")));
    add(keyField + " = \"has space\" (not a label value)", keyField,
        set(keyPath, TextNode.valueOf("has space")));
    add(keyField + " = \"\" (empty)", keyField, set(keyPath, TextNode.valueOf("")));
    String badKey = "-bad key-";
    add(field + "[" + badKey + "] added (not a qualified name)", field + "[" + badKey + "]",
        set(append(path, badKey), TextNode.valueOf("yes")));
    String longPrefix = "a".repeat(254) + "/name";
    add(field + " key with a 254-character prefix (past a DNS subdomain)", field,
        set(append(path, longPrefix), TextNode.valueOf("yes")));
  }

  /**
   * The cross-field cases, written by hand because the schema cannot say them: each names the
   * rule it probes.
   */
  static List<Change> crossField() {
    List<Change> cases = new ArrayList<>();
    List<Object> mode = List.of("telemetry", "mode");
    List<Object> endpoint = List.of("telemetry", "endpoint");
    for (String telemetryMode : List.of("none", "endpoint", "node", "sidecar")) {
      cases.add(new Change("telemetry mode " + telemetryMode + " with an endpoint",
          "spec.telemetry.endpoint", null, (spec, facts) -> {
            setIn(spec, mode, TextNode.valueOf(telemetryMode));
            setIn(spec, endpoint, TextNode.valueOf("http://otel-collector.observability:4318"));
            return Optional.of(spec);
          }));
      cases.add(new Change("telemetry mode " + telemetryMode + " without an endpoint",
          "spec.telemetry.endpoint", null, (spec, facts) -> {
            setIn(spec, mode, TextNode.valueOf(telemetryMode));
            removeIn(spec, endpoint);
            return Optional.of(spec);
          }));
    }
    // The grace period: CEL's bound (drain + timeout) and the operator's (with the collector's
    // flush and the proxy's tail), each at the bound and one below.
    List<Object> grace = List.of("shutdown", "terminationGracePeriodSeconds");
    String graceField = "spec.shutdown.terminationGracePeriodSeconds";
    for (int offset : new int[] {-1, 0}) {
      String at = offset == 0 ? "at" : "one below";
      cases.add(new Change("grace period " + at + " drain + timeout (the CEL rule)", graceField,
          null, (spec, facts) -> {
            OperatedServiceSpec decoded = decode(spec);
            if (decoded == null) {
              return Optional.empty();
            }
            setIn(spec, grace, LongNode.valueOf(Math.max(1, decoded.shutdown().drainSeconds()
                + decoded.shutdown().timeoutSeconds() + offset)));
            return Optional.of(spec);
          }));
      cases.add(new Change("grace period " + at + " the required budget (drain + timeout + "
          + "collector flush + proxy tail)", graceField, null, (spec, facts) -> {
            OperatedServiceSpec decoded = decode(spec);
            if (decoded == null) {
              return Optional.empty();
            }
            removeIn(spec, grace);
            long required = TerminationBudget.of(decode(spec), facts).requiredSeconds();
            setIn(spec, grace, LongNode.valueOf(Math.max(1, required + offset)));
            return Optional.of(spec);
          }));
    }
    // mesh x the namespace's injection labels and annotations.
    Map<String, NamespaceFacts> namespaces = new LinkedHashMap<>();
    namespaces.put("no injection", NamespaceFacts.NONE);
    namespaces.put("istio-injection=enabled", new NamespaceFacts(
        Map.of("istio-injection", "enabled"), Map.of()));
    namespaces.put("istio.io/rev=canary", new NamespaceFacts(
        Map.of("istio.io/rev", "canary"), Map.of()));
    namespaces.put("istio-injection=disabled", new NamespaceFacts(
        Map.of("istio-injection", "disabled"), Map.of()));
    namespaces.put("linkerd.io/inject=enabled", new NamespaceFacts(
        Map.of(), Map.of("linkerd.io/inject", "enabled")));
    for (String meshMode : List.of("auto", "istio", "linkerd", "none")) {
      namespaces.forEach((label, namespace) -> cases.add(new Change("mesh " + meshMode
          + " in a namespace with " + label, "spec.mesh", namespace, (spec, facts) -> {
            spec.put("mesh", meshMode);
            return Optional.of(spec);
          })));
    }
    // replicas unset (an HPA scales), 0, 1 (no disruption budget) and 2 (one).
    cases.add(new Change("replicas unset", "spec.replicas", null, (spec, facts) -> {
      spec.remove("replicas");
      return Optional.of(spec);
    }));
    for (int replicas : new int[] {0, 1, 2}) {
      cases.add(new Change("replicas " + replicas, "spec.replicas", null, (spec, facts) -> {
        spec.put("replicas", replicas);
        return Optional.of(spec);
      }));
    }
    // The app's port on a port the collector sidecar or the mesh proxy takes.
    cases.add(new Change("port 4318 (the collector's OTLP HTTP) in sidecar mode", "spec.port",
        null, (spec, facts) -> {
          setIn(spec, mode, TextNode.valueOf("sidecar"));
          spec.put("port", 4318);
          return Optional.of(spec);
        }));
    cases.add(new Change("port 15020 (Istio's merged metrics) with mesh istio", "spec.port",
        null, (spec, facts) -> {
          spec.put("mesh", "istio");
          spec.put("port", 15020);
          return Optional.of(spec);
        }));
    // The selector labels are the operator's: a pod label may not override them.
    cases.add(new Change("podLabels overriding the selector label app.kubernetes.io/name",
        "spec.podLabels[app.kubernetes.io/name]", null, (spec, facts) -> {
          setIn(spec, List.of("podLabels", "app.kubernetes.io/name"), TextNode.valueOf("other"));
          return Optional.of(spec);
        }));
    // The same path for liveness and readiness (the health object's CEL rule).
    cases.add(new Change("livenessPath equal to readinessPath", "spec.health.readinessPath",
        null, (spec, facts) -> {
          setIn(spec, List.of("health", "livenessPath"), TextNode.valueOf("/healthz"));
          setIn(spec, List.of("health", "readinessPath"), TextNode.valueOf("/healthz"));
          return Optional.of(spec);
        }));
    return cases;
  }

  private static OperatedServiceSpec decode(ObjectNode spec) {
    try {
      return Serialization.jsonMapper().treeToValue(spec, OperatedServiceSpec.class);
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private void add(String name, String field,
      BiFunction<ObjectNode, ClusterFacts, Optional<ObjectNode>> edit) {
    changes.add(new Change(name, field, null, edit));
  }

  /** The value the base spec has there, else its default, else a short one the pattern takes. */
  private String seedValue(List<Object> path, JSONSchemaProps schema) {
    JsonNode existing = at(base, path);
    if (existing != null && existing.isTextual() && !existing.asText().isEmpty()) {
      return existing.asText();
    }
    if (schema.getDefault() != null && schema.getDefault().isTextual()) {
      return schema.getDefault().asText();
    }
    Pattern pattern = schema.getPattern() == null ? null : Pattern.compile(schema.getPattern());
    return shortest(Math.max(1, schema.getMinLength() == null ? 1
        : schema.getMinLength().intValue()), pattern).orElse("x");
  }

  /** {@code seed} made exactly {@code length} long by appending a filler the pattern takes. */
  private static Optional<String> padded(String seed, int length, Pattern pattern) {
    for (String filler : List.of("a", "0", "/")) {
      String value = seed.length() >= length ? seed.substring(0, length)
          : seed + filler.repeat(length - seed.length());
      if (pattern == null || pattern.matcher(value).find()) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> shortest(int length, Pattern pattern) {
    for (String filler : List.of("a", "/", "0")) {
      String value = filler.repeat(length);
      if (pattern == null || pattern.matcher(value).find()) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /** An item a list of this schema takes: each plain string property set, distinct per index. */
  private static JsonNode sampleItem(JSONSchemaProps items, int index) {
    if (!"object".equals(items.getType()) || items.getProperties() == null) {
      return "integer".equals(items.getType()) ? IntNode.valueOf(index)
          : TextNode.valueOf("campaign-" + index);
    }
    ObjectNode item = JSON.objectNode();
    new TreeMap<>(items.getProperties()).forEach((name, property) -> {
      if ("string".equals(property.getType()) && property.getEnum() == null) {
        item.put(name, "campaign-" + index);
      }
    });
    return item;
  }

  private static ArrayNode sampleList(JSONSchemaProps items, int size) {
    ArrayNode list = JSON.arrayNode();
    for (int index = 1; index <= size; index++) {
      list.add(sampleItem(items, index));
    }
    return list;
  }

  private static BiFunction<ObjectNode, ClusterFacts, Optional<ObjectNode>> set(
      List<Object> path, JsonNode value) {
    return (spec, facts) -> setIn(spec, path, value.deepCopy()) ? Optional.of(spec)
        : Optional.empty();
  }

  private static BiFunction<ObjectNode, ClusterFacts, Optional<ObjectNode>> remove(
      List<Object> path) {
    return (spec, facts) -> removeIn(spec, path) ? Optional.of(spec) : Optional.empty();
  }

  private static BiFunction<ObjectNode, ClusterFacts, Optional<ObjectNode>> listEdit(
      List<Object> path, java.util.function.Consumer<List<JsonNode>> edit) {
    return (spec, facts) -> {
      JsonNode existing = at(spec, path);
      List<JsonNode> items = new ArrayList<>();
      if (existing != null && existing.isArray()) {
        existing.forEach(items::add);
      }
      edit.accept(items);
      ArrayNode list = JSON.arrayNode();
      items.forEach(list::add);
      return setIn(spec, path, list) ? Optional.of(spec) : Optional.empty();
    };
  }

  /** Sets a value, creating the objects on the way; false when a list index is not there. */
  static boolean setIn(ObjectNode root, List<Object> path, JsonNode value) {
    JsonNode current = root;
    for (int index = 0; index < path.size() - 1; index++) {
      Object segment = path.get(index);
      if (segment instanceof Integer position) {
        if (!current.isArray() || current.size() <= position) {
          return false;
        }
        current = current.get(position);
      } else {
        ObjectNode object = (ObjectNode) current;
        JsonNode next = object.get((String) segment);
        boolean nextIsIndex = path.get(index + 1) instanceof Integer;
        if (next == null || next.isNull() || (!nextIsIndex && !next.isObject())) {
          if (nextIsIndex) {
            return false;
          }
          next = object.putObject((String) segment);
        }
        current = next;
      }
      if (!current.isContainerNode()) {
        return false;
      }
    }
    Object last = path.get(path.size() - 1);
    if (last instanceof Integer position) {
      if (!current.isArray() || current.size() <= position) {
        return false;
      }
      ((ArrayNode) current).set(position, value);
    } else {
      if (!current.isObject()) {
        return false;
      }
      ((ObjectNode) current).set((String) last, value);
    }
    return true;
  }

  /** Removes a value; false when it is not there (the change would change nothing). */
  static boolean removeIn(ObjectNode root, List<Object> path) {
    JsonNode parent = at(root, path.subList(0, path.size() - 1));
    Object last = path.get(path.size() - 1);
    if (last instanceof Integer position) {
      if (parent == null || !parent.isArray() || parent.size() <= position) {
        return false;
      }
      ((ArrayNode) parent).remove(position);
      return true;
    }
    if (parent == null || !parent.isObject() || !parent.has((String) last)) {
      return false;
    }
    ((ObjectNode) parent).remove((String) last);
    return true;
  }

  static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode current = root;
    for (Object segment : path) {
      if (current == null) {
        return null;
      }
      current = segment instanceof Integer position ? current.get(position)
          : current.get((String) segment);
    }
    return current;
  }

  /** A path in Kubernetes' notation: {@code spec.env[0].name}, {@code spec.podLabels[team]}. */
  static String field(List<Object> path) {
    StringBuilder text = new StringBuilder("spec");
    for (Object segment : path) {
      if (segment instanceof Integer position) {
        text.append('[').append(position).append(']');
      } else {
        text.append('.').append(segment);
      }
    }
    return text.toString();
  }

  private static List<Object> append(List<Object> path, Object segment) {
    List<Object> longer = new ArrayList<>(path);
    longer.add(segment);
    return longer;
  }

  private static JsonNode numberNode(double value, boolean integer) {
    return integer ? LongNode.valueOf((long) value) : DoubleNode.valueOf(value);
  }

  private static String number(double value, boolean integer) {
    return integer ? Long.toString((long) value) : Double.toString(value);
  }

  /** For tests: the leaf paths of a schema, to prove every field gets a change. */
  static List<String> leafFields(JSONSchemaProps schema) {
    List<String> leaves = new ArrayList<>();
    collectLeaves(schema, new ArrayList<>(), leaves);
    return leaves;
  }

  private static void collectLeaves(JSONSchemaProps schema, List<Object> path,
      List<String> leaves) {
    if ("array".equals(schema.getType()) && schema.getItems() != null
        && schema.getItems().getSchema() != null
        && schema.getItems().getSchema().getProperties() != null) {
      collectLeaves(schema.getItems().getSchema(), append(path, 0), leaves);
    } else if ("object".equals(schema.getType()) && schema.getProperties() != null
        && !schema.getProperties().isEmpty()) {
      Iterator<Map.Entry<String, JSONSchemaProps>> properties =
          new TreeMap<>(schema.getProperties()).entrySet().iterator();
      while (properties.hasNext()) {
        Map.Entry<String, JSONSchemaProps> property = properties.next();
        collectLeaves(property.getValue(), append(path, property.getKey()), leaves);
      }
    } else if (!path.isEmpty()) {
      leaves.add(field(path));
    }
  }
}
