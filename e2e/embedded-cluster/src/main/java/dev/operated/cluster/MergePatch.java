package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 7386 merge patch; with a schema, the strategic variant: associative lists merge item by
 * item on their keys instead of being replaced.
 */
final class MergePatch {

  private MergePatch() {
  }

  static JsonNode apply(JsonNode target, JsonNode patch, FieldPaths strategic) {
    return apply(target, patch, strategic, new ArrayList<>());
  }

  private static JsonNode apply(JsonNode target, JsonNode patch, FieldPaths strategic,
      List<String> names) {
    if (!patch.isObject()) {
      if (strategic != null && patch.isArray() && target != null && target.isArray()
          && !names.isEmpty()) {
        return strategic.merge(target, patch, names);
      }
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        List<String> child = new ArrayList<>(names);
        child.add(field.getKey());
        result.set(field.getKey(), apply(result.get(field.getKey()), field.getValue(),
            strategic, child));
      }
    }
    return result;
  }
}
