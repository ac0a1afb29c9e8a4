package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;

/**
 * A JSON tree as it reads back from storage: the copy that printing it and parsing the text would
 * build. Stored objects are compared with {@code equals} (is a write a change? did the spec
 * change the generation?), and Jackson's parser makes an int node of every integer that fits
 * 32 bits, a long node of the rest and a double of every fraction, where trees built in Java hold
 * longs and shorts that print the same and compare unequal. Walking the tree gives the same copy
 * for a fraction of the print and parse, which took a sixth of the embedded server's CPU in the
 * scale benchmark (docs/benchmarks.md); what the walk does not know how to read back (floats,
 * decimals, binary, POJOs, non-finite doubles) still goes through the text.
 */
final class StoredForm {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** metav1.MicroTime's form (RFC3339Micro): always six digits of the second's fraction. */
  static final java.time.format.DateTimeFormatter MICRO_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
          .withZone(java.time.ZoneOffset.UTC);

  private StoredForm() {
  }

  static ObjectNode of(ObjectNode object) {
    return (ObjectNode) copy(object);
  }

  /** A stored object as fabric8's model types it, read from the tree with no text between. */
  static <T> T typed(JsonNode object, Class<T> type) {
    return Serialization.jsonMapper().convertValue(object, type);
  }

  private static JsonNode copy(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> {
        ObjectNode copy = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          copy.set(field.getKey(), copy(field.getValue()));
        }
        yield copy;
      }
      case ARRAY -> {
        ArrayNode copy = NODES.arrayNode(node.size());
        for (JsonNode element : node) {
          copy.add(copy(element));
        }
        yield copy;
      }
      // immutable, and the parser's own nodes for what they hold
      case STRING, BOOLEAN, NULL -> node;
      case MISSING -> NODES.nullNode(); // Jackson prints a missing value as null
      case NUMBER -> number(node);
      default -> throughText(node);
    };
  }

  private static JsonNode number(JsonNode number) {
    if (number.isInt() || number.isDouble() && Double.isFinite(number.doubleValue())) {
      return number;
    }
    if (number.isIntegralNumber() && number.canConvertToLong()) {
      long value = number.longValue();
      return value == (int) value ? IntNode.valueOf((int) value)
          : number.isLong() ? number : LongNode.valueOf(value);
    }
    return throughText(number);
  }

  private static JsonNode throughText(JsonNode node) {
    return FieldPaths.read(FieldPaths.write(node));
  }
}
