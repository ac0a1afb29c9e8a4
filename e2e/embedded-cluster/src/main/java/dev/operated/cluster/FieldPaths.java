package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Field paths of an object under one kind's {@link FieldSchema}: extract, look up, merge, remove. */
final class FieldPaths {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Kubernetes defaults a port's protocol before keying the list on it. */
  private static final String PROTOCOL = "protocol";
  private static final String DEFAULT_PROTOCOL = "TCP";

  private final FieldSchema schema;

  FieldPaths(FieldSchema schema) {
    this.schema = schema;
  }

  /** Every member path of the object (whose identity and system fields are already removed). */
  FieldSet fieldsOf(JsonNode object) {
    Set<List<String>> out = new LinkedHashSet<>();
    if (object != null && object.isObject()) {
      collectFields(object, new ArrayList<>(), new ArrayList<>(), out);
    }
    return new FieldSet(out);
  }

  private void collectFields(JsonNode object, List<String> path, List<String> names,
      Set<List<String>> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        continue;
      }
      collect(field.getValue(), append(path, "f:" + field.getKey()),
          append(names, field.getKey()), out);
    }
  }

  private void collect(JsonNode value, List<String> path, List<String> names,
      Set<List<String>> out) {
    if (value.isObject() && value.size() > 0 && !schema.atomicObject(names)) {
      collectFields(value, path, names, out);
      return;
    }
    if (value.isArray() && value.size() > 0) {
      ListType type = schema.listType(names);
      if (type.kind() == ListType.Kind.MAP) {
        for (JsonNode item : value) {
          List<String> itemPath = append(path, "k:" + keyOf(item, type.keys()));
          out.add(itemPath);
          collectFields(item, itemPath, names, out);
        }
        return;
      }
      if (type.kind() == ListType.Kind.SET) {
        for (JsonNode item : value) {
          out.add(append(path, "v:" + write(item)));
        }
        return;
      }
    }
    out.add(List.copyOf(path));
  }

  /**
   * What structured-merge-diff takes for a key field an item leaves out: the field's default
   * ({@code getAssociativeKeyDefault}); of the keys here only a port's protocol has one, TCP.
   * Null when there is none.
   */
  static JsonNode keyDefault(String key) {
    return PROTOCOL.equals(key) ? JsonNodeFactory.instance.textNode(DEFAULT_PROTOCOL) : null;
  }

  static String keyOf(JsonNode item, List<String> keys) {
    Map<String, JsonNode> sorted = new TreeMap<>();
    for (String key : keys) {
      JsonNode value = item.has(key) ? item.get(key) : keyDefault(key);
      if (value != null && !value.isNull()) {
        sorted.put(key, value);
      }
    }
    ObjectNode key = JsonNodeFactory.instance.objectNode();
    sorted.forEach(key::set);
    return write(key);
  }

  /** The value at a path, or null. */
  static JsonNode at(JsonNode root, List<String> path) {
    JsonNode node = root;
    for (String element : path) {
      if (node == null) {
        return null;
      }
      node = step(node, element);
    }
    return node;
  }

  private static JsonNode step(JsonNode node, String element) {
    String body = element.substring(2);
    if (element.startsWith("f:")) {
      return node.isObject() ? node.get(body) : null;
    }
    int index = indexOf(node, element);
    return index < 0 ? null : node.get(index);
  }

  /** The index of the list item a {@code k:} or {@code v:} element names, or -1. */
  static int indexOf(JsonNode list, String element) {
    if (!list.isArray()) {
      return -1;
    }
    JsonNode wanted = read(element.substring(2));
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      if (element.startsWith("v:") ? item.equals(wanted) : matchesKey(item, wanted)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matchesKey(JsonNode item, JsonNode key) {
    Iterator<Map.Entry<String, JsonNode>> fields = key.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = item.get(field.getKey());
      if (value == null && PROTOCOL.equals(field.getKey())) {
        value = JsonNodeFactory.instance.textNode(DEFAULT_PROTOCOL);
      }
      if (!field.getValue().equals(value)) {
        return false;
      }
    }
    return true;
  }

  /** Removes what the path names; then removes objects left empty that no one owns. */
  static void remove(ObjectNode root, List<String> path, Set<List<String>> stillOwned) {
    if (path.isEmpty()) {
      return;
    }
    JsonNode parent = at(root, path.subList(0, path.size() - 1));
    if (parent == null) {
      return;
    }
    String last = path.get(path.size() - 1);
    if (last.startsWith("f:") && parent.isObject()) {
      ((ObjectNode) parent).remove(last.substring(2));
    } else if (parent.isArray()) {
      int index = indexOf(parent, last);
      if (index >= 0) {
        ((ArrayNode) parent).remove(index);
      }
    }
    List<String> parentPath = path.subList(0, path.size() - 1);
    boolean empty = parent.isObject() ? parent.isEmpty() : parent.size() == 0;
    // Top-level fields (spec, metadata) stay; emptied maps and lists below them go.
    if (empty && parentPath.size() > 1 && !stillOwned.contains(parentPath)
        && parentPath.get(parentPath.size() - 1).startsWith("f:")) {
      remove(root, List.copyOf(parentPath), stillOwned);
    }
  }

  /** The applied configuration merged into the live object, list by list as the schema says. */
  JsonNode merge(JsonNode live, JsonNode config, List<String> names) {
    if (config.isObject() && live != null && live.isObject() && !schema.atomicObject(names)) {
      ObjectNode result = ((ObjectNode) live).deepCopy();
      Iterator<Map.Entry<String, JsonNode>> fields = config.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isNull()) {
          continue;
        }
        result.set(field.getKey(), merge(live.get(field.getKey()), field.getValue(),
            append(names, field.getKey())));
      }
      return result;
    }
    if (config.isArray() && live != null && live.isArray() && !names.isEmpty()) {
      ListType type = schema.listType(names);
      // hook: structured-merge-diff's item order (AssociativeListMerge), not new items last
      if (type.kind() == ListType.Kind.MAP) {
        return AssociativeListMerge.merge(live, config, item -> keyOf(item, type.keys()),
            (liveItem, item) -> liveItem == null ? item.deepCopy() : merge(liveItem, item, names));
      }
      if (type.kind() == ListType.Kind.SET) {
        return AssociativeListMerge.merge(live, config, FieldPaths::write,
            (liveItem, item) -> item.deepCopy());
      }
    }
    return config.deepCopy();
  }

  private static List<String> append(List<String> list, String element) {
    List<String> result = new ArrayList<>(list.size() + 1);
    result.addAll(list);
    result.add(element);
    return result;
  }

  static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
