package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The event's text loses exactly {@code object.metadata.managedFields} and stays JSON, wherever
 * the member stands and whatever strings around it hold; anything else comes back unchanged.
 */
class ManagedFieldsCutTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String MANAGED = """
      [{"manager": "kubelet", "operation": "Update", "subresource": "status",
        "fieldsV1": {"f:status": {"f:conditions": {"k:{\\"type\\":\\"Ready\\"}": {".": {}}}}}}]""";

  @Test
  void theMemberIsCutWhereverItStands() throws JsonProcessingException {
    String first = event("""
        {"managedFields": %s, "name": "p", "namespace": "team"}""".formatted(MANAGED));
    String middle = event("""
        {"name": "p", "managedFields": %s, "namespace": "team"}""".formatted(MANAGED));
    String last = event("""
        {"name": "p", "namespace": "team",
           "managedFields" : %s
        }""".formatted(MANAGED));
    String only = event("""
        {"managedFields": %s}""".formatted(MANAGED));

    for (String event : new String[] {first, middle, last, only}) {
      String cut = ManagedFieldsCut.cut(event);
      assertThat(cut).as(event).doesNotContain("managedFields").hasSizeLessThan(event.length());
      assertThat(JSON.readTree(cut)).as(event).isEqualTo(withoutManagedFields(event));
    }
  }

  @Test
  void stringsThatLookLikeJsonDoNotMisleadTheWalk() throws JsonProcessingException {
    String event = """
        {"type": "MODIFIED", "object": {"kind": "Pod", "apiVersion": "v1",
          "metadata": {"name": "p",
            "annotations": {"tricky": "} ] { [ \\" , \\\\", "managedFields": "a value"},
            "labels": {"a": "b"}, "managedFields": %s, "uid": "u"},
          "spec": {"note": "\\"managedFields\\": []"}}}
        """.formatted(MANAGED);

    String cut = ManagedFieldsCut.cut(event);

    JsonNode read = JSON.readTree(cut);
    assertThat(read).isEqualTo(withoutManagedFields(event));
    assertThat(read.at("/object/metadata/annotations/managedFields").asText())
        .isEqualTo("a value");
    assertThat(read.at("/object/spec/note").asText()).isEqualTo("\"managedFields\": []");
  }

  @Test
  void aMemberOfTheSameNameElsewhereIsKept() {
    String configMap = """
        {"type": "ADDED", "object": {"kind": "ConfigMap", "apiVersion": "v1",
          "data": {"managedFields": "user data"}, "metadata": {"name": "c"}}}
        """;
    String nested = """
        {"type": "ADDED", "object": {"kind": "Widget", "apiVersion": "example.com/v1",
          "metadata": {"name": "w"}, "spec": {"metadata": {"managedFields": []}}}}
        """;

    assertThat(ManagedFieldsCut.cut(configMap)).isEqualTo(configMap);
    assertThat(ManagedFieldsCut.cut(nested)).isEqualTo(nested);
  }

  @Test
  void textInAnyOtherShapeComesBackAsItIs() {
    String truncated = event("""
        {"name": "p", "managedFields": %s}""".formatted(MANAGED)).substring(0, 90);
    String[] others = {truncated, "", "[]", "{\"type\": \"ADDED\", \"object\": 7}",
        "{\"type\": \"ADDED\", \"object\": {\"metadata\": null}}",
        "{\"object\": {\"metadata\": {\"managedF\\u0069elds\": []}}}"};

    for (String other : others) {
      assertThat(ManagedFieldsCut.cut(other)).as(other).isEqualTo(other);
    }
  }

  private static String event(String metadata) {
    return """
        {"type": "MODIFIED", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": %s,
          "spec": {"containers": [{"name": "app", "image": "shop:2"}]}}}
        """.formatted(metadata);
  }

  private static JsonNode withoutManagedFields(String event) throws JsonProcessingException {
    JsonNode tree = JSON.readTree(event);
    ((ObjectNode) tree.at("/object/metadata")).remove("managedFields");
    return tree;
  }
}
