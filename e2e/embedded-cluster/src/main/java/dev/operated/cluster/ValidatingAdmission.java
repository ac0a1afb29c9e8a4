package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.operated.validation.CrdCel;
import dev.operated.validation.CrdSchema;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Validating admission of custom resources: every stored CRD's {@code openAPIV3Schema} and
 * {@code x-kubernetes-validations} (CEL), evaluated by the operator's own {@link CrdSchema} and
 * {@link CrdCel}, so this API server, {@code operated render} and the operator cannot disagree on
 * what the CRD allows. Only those two layers belong here: the operator's own rules and its version
 * gates are reported in an OperatedService's status, never refused by a real API server.
 *
 * <p>A refusal is the 422 of apimachinery's {@code errors.NewInvalid}, one cause per field, with
 * the words of apiextensions-apiserver ({@code validation.kubeOpenAPIResultToFieldErrors} for the
 * schema, {@code cel.Validator} for rules: the node's type as the value, the rule's message or
 * {@code failed rule: <rule>}, its {@code reason} as the cause type).
 *
 * <p>Updates ratchet (CRDValidationRatcheting, on by default since 1.30): a problem at a value the
 * update did not change does not refuse it, so an object stored before a stricter CRD can still
 * have its status written or its finalizers removed.
 */
final class ValidatingAdmission {

  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final CustomResourceTypes customResources;

  ValidatingAdmission(CustomResourceTypes customResources) {
    this.customResources = customResources;
  }

