package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stored form is defined as what printing a tree and parsing it back builds; the walk that
 * replaced the print and parse must give exactly that tree for every kind of node a tree can
 * hold, numbers at each width's edges above all.
 */
class StoredFormTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void everyKindOfNodeReadsBackAsPrintingAndParsingWouldBuildIt() {
    Random random = new Random(16);
    for (int i = 0; i < 2_000; i++) {
      ObjectNode tree = object(random, 4);
      ObjectNode throughText = (ObjectNode) FieldPaths.read(FieldPaths.write(tree));

      ObjectNode walked = StoredForm.of(tree);

      assertThat(walked).as(FieldPaths.write(tree)).isEqualTo(throughText);
      assertThat(FieldPaths.write(walked)).isEqualTo(FieldPaths.write(throughText));
    }
  }

  @Test
  void aLongThatFitsAnIntComparesEqualToTheStoredIntAfterwards() {
    ObjectNode built = NODES.objectNode();
    built.putObject("spec").put("replicas", 3L);
    ObjectNode stored = (ObjectNode) FieldPaths.read("{\"spec\":{\"replicas\":3}}");

    assertThat(built).isNotEqualTo(stored);
    assertThat(StoredForm.of(built)).isEqualTo(stored);
  }

  @Test
  void theCopySharesNoContainerWithTheOriginal() {
    ObjectNode original = (ObjectNode) FieldPaths.read("{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
        + "\"items\":[{\"x\":1}]}");

    ObjectNode copy = StoredForm.of(original);
    ((ObjectNode) copy.get("metadata").get("labels")).put("a", "changed");
    ((ObjectNode) copy.get("items").get(0)).put("x", 2);

    assertThat(original.at("/metadata/labels/a").asText()).isEqualTo("b");
    assertThat(original.at("/items/0/x").asInt()).isEqualTo(1);
  }

  private static ObjectNode object(Random random, int depth) {
    ObjectNode object = NODES.objectNode();
    int fields = random.nextInt(5);
    for (int i = 0; i < fields; i++) {
      object.set("f" + i, value(random, depth - 1));
    }
    return object;
  }

  private static JsonNode value(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 20 : 18);
    return switch (kind) {
      case 0 -> NODES.numberNode(random.nextInt());
      case 1 -> NODES.numberNode(edge(random));
      case 2 -> NODES.numberNode((long) random.nextInt());
      case 3 -> NODES.numberNode((short) random.nextInt());
      case 4 -> NODES.numberNode(BigInteger.valueOf(edge(random)));
      case 5 -> NODES.numberNode(BigInteger.valueOf(Long.MAX_VALUE).shiftLeft(random.nextInt(3)));
      case 6 -> NODES.numberNode(random.nextDouble() * 1000 - 500);
      case 7 -> NODES.numberNode((double) random.nextInt(10));
      case 8 -> NODES.numberNode(random.nextFloat());
      case 9 -> NODES.numberNode(new BigDecimal(random.nextInt(10_000)).movePointLeft(2));
      case 10 -> NODES.numberNode(new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0}
          [random.nextInt(3)]);
      case 11 -> NODES.textNode("t" + random.nextInt(100));
      case 12 -> NODES.booleanNode(random.nextBoolean());
      case 13 -> NODES.nullNode();
      case 14 -> NODES.binaryNode(new byte[] {1, 2, (byte) random.nextInt()});
      case 15 -> NODES.pojoNode(java.util.Map.of("pojo", random.nextInt(3)));
      case 16 -> MissingNode.getInstance();
      case 17 -> NODES.numberNode((byte) random.nextInt());
      case 18 -> object(random, depth);
      default -> {
        ArrayNode array = NODES.arrayNode();
        int elements = random.nextInt(4);
        for (int i = 0; i < elements; i++) {
          array.add(value(random, depth - 1));
        }
        yield array;
      }
    };
  }

  /** Integers at the edges of int and long, where the parser changes the node it makes. */
  private static long edge(Random random) {
    long[] edges = {Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE,
        Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE, 0, -1};
    return edges[random.nextInt(edges.length)];
  }
}
