package dev.operated.validation;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles and evaluates a CRD's x-kubernetes-validations with CEL-Java the way the API server
 * does: {@code self} is typed from the schema (so a misspelt field is a compile error, as it is
 * when the CRD is created), and the value is the object after defaulting. The validator runs it
 * in production (layer 1); the build's tests use it to check the rules themselves; the embedded
 * API server's validating admission runs it for every stored CRD's schema, whole objects included
 * (give the version's {@code openAPIV3Schema} and the object). Transition rules (those that read
 * {@code oldSelf}) are not evaluated: the API server skips them on create, and nothing here
 * compares with an old object.
 */
public final class CrdCel {

  /** A rule found in the schema, with the dotted path of the node it sits on ("" = spec). */
  public record LocatedRule(String path, JSONSchemaProps node, ValidationRule rule) {
  }

  /**
   * A rule that evaluated to false on a value: what the API server would refuse.
   *
   * @param path      the node the rule sits on, dotted, relative to the schema given
   * @param fieldPath the rule's own fieldPath (".endpoint"), or null: where the API server points
   * @param schemaType the type of the node the rule sits on ("object", "string"...): the value
   *                   the API server prints for a broken rule
   * @param reason     the rule's {@code reason} (FieldValueForbidden...), or null for Invalid
   */
  public record Violation(String path, String rule, String fieldPath, String message,
      String schemaType, String reason) {

    /** The field the API server names: the node, then the rule's fieldPath under it. */
    public String field() {
      String relative = fieldPath == null ? "" : fieldPath.replaceFirst("^\\.", "");
      if (relative.isEmpty()) {
        return path;
      }
      return path.isEmpty() ? relative : path + "." + relative;
    }
  }

  private CrdCel() {
  }

  public static List<LocatedRule> rules(JSONSchemaProps schema) {
    List<LocatedRule> found = new ArrayList<>();
    collect("", schema, found);
    return found;
  }

  private static void collect(String path, JSONSchemaProps node, List<LocatedRule> found) {
    if (node.getXKubernetesValidations() != null) {
      node.getXKubernetesValidations().forEach(rule -> found.add(new LocatedRule(path, node, rule)));
    }
    if (node.getProperties() != null) {
      node.getProperties().forEach((name, child) ->
          collect(path.isEmpty() ? name : path + "." + name, child, found));
    }
  }

  public static CelAbstractSyntaxTree compile(LocatedRule located, String expression, CelType result)
      throws CelValidationException {
    return compiler(located.node(), result).compile(expression).getAst();
  }

  public static CelValidationResult check(LocatedRule located, String expression, CelType result) {
    return compiler(located.node(), result).compile(expression);
  }

  /** Every rule in the spec schema that a spec breaks, after the schema's defaults. */
  public static List<Violation> violations(JSONSchemaProps specSchema, Map<String, Object> spec) {
    return violationsOfDefaulted(specSchema, SchemaDefaults.apply(specSchema, spec));
  }

  /**
   * Every rule a value that already carries the schema's defaults breaks; paths are relative to
   * {@code schema}, which may be a spec's schema or a whole object's.
   */
  public static List<Violation> violationsOfDefaulted(JSONSchemaProps schema, Object defaulted) {
    List<Violation> violations = new ArrayList<>();
    for (LocatedRule located : rules(schema)) {
      if (located.rule().getRule().contains("oldSelf")) {
        continue;
      }
      Optional<Object> self = at(defaulted, located.path());
      if (self.isEmpty()) {
        continue;
      }
      try {
        Object verdict = program(located, located.rule().getRule(), SimpleType.BOOL)
            .eval(Map.of("self", toCel(self.get())));
        if (!Boolean.TRUE.equals(verdict)) {
          violations.add(new Violation(located.path(), located.rule().getRule(),
              located.rule().getFieldPath(), message(located, self.get()),
              located.node().getType() == null ? "object" : located.node().getType(),
              located.rule().getReason()));
        }
      } catch (CelValidationException | CelEvaluationException e) {
        // The CRD is generated and compiled in the build: a rule that cannot run is our bug.
        throw new IllegalStateException("rule " + located.rule().getRule() + " at "
            + located.path() + " failed to run: " + e.getMessage(), e);
      }
    }
    return violations;
  }

  private static String message(LocatedRule located, Object self)
      throws CelValidationException, CelEvaluationException {
    String expression = located.rule().getMessageExpression();
    if (expression == null) {
      return located.rule().getMessage();
    }
    return (String) program(located, expression, SimpleType.STRING)
        .eval(Map.of("self", toCel(self)));
  }

