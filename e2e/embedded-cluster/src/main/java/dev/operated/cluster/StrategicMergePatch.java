package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strategic merge patch of a built-in kind, as apimachinery's {@code strategicpatch} applies it
 * ({@code StrategicMergePatch}, {@code mergeMap}, {@code mergeSlice}): maps merge and a null
 * deletes; a list the Go types mark {@code patchStrategy:merge} merges item by item on its merge
 * key, other lists are replaced; and the directives kubectl's client-side apply and
 * {@code kubectl edit} send are carried out, not stored: {@code $patch: delete} (an item or a map
 * removed), {@code $patch: replace}, {@code $retainKeys}, {@code $setElementOrder/<list>} and
 * {@code $deleteFromPrimitiveList/<list>}.
 */
final class StrategicMergePatch {

  private static final String PATCH = "$patch";
  private static final String RETAIN_KEYS = "$retainKeys";
  private static final String SET_ELEMENT_ORDER = "$setElementOrder/";
  private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

  private final FieldSchema schema;

  StrategicMergePatch(FieldSchema schema) {
    this.schema = schema;
  }

  /** The object patched; {@code live} is not changed. */
  JsonNode apply(JsonNode live, JsonNode patch) {
    JsonNode patched = merge(live, patch, List.of());
    return patched == null ? JsonNodeFactory.instance.objectNode() : patched;
  }

  /** @return null when the patch deletes the value ({@code $patch: delete}) */
  private JsonNode merge(JsonNode live, JsonNode patch, List<String> names) {
    if (patch.isObject()) {
      return mergeMap(live, (ObjectNode) patch, names);
    }
    if (patch.isArray() && !names.isEmpty()) {
      ListType type = schema.listType(names);
      if (type.kind() == ListType.Kind.MAP) {
        return mergeList(live, (ArrayNode) patch, names, type.keys());
      }
      if (type.kind() == ListType.Kind.SET) {
        return mergePrimitives(live, (ArrayNode) patch);
      }
    }
    return withoutDirectives(patch, names);
  }

