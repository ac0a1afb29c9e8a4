package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request log reads a write's resourceVersion from the answer without parsing all of it. */
class RequestOutcomesTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void findsTheResourceVersionWhereverMetadataAndItSitAmongOtherFields() {
    ObjectNode object = NODES.objectNode();
    object.putObject("spec").putObject("template").putObject("metadata")
        .put("resourceVersion", "not this one");
    object.putArray("items").addObject().putObject("metadata").put("resourceVersion", "nor this");
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", "web");
    metadata.putArray("managedFields").addObject().putObject("fieldsV1")
        .putObject("f:metadata").put("resourceVersion", "nor this either");
    metadata.putObject("labels").put("resourceVersion", "nor a label");
    metadata.put("resourceVersion", "42");
    object.putObject("status").put("replicas", 1);

    assertThat(versionOf(object)).isEqualTo("42");
  }

  @Test
  void isNullForAnAnswerWithoutOneOrThatIsNoObject() {
    ObjectNode noVersion = NODES.objectNode();
    noVersion.putObject("metadata").put("name", "web");
    ObjectNode nullVersion = NODES.objectNode();
    nullVersion.putObject("metadata").putNull("resourceVersion");

    assertThat(versionOf(noVersion)).isNull();
    assertThat(versionOf(nullVersion)).isNull();
    assertThat(versionOf(NODES.objectNode().put("kind", "Status"))).isNull();
    assertThat(RequestOutcomes.resourceVersionOf("[1, 2]".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    assertThat(RequestOutcomes.resourceVersionOf("not json".getBytes(StandardCharsets.UTF_8)))
        .isNull();
  }

  @Test
  void readsANumberAsItsText() {
    ObjectNode object = NODES.objectNode();
    object.putObject("metadata").put("resourceVersion", 7);

    assertThat(versionOf(object)).isEqualTo("7");
  }

  private static String versionOf(ObjectNode object) {
    return RequestOutcomes.resourceVersionOf(
        FieldPaths.write(object).getBytes(StandardCharsets.UTF_8));
  }
}
