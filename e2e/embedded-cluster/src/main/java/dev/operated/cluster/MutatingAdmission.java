package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.operated.validation.Quantities;
import dev.operated.validation.SchemaDefaults;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mutating admission, with the decoding that comes before it: what a real API server changes in
 * an object before it validates it.
 *
 * <ul>
 *   <li>Decoding a custom resource prunes the fields its CRD's structural schema does not declare
 *       (unless {@code x-kubernetes-preserve-unknown-fields}); the request's
 *       {@code fieldValidation} says what the client hears of them, as
 *       staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go, update.go and patch.go do:
 *       {@code Strict} refuses the request (400, {@code transformDecodeError}'s
 *       {@code <Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error:
 *       unknown field "spec.x"}), {@code Warn} (the default when the parameter is absent) answers
 *       with one {@code Warning} header per field ({@code unknown field "spec.x"}) and stores the
 *       pruned object, {@code Ignore} prunes silently. An apply body is typed against the schema
 *       by structured-merge-diff instead, whatever the directive: an unknown field there fails the
 *       request ({@code failed to create typed patch object (...): .spec.x: field not declared in
 *       schema}, a 500 without a reason, as the field manager's plain error reaches the client).</li>
 *   <li>Defaults: a CRD's structural {@code default}s, applied with the operator's own
 *       {@link SchemaDefaults} (the same code whose result the CEL rules see in {@code render} and
 *       the operator); for built-in kinds a port's protocol (part of the ports lists' keys).</li>
 *   <li>Quantities of the built-in kinds we write ({@code resources.requests} and
 *       {@code resources.limits}) stored as the API server stores them: in canonical form, or
 *       as written where ParseQuantity keeps the text ({@link Quantities#stringOf}).</li>
 * </ul>
 */
final class MutatingAdmission {

  static final String STRICT = "Strict";
  static final String WARN = "Warn";
  static final String IGNORE = "Ignore";

  /** Set by the server for every object; the schema does not describe them. */
  private static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata");

  private final CustomResourceTypes customResources;

  MutatingAdmission(CustomResourceTypes customResources) {
    this.customResources = customResources;
  }

  /** Prunes a create, update or patched body per the CRD, as the request's directive says. */
  void decode(ApiTarget target, ObjectNode body, Storage.WriteContext context) {
    Optional<CustomResourceTypes.Type> type = customResources.find(target);
    if (type.isEmpty()) {
      return;
    }
    List<String> unknown = new ArrayList<>();
    ObjectNode pruned = body.deepCopy();
    prune(pruned, type.get().openApiV3Schema(), "", unknown);
    if (unknown.isEmpty()) {
      return;
    }
    String directive = context.fieldValidation();
    if (STRICT.equals(directive)) {
      List<String> errors = unknown.stream().map(path -> "unknown field \"" + path + "\"")
          .toList();
      String kind = body.path("kind").asText(type.get().kind());
      throw ApiErrors.badRequest(kind + " in version \"" + type.get().version()
          + "\" cannot be handled as a " + type.get().kind() + ": strict decoding error: "
          + String.join(", ", errors));
    }
    if (!IGNORE.equals(directive)) {
      unknown.forEach(path -> context.warnings().add("unknown field \"" + path + "\""));
    }
    body.removeAll();
    body.setAll(pruned);
  }

  /**
   * An apply body: an undeclared field of a custom resource, or two items of a keyed list with the
   * same key in any kind, fail the typed conversion (structured-merge-diff's {@code
   * validatingObjectWalker}: {@code visitMapItems}, and {@code visitListItems}' {@code duplicate
   * entries for key}, which the field manager's {@code Apply} reaches without {@code
   * AllowDuplicates} for the applied object). A create gets further: a custom resource's
   * duplicates are the CRD's 422 {@code Duplicate value}, and a built-in kind's are stored (its
   * validation lets a repeated env name or port through).
   */
  void decodeApply(ApiTarget target, ObjectNode config) {
    Optional<CustomResourceTypes.Type> type = customResources.find(target);
    List<String> errors = new ArrayList<>();
    if (type.isPresent()) {
      List<String> unknown = new ArrayList<>();
      prune(config.deepCopy(), type.get().openApiV3Schema(), "", unknown);
      if (!unknown.isEmpty()) {
        errors.add("." + unknown.get(0) + ": field not declared in schema");
      }
    }
    if (errors.isEmpty()) {
      duplicateKeys(config, customResources.fieldSchema(target), new ArrayList<>(), "", errors);
    }
    if (!errors.isEmpty()) {
      JsonNode metadata = config.path("metadata");
      String namespaced = metadata.path("namespace").asText("") + "/"
          + metadata.path("name").asText("");
      // ValidationErrors.Error(): one error as it is, more on lines of their own
      String why = errors.size() == 1 ? errors.get(0)
          : "errors:\n  " + String.join("\n  ", errors);
      throw ApiErrors.unknown("failed to create typed patch object (" + namespaced + "; "
          + config.path("apiVersion").asText(target.apiVersion()) + ", Kind="
          + config.path("kind").asText(type.map(CustomResourceTypes.Type::kind).orElse(""))
          + "): " + why);
    }
  }

  /**
   * Items of a {@code map} list with the same keys, or of a {@code set} list with the same value,
   * each named by structured-merge-diff's path ({@code .spec.template.spec.containers[name="app"]
   * .env}) and path element ({@code [name="GREETING"]}, keys in name order, a left-out key by its
   * default; {@code [="a"]} for a set). An item that has no path element (a left-out key without a
   * default, a null) ends the walk of its list, as {@code visitListItems} does.
   *
   * @param names the field names from the root to {@code value}, list items not counted, as
   *              {@link FieldSchema#listType} takes them
   */
  private static void duplicateKeys(JsonNode value, FieldSchema schema, List<String> names,
      String path, List<String> errors) {
    if (value.isObject()) {
      value.fields().forEachRemaining(field -> {
        names.add(field.getKey());
        duplicateKeys(field.getValue(), schema, names, path + "." + field.getKey(), errors);
        names.remove(names.size() - 1);
      });
    } else if (value.isArray() && !names.isEmpty()) {
      ListType listType = schema.listType(names);
      List<String> keyNames = new ArrayList<>(listType.keys());
      keyNames.sort(null);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < value.size(); i++) {
        JsonNode item = value.get(i);
        String element;
        try {
          element = pathElement(listType, keyNames, item, i);
        } catch (IllegalArgumentException noElement) {
          errors.add(path + ": element " + i + ": " + noElement.getMessage());
          return;
        }
        if (listType.kind() != ListType.Kind.ATOMIC && !seen.add(element)) {
          errors.add(path + ": duplicate entries for key " + element);
        }
        duplicateKeys(item, schema, names, path + element, errors);
      }
    }
  }

  /**
   * An item's path element ({@code listItemToPathElement}): {@code [k1=v1,k2=v2]} in a map list,
   * {@code [=v]} in a set, {@code [i]} in an atomic list; a value printed as {@code
   * value.ToString} does (a string quoted, a number or boolean as it is).
   *
   * @throws IllegalArgumentException with structured-merge-diff's words when the item has none
   */
  private static String pathElement(ListType listType, List<String> keyNames, JsonNode item,
      int index) {
    return switch (listType.kind()) {
      case ATOMIC -> "[" + index + "]";
      case SET -> {
        if (item.isObject()) {
          throw new IllegalArgumentException(
              "associative list without keys has an element that's a map type");
        }
        if (item.isArray()) {
          throw new IllegalArgumentException(
              "not supported: associative list with lists as elements");
        }
        if (item.isNull()) {
          throw new IllegalArgumentException(
              "associative list without keys has an element that's an explicit null");
        }
        yield "[=" + item + "]";
      }
      case MAP -> {
        if (item.isNull()) {
          throw new IllegalArgumentException(
              "associative list with keys may not have a null element");
        }
        if (!item.isObject()) {
          throw new IllegalArgumentException(
              "associative list with keys may not have non-map elements");
        }
        List<String> parts = new ArrayList<>();
        for (String key : keyNames) {
          JsonNode keyValue = item.has(key) ? item.get(key) : FieldPaths.keyDefault(key);
          if (keyValue == null) {
            throw new IllegalArgumentException("associative list with keys has an element that "
                + "omits key field \"" + key + "\" (and doesn't have default value)");
          }
          parts.add(key + "=" + keyValue);
        }
        yield "[" + String.join(",", parts) + "]";
      }
    };
  }

  /** Defaults and canonical quantities, on the object about to be validated and stored. */
  void admit(ApiTarget target, ObjectNode object) {
    Optional<CustomResourceTypes.Type> type = customResources.find(target);
    if (type.isPresent()) {
      Object defaulted = SchemaDefaults.apply(type.get().schema(),
          FieldPaths.JSON.convertValue(object, Object.class));
      ObjectNode result = FieldPaths.JSON.valueToTree(defaulted);
      object.removeAll();
      object.setAll(result);
      return;
    }
    if (CustomResourceTypes.BUILT_IN_GROUPS.contains(target.group())) {
      Defaults.apply(object, true);
      canonicalQuantities(object);
    }
  }

  /**
   * Removes what the schema does not declare and notes each path as the API server prints it
   * ({@code spec.ports[0].unknownNested}), after apiextensions-apiserver's structural pruning.
   */
  private static void prune(JsonNode value, JsonNode schema, String path, List<String> unknown) {
    if (schema == null || value == null) {
      return;
    }
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (value.isObject()) {
      JsonNode properties = schema.path("properties");
      JsonNode additional = schema.get("additionalProperties");
      Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String name = field.getKey();
        if (path.isEmpty() && OBJECT_FIELDS.contains(name)) {
          continue;
        }
        String child = path.isEmpty() ? name : path + "." + name;
        if (properties.has(name)) {
          prune(field.getValue(), properties.get(name), child, unknown);
        } else if (additional != null && additional.isObject()) {
          prune(field.getValue(), additional, child, unknown);
        } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
          unknown.add(child);
          fields.remove();
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      ArrayNode items = (ArrayNode) value;
      for (int i = 0; i < items.size(); i++) {
        prune(items.get(i), schema.get("items"), path + "[" + i + "]", unknown);
      }
    }
  }

  /** Every {@code resources.requests}/{@code limits} value, wherever a pod spec is. */
  private static void canonicalQuantities(JsonNode node) {
    if (node.isArray()) {
      node.forEach(MutatingAdmission::canonicalQuantities);
      return;
    }
    if (!node.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if ("resources".equals(field.getKey()) && field.getValue().isObject()) {
        for (String list : List.of("requests", "limits")) {
          JsonNode quantities = field.getValue().get(list);
          if (quantities instanceof ObjectNode map) {
            map.fields().forEachRemaining(entry -> {
              if (entry.getValue().isValueNode()) {
                Quantities.stringOf(entry.getValue().asText())
                    .ifPresent(stored -> entry.setValue(TextNode.valueOf(stored)));
              }
            });
          }
        }
      } else if (!"metadata".equals(field.getKey())) {
        canonicalQuantities(field.getValue());
      }
    }
  }
}
