package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A set of field paths as a managedFields entry's {@code FieldsV1} holds them. A path is a list of
 * FieldsV1 keys: {@code f:<field>}, {@code k:<json of the item's keys>} for an item of an
 * associative list, {@code v:<json value>} for an item of a set. Members are leaves (scalars,
 * atomic lists and objects, empty objects) and list items; an item that also has members below
 * it is written with the {@code ".": {}} marker, as the API server does.
 */
final class FieldSet {

  private final Set<List<String>> paths;

  FieldSet(Set<List<String>> paths) {
    this.paths = new LinkedHashSet<>(paths);
  }

  static FieldSet empty() {
    return new FieldSet(Set.of());
  }

  Set<List<String>> paths() {
    return paths;
  }

  boolean isEmpty() {
    return paths.isEmpty();
  }

  boolean contains(List<String> path) {
    return paths.contains(path);
  }

  FieldSet minus(Set<List<String>> other) {
    Set<List<String>> result = new LinkedHashSet<>(paths);
    result.removeAll(other);
    return new FieldSet(result);
  }

  FieldSet plus(Set<List<String>> other) {
    Set<List<String>> result = new LinkedHashSet<>(paths);
    result.addAll(other);
    return new FieldSet(result);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FieldSet set && set.paths.equals(paths);
  }

  @Override
  public int hashCode() {
    return paths.hashCode();
  }

  @Override
  public String toString() {
    return toFieldsV1().toString();
  }

  /** The FieldsV1 object: keys sorted, as the API server serialises them. */
  ObjectNode toFieldsV1() {
    Node root = new Node();
    for (List<String> path : paths) {
      Node node = root;
      for (String element : path) {
        node = node.children.computeIfAbsent(element, key -> new Node());
      }
      node.member = true;
    }
    return root.toJson();
  }

  static FieldSet fromFieldsV1(JsonNode fieldsV1) {
    Set<List<String>> paths = new LinkedHashSet<>();
    if (fieldsV1 != null && fieldsV1.isObject()) {
      collect(fieldsV1, new ArrayList<>(), paths);
    }
    return new FieldSet(paths);
  }

  private static void collect(JsonNode node, List<String> path, Set<List<String>> out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (".".equals(field.getKey())) {
        out.add(List.copyOf(path));
        continue;
      }
      List<String> child = new ArrayList<>(path);
      child.add(field.getKey());
      if (field.getValue().isEmpty()) {
        out.add(List.copyOf(child));
      } else {
        collect(field.getValue(), child, out);
      }
    }
  }

  private static final class Node {
    private final Map<String, Node> children = new TreeMap<>();
    private boolean member;

    ObjectNode toJson() {
      ObjectNode json = JsonNodeFactory.instance.objectNode();
      if (member && !children.isEmpty()) {
        json.putObject(".");
      }
      children.forEach((key, child) -> json.set(key, child.toJson()));
      return json;
    }
  }
}
