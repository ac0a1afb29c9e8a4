package dev.operated.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.operated.validation.CrdSchema.ErrorType;
import dev.operated.validation.CrdSchema.FieldError;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The schema and CEL layers take any CRD's schema (the embedded API server's admission runs them
 * for every stored CRD), and report each refusal both as a {@link dev.operated.api.SpecProblem}
 * and in apimachinery's terms: field.Error's type and kube-openapi's detail text.
 */
class AnyCrdSchemaTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final JSONSchemaProps ROOT = new JSONSchemaPropsBuilder().withType("object")
      .addToProperties("spec", new JSONSchemaPropsBuilder().withType("object")
          .withRequired("size")
          .addToProperties("size", new JSONSchemaPropsBuilder().withType("integer")
              .withMinimum(1.0).withDefault(new IntNode(3)).build())
          .addToProperties("colour", new JSONSchemaPropsBuilder().withType("string")
              .withEnum(List.of(new TextNode("red"), new TextNode("blue"))).build())
          .withXKubernetesValidations(new ValidationRuleBuilder().withRule("self.size <= 10")
              .withReason("FieldValueForbidden").withFieldPath(".size").build())
          .build())
      .build();

  private static ObjectNode widget(Map<String, Object> spec) {
    ObjectNode object = JSON.createObjectNode();
    object.put("apiVersion", "example.dev/v1").put("kind", "Widget");
    object.set("spec", JSON.valueToTree(spec));
    return object;
  }

  @Test
  void aForeignSchemaIsCheckedWithTheApiServersWords() {
    CrdSchema.Checked checked = CrdSchema.check(ROOT, "Widget",
        widget(Map.of("size", 0, "colour", "green", "shape", "round")));

    assertThat(checked.errors()).extracting(FieldError::field, FieldError::type,
        FieldError::detail).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("spec.size", ErrorType.INVALID,
                "spec.size in body should be greater than or equal to 1"),
            org.assertj.core.groups.Tuple.tuple("spec.colour", ErrorType.NOT_SUPPORTED,
                "\"red\", \"blue\""),
            org.assertj.core.groups.Tuple.tuple("spec.shape", ErrorType.UNKNOWN_FIELD,
                "unknown field \"spec.shape\""));
    assertThat(checked.problems()).extracting(p -> p.field())
        .containsExactlyInAnyOrder("spec.size", "spec.colour", "spec.shape");
  }

  /**
   * apiextensions-apiserver's ValidateListSetsAndMaps (pkg/apiserver/schema/listtype): a
   * {@code map} list's key (all its key fields together; none at all is a key too) and a
   * {@code set} list's item may appear once; each repeated one is reported once, at its first
   * repetition, after the schema's other refusals.
   */
  @Test
  void keyedListsRefuseARepeatedKeyOnceAtItsFirstRepetition() {
    JSONSchemaProps port = new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("port", new JSONSchemaPropsBuilder().withType("integer").build())
        .addToProperties("protocol", new JSONSchemaPropsBuilder().withType("string").build())
        .build();
    JSONSchemaProps schema = new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("ports", new JSONSchemaPropsBuilder().withType("array")
            .withNewItems().withSchema(port).endItems()
            .withXKubernetesListType("map").withXKubernetesListMapKeys("port", "protocol")
            .build())
        .addToProperties("tags", new JSONSchemaPropsBuilder().withType("array")
            .withNewItems().withSchema(new JSONSchemaPropsBuilder().withType("string").build())
            .endItems().withXKubernetesListType("set").build())
        .addToProperties("notes", new JSONSchemaPropsBuilder().withType("array")
            .withNewItems().withSchema(new JSONSchemaPropsBuilder().withType("string").build())
            .endItems().build())
        .addToProperties("size", new JSONSchemaPropsBuilder().withType("integer")
            .withMinimum(1.0).build())
        .build();

    ObjectNode spec = JSON.createObjectNode();
    spec.set("ports", JSON.valueToTree(List.of(Map.of("port", 80, "protocol", "TCP"),
        Map.of("port", 80, "protocol", "UDP"), Map.of("port", 80, "protocol", "TCP"),
        Map.of("port", 80, "protocol", "TCP"), Map.of(), Map.of())));
    spec.set("tags", JSON.valueToTree(List.of("a", "b", "a")));
    spec.set("notes", JSON.valueToTree(List.of("same", "same")));
    spec.put("size", 0);
    CrdSchema.Checked checked = CrdSchema.checkValue("spec", schema, spec);

    assertThat(checked.errors()).extracting(FieldError::field, FieldError::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("spec.size", ErrorType.INVALID),
            org.assertj.core.groups.Tuple.tuple("spec.ports[2]", ErrorType.DUPLICATE),
            org.assertj.core.groups.Tuple.tuple("spec.ports[5]", ErrorType.DUPLICATE),
            org.assertj.core.groups.Tuple.tuple("spec.tags[2]", ErrorType.DUPLICATE));
    assertThat(checked.errors().get(1).value())
        .isEqualTo(JSON.valueToTree(Map.of("port", 80, "protocol", "TCP")));
    assertThat(checked.errors().get(2).value()).isEqualTo(JSON.createObjectNode());
    assertThat(checked.errors().get(3).value()).isEqualTo(new TextNode("a"));
    assertThat(checked.problems().get(1).message())
        .isEqualTo("has the same port 80 and protocol 'TCP' as spec.ports[0]: each may appear "
            + "once in spec.ports; remove or rename one of them");
  }

  /**
   * validateListMap: an entry that is not an object makes the list one Invalid and no repeats;
   * a null key is pruned first, so it is the unspecified key; keys compare as Go's values do,
   * 80 as 80.0, and a set's objects by their json.Marshal, keys sorted.
   */
  @Test
  void keyedListsCompareKeysAsTheApiServerDoes() {
    JSONSchemaProps keyed = new JSONSchemaPropsBuilder().withType("array")
        .withNewItems().withSchema(new JSONSchemaPropsBuilder().withType("object")
            .withXKubernetesPreserveUnknownFields(true).build()).endItems()
        .withXKubernetesListType("map").withXKubernetesListMapKeys("port").build();
    JSONSchemaProps objects = new JSONSchemaPropsBuilder().withType("array")
        .withNewItems().withSchema(new JSONSchemaPropsBuilder().withType("object")
            .withXKubernetesPreserveUnknownFields(true).build()).endItems()
        .withXKubernetesListType("set").build();

    assertThat(CrdSchema.checkValue("ports", keyed, JSON.valueToTree(List.of(
        Map.of("port", 80), "eighty", Map.of("port", 80)))).listErrors())
        .extracting(FieldError::field, FieldError::type, FieldError::detail).containsExactly(
            org.assertj.core.groups.Tuple.tuple("ports[1]", ErrorType.INVALID,
                "must be an object for an array of list-type map"));
    ObjectNode nullPort = JSON.createObjectNode().putNull("port");
    assertThat(CrdSchema.checkValue("ports", keyed, JSON.createArrayNode()
        .add(JSON.createObjectNode().put("port", 80)).add(JSON.createObjectNode()
            .put("port", 80.0)).add(JSON.createObjectNode()).add(nullPort)).listErrors())
        .extracting(FieldError::field).containsExactly("ports[1]", "ports[3]");
    assertThat(CrdSchema.checkValue("rules", objects, JSON.createArrayNode()
        .add(JSON.createObjectNode().put("a", 1).put("b", 2))
        .add(JSON.createObjectNode().put("b", 2).put("a", 1))).listErrors())
        .extracting(FieldError::field).containsExactly("rules[1]");
  }

  @Test
  void aMissingRequiredFieldAndAWrongTypeAreNamed() {
    CrdSchema.Checked checked = CrdSchema.check(ROOT, "Widget", widget(Map.of("colour", 7)));

    assertThat(checked.errors()).extracting(FieldError::field, FieldError::type)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("spec.size", ErrorType.REQUIRED),
            org.assertj.core.groups.Tuple.tuple("spec.colour", ErrorType.TYPE_INVALID));
    assertThat(checked.errors()).filteredOn(e -> e.type() == ErrorType.TYPE_INVALID)
        .extracting(FieldError::detail)
        .containsExactly("spec.colour in body must be of type string: \"integer\"");
  }

  @Test
  void rulesOfAWholeObjectSchemaRunOnTheDefaultedObject() {
    Object defaulted = SchemaDefaults.apply(ROOT, JSON.convertValue(widget(Map.of("size", 11)),
        Object.class));

    List<CrdCel.Violation> violations = CrdCel.violationsOfDefaulted(ROOT, defaulted);

    assertThat(violations).singleElement().satisfies(violation -> {
      assertThat(violation.field()).isEqualTo("spec.size");
      assertThat(violation.schemaType()).isEqualTo("object");
      assertThat(violation.reason()).isEqualTo("FieldValueForbidden");
      assertThat(violation.message()).isNull();
    });
    assertThat(CrdCel.violationsOfDefaulted(ROOT, SchemaDefaults.apply(ROOT,
        JSON.convertValue(widget(Map.of()), Object.class)))).isEmpty();
  }
}