  private JsonNode mergeMap(JsonNode live, ObjectNode patch, List<String> names) {
    String directive = patch.path(PATCH).asText("");
    if (directive.equals("delete")) {
      return null;
    }
    if (directive.equals("replace")) {
      ObjectNode replaced = patch.deepCopy();
      replaced.remove(PATCH);
      return withoutDirectives(replaced, names);
    }
    ObjectNode result = live != null && live.isObject() ? ((ObjectNode) live).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    Map<String, JsonNode> orders = new LinkedHashMap<>();
    Map<String, JsonNode> deletions = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      if (key.equals(PATCH) || key.equals(RETAIN_KEYS)) {
        continue;
      }
      if (key.startsWith(SET_ELEMENT_ORDER)) {
        orders.put(key.substring(SET_ELEMENT_ORDER.length()), field.getValue());
      } else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deletions.put(key.substring(DELETE_FROM_PRIMITIVE_LIST.length()), field.getValue());
      } else if (field.getValue().isNull()) {
        result.remove(key);
      } else {
        JsonNode merged = merge(result.get(key), field.getValue(), append(names, key));
        if (merged == null) {
          result.remove(key);
        } else {
          result.set(key, merged);
        }
      }
    }
    deletions.forEach((list, values) -> {
      if (result.get(list) instanceof ArrayNode items) {
        Set<JsonNode> gone = new HashSet<>();
        values.forEach(gone::add);
        for (int i = items.size() - 1; i >= 0; i--) {
          if (gone.contains(items.get(i))) {
            items.remove(i);
          }
        }
      }
    });
    orders.forEach((list, order) -> {
      if (result.get(list) instanceof ArrayNode items && order.isArray()) {
        ListType type = schema.listType(append(names, list));
        result.set(list, ordered(items, (ArrayNode) order, type.kind() == ListType.Kind.MAP
            ? type.keys() : List.of()));
      }
    });
    if (patch.get(RETAIN_KEYS) instanceof ArrayNode retained) {
      Set<String> keep = new HashSet<>();
      retained.forEach(key -> keep.add(key.asText()));
      result.retain(keep);
    }
    return result;
  }

  /** mergeSlice with a merge key: items matched on it, merged, deleted or appended. */
  private JsonNode mergeList(JsonNode live, ArrayNode patch, List<String> names,
      List<String> keys) {
    for (JsonNode item : patch) {
      if (item.isObject() && item.size() == 1 && "replace".equals(item.path(PATCH).asText())) {
        ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
        for (JsonNode other : patch) {
          if (other != item) {
            replaced.add(withoutDirectives(other, names));
          }
        }
        return replaced;
      }
    }
    ArrayNode result = live != null && live.isArray() ? ((ArrayNode) live).deepCopy()
        : JsonNodeFactory.instance.arrayNode();
    for (JsonNode item : patch) {
      int at = indexOf(result, item, keys);
      if ("delete".equals(item.path(PATCH).asText())) {
        while (at >= 0) {
          result.remove(at);
          at = indexOf(result, item, keys);
        }
        continue;
      }
      JsonNode merged = merge(at >= 0 ? result.get(at) : null, item, names);
      if (merged == null) {
        continue;
      }
      if (at >= 0) {
        result.set(at, merged);
      } else {
        result.add(merged);
      }
    }
    return result;
  }

  /** A primitive list with the merge strategy (finalizers): the union, live order first. */
  private static JsonNode mergePrimitives(JsonNode live, ArrayNode patch) {
    ArrayNode result = live != null && live.isArray() ? ((ArrayNode) live).deepCopy()
        : JsonNodeFactory.instance.arrayNode();
    Set<JsonNode> present = new HashSet<>();
    result.forEach(present::add);
    for (JsonNode value : patch) {
      if (present.add(value)) {
        result.add(value.deepCopy());
      }
    }
    return result;
  }

  /**
   * $setElementOrder: the items it names in its order; the others (the server's own) after them
   * in their order.
   */
  private static ArrayNode ordered(ArrayNode items, ArrayNode order, List<String> keys) {
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    List<JsonNode> rest = new ArrayList<>();
    items.forEach(rest::add);
    for (JsonNode wanted : order) {
      for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
        JsonNode item = it.next();
        if (keys.isEmpty() ? item.equals(wanted) : sameKey(item, wanted, keys)) {
          result.add(item);
          it.remove();
          break;
        }
      }
    }
    rest.forEach(result::add);
    return result;
  }

  private static int indexOf(ArrayNode items, JsonNode item, List<String> keys) {
    for (int i = 0; i < items.size(); i++) {
      if (sameKey(items.get(i), item, keys)) {
        return i;
      }
    }
    return -1;
  }

  /** By the merge key (the first of the list's keys, as patchMergeKey names one field). */
  private static boolean sameKey(JsonNode a, JsonNode b, List<String> keys) {
    String key = keys.get(0);
    return a.has(key) && a.get(key).equals(b.get(key));
  }

  /** A value added whole: what it carries of the directives is carried out against nothing. */
  private JsonNode withoutDirectives(JsonNode value, List<String> names) {
    if (value.isObject()) {
      ObjectNode copy = ((ObjectNode) value).deepCopy();
      copy.remove(PATCH);
      JsonNode merged = mergeMap(null, copy, names);
      return merged == null ? JsonNodeFactory.instance.objectNode() : merged;
    }
    if (value.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      for (JsonNode item : value) {
        if (!(item.isObject() && item.has(PATCH))) {
          copy.add(item.isObject() ? withoutDirectives(item, names) : item.deepCopy());
        }
      }
      return copy;
    }
    return value.deepCopy();
  }

  private static List<String> append(List<String> list, String element) {
    List<String> result = new ArrayList<>(list);
    result.add(element);
    return result;
  }
}