  /** Compiled programs per schema node (by identity), expression and result type. */
  private static final Map<ProgramKey, dev.cel.runtime.CelRuntime.Program> PROGRAMS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record ProgramKey(JSONSchemaProps node, String expression, CelType result) {
    @Override
    public boolean equals(Object other) {
      return other instanceof ProgramKey key && key.node == node
          && key.expression.equals(expression) && key.result.equals(result);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * System.identityHashCode(node) + expression.hashCode()) + result.hashCode();
    }
  }

  /** Compiling is the costly part and a CRD's rules do not change: each is compiled once. */
  private static dev.cel.runtime.CelRuntime.Program program(LocatedRule located, String expression,
      CelType result) throws CelValidationException, CelEvaluationException {
    ProgramKey key = new ProgramKey(located.node(), expression, result);
    dev.cel.runtime.CelRuntime.Program cached = PROGRAMS.get(key);
    if (cached != null) {
      return cached;
    }
    Cel cel = compiler(located.node(), result);
    dev.cel.runtime.CelRuntime.Program program =
        cel.createProgram(cel.compile(expression).getAst());
    PROGRAMS.put(key, program);
    return program;
  }

  @SuppressWarnings("unchecked")
  private static Optional<Object> at(Object value, String path) {
    Object current = value;
    if (!path.isEmpty()) {
      for (String part : path.split("\\.")) {
        if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
          return Optional.empty();
        }
        current = ((Map<String, Object>) map).get(part);
      }
    }
    return Optional.ofNullable(current);
  }

  private static Cel compiler(JSONSchemaProps self, CelType result) {
    Map<String, CelType> structs = new LinkedHashMap<>();
    CelType selfType = typeOf(self, "self", structs);
    return CelFactory.standardCelBuilder()
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(new SchemaTypes(structs))
        .addVar("self", selfType)
        .setResultType(result)
        .build();
  }

  /** The CEL type the API server gives a schema node. */
  static CelType typeOf(JSONSchemaProps node, String name, Map<String, CelType> structs) {
    if (Boolean.TRUE.equals(node.getXKubernetesIntOrString())
        || Boolean.TRUE.equals(node.getXKubernetesPreserveUnknownFields())
        || node.getType() == null) {
      return SimpleType.DYN;
    }
    switch (node.getType()) {
      case "integer":
        return SimpleType.INT;
      case "number":
        return SimpleType.DOUBLE;
      case "string":
        return SimpleType.STRING;
      case "boolean":
        return SimpleType.BOOL;
      case "array":
        return ListType.create(node.getItems() == null || node.getItems().getSchema() == null
            ? SimpleType.DYN : typeOf(node.getItems().getSchema(), name + "_item", structs));
      case "object":
        if (node.getProperties() != null && !node.getProperties().isEmpty()) {
          Map<String, CelType> fields = new LinkedHashMap<>();
          node.getProperties().forEach((field, child) ->
              fields.put(field, typeOf(child, name + "_" + field, structs)));
          StructType struct = StructType.create(name, ImmutableSet.copyOf(fields.keySet()),
              field -> Optional.ofNullable(fields.get(field)));
          structs.put(name, struct);
          return struct;
        }
        JSONSchemaProps values = node.getAdditionalProperties() == null ? null
            : node.getAdditionalProperties().getSchema();
        return MapType.create(SimpleType.STRING,
            values == null ? SimpleType.DYN : typeOf(values, name + "_value", structs));
      default:
        throw new IllegalStateException("schema node " + name + " has unknown type "
            + node.getType());
    }
  }

  /** JSON numbers arrive as Integer/Float; CEL's int and double are Long and Double. */
  @SuppressWarnings("unchecked")
  static Object toCel(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> converted = new LinkedHashMap<>();
      ((Map<String, Object>) map).forEach((k, v) -> converted.put(k, toCel(v)));
      return converted;
    }
    if (value instanceof List<?> list) {
      List<Object> converted = new ArrayList<>();
      list.forEach(item -> converted.add(toCel(item)));
      return converted;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    return value;
  }

  private record SchemaTypes(Map<String, CelType> structs) implements CelTypeProvider {
    @Override
    public ImmutableList<CelType> types() {
      return ImmutableList.copyOf(structs.values());
    }

    @Override
    public Optional<CelType> findType(String typeName) {
      return Optional.ofNullable(structs.get(typeName));
    }
  }
}