  /**
   * Refuses {@code object} with a 422 when its CRD does, or, for a built-in kind, when an update
   * breaks one of the registry's rules this server keeps ({@link ImmutableSelectors}); {@code
   * old} is null on create.
   */
  void admit(ApiTarget target, ObjectNode object, ObjectNode old) {
    ImmutableSelectors.admit(target, object, old);
    Optional<CustomResourceTypes.Type> found = customResources.find(target);
    if (found.isEmpty()) {
      return;
    }
    CustomResourceTypes.Type type = found.get();
    List<FieldError> errors = new ArrayList<>();
    List<FieldError> listErrors = new ArrayList<>();
    JSONSchemaProps root = type.schema();
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JSONSchemaProps property = root.getProperties() == null ? null
          : root.getProperties().get(field.getKey());
      if (OBJECT_FIELDS.contains(field.getKey()) || property == null) {
        continue;
      }
      CrdSchema.Checked checked = CrdSchema.checkValue(field.getKey(), property,
          field.getValue());
      for (CrdSchema.FieldError error : checked.errors()) {
        if (error.type() != CrdSchema.ErrorType.UNKNOWN_FIELD
            && !checked.listErrors().contains(error)) {
          errors.add(kubernetes(error));
        }
      }
      checked.listErrors().forEach(error -> listErrors.add(kubernetes(error)));
    }
    errors.removeIf(error -> old != null && unchanged(error.field(), object, old));
    // after the schema's errors, and ratcheted as a whole: ValidateUpdate reports the new
    // object's repeats only when the old one had none, and reads the old one only then
    if (!listErrors.isEmpty() && (old == null || listErrors(root, old).isEmpty())) {
      errors.addAll(listErrors);
    }
    // customResourceStrategy: a wrong type or enum value blocks the rules, which could not
    // evaluate on it (hasBlockingErr), and says so.
    if (errors.stream().anyMatch(error -> error.type() == FieldError.Type.TYPE_INVALID
        || error.type() == FieldError.Type.NOT_SUPPORTED)) {
      errors.add(new FieldError("<nil>", FieldError.Type.INVALID, NullNode.getInstance(),
          "some validation rules were not checked because the object was invalid; correct the "
          + "existing errors to complete validation"));
    } else {
      List<FieldError> rules = ruleViolations(root, object);
      rules.removeIf(error -> old != null && unchanged(error.field(), object, old));
      errors.addAll(rules);
    }
    if (!errors.isEmpty()) {
      throw ApiErrors.invalid(type.kind(), type.group(),
          object.path("metadata").path("name").asText(""), errors);
    }
  }

  private static List<CrdSchema.FieldError> listErrors(JSONSchemaProps root, ObjectNode object) {
    List<CrdSchema.FieldError> found = new ArrayList<>();
    object.fields().forEachRemaining(field -> {
      JSONSchemaProps property = root.getProperties() == null ? null
          : root.getProperties().get(field.getKey());
      if (!OBJECT_FIELDS.contains(field.getKey()) && property != null) {
        found.addAll(CrdSchema.checkValue(field.getKey(), property, field.getValue())
            .listErrors());
      }
    });
    return found;
  }

  private static List<FieldError> ruleViolations(JSONSchemaProps root, ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    Object plain = FieldPaths.JSON.convertValue(object, Object.class);
    try {
      for (CrdCel.Violation violation : CrdCel.violationsOfDefaulted(root, plain)) {
        FieldError.Type type = violation.reason() == null ? FieldError.Type.INVALID
            : FieldError.Type.ofReason(violation.reason());
        String message = violation.message() == null || violation.message().isBlank()
            ? "failed rule: " + violation.rule().trim() : violation.message();
        errors.add(new FieldError(violation.field(), type,
            TextNode.valueOf(violation.schemaType()), message));
      }
    } catch (IllegalStateException e) {
      // A rule that cannot run: the real server reports the evaluation error at the object.
      errors.add(new FieldError("<nil>", FieldError.Type.INVALID, null, e.getMessage()));
    }
    return errors;
  }

  /**
   * field.Error of one schema refusal, as kubeOpenAPIResultToFieldErrors builds it. kube-openapi
   * joins a map's key to its path with a dot ({@code spec.resources.limits.cpu}) where the shared
   * code writes field.Path's brackets, which the operator's own messages keep.
   */
  private static FieldError kubernetes(CrdSchema.FieldError shared) {
    CrdSchema.FieldError error = new CrdSchema.FieldError(dotted(shared.field()), shared.type(),
        shared.value(), shared.detail().replace(shared.field(), dotted(shared.field())),
        shared.hint());
    return switch (error.type()) {
      case REQUIRED -> new FieldError(error.field(), FieldError.Type.REQUIRED, null, "");
      case NOT_SUPPORTED -> new FieldError(error.field(), FieldError.Type.NOT_SUPPORTED,
          error.value(), "supported values: " + error.detail());
      case TOO_LONG -> new FieldError(error.field(), FieldError.Type.TOO_LONG, error.value(),
          "may not be more than " + error.detail() + " bytes");
      case TOO_MANY -> new FieldError(error.field(), FieldError.Type.TOO_MANY, error.value(),
          "must have at most " + error.detail() + " items");
      case TYPE_INVALID -> new FieldError(error.field(), FieldError.Type.TYPE_INVALID,
          error.value(), error.detail());
      case DUPLICATE -> new FieldError(error.field(), FieldError.Type.DUPLICATE,
          FieldError.goMap(error.value()), "");
      default -> new FieldError(error.field(), FieldError.Type.INVALID, error.value(),
          error.detail());
    };
  }

  private static String dotted(String field) {
    return field.replaceAll("\\[([^\\]0-9][^\\]]*)\\]", ".$1");
  }

  /** Whether the value at a field path ({@code spec.env[2].name}) is the same in both. */
  private static boolean unchanged(String field, JsonNode object, JsonNode old) {
    return Objects.equals(at(object, field), at(old, field)) && at(old, field) != null;
  }

  private static JsonNode at(JsonNode node, String field) {
    JsonNode current = node;
    for (String part : field.split("\\.")) {
      String name = part;
      List<Integer> indexes = new ArrayList<>();
      int bracket = name.indexOf('[');
      if (bracket >= 0) {
        for (String index : name.substring(bracket + 1, name.length() - 1).split("\\]\\[")) {
          if (!index.matches("[0-9]+")) {
            return null;
          }
          indexes.add(Integer.parseInt(index));
        }
        name = name.substring(0, bracket);
      }
      current = current == null ? null : current.get(name);
      for (int index : indexes) {
        current = current == null ? null : current.get(index);
      }
      if (current == null) {
        return null;
      }
    }
    return current;
  }
}
