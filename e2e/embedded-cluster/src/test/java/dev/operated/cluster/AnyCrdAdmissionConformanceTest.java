package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission is not OperatedService's: any CRD stored in the cluster has its schema defaults,
 * pruning, validation and CEL rules applied to its custom resources, as
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
 * describes (defaulting, pruning, x-kubernetes-preserve-unknown-fields, validation rules).
 */
class AnyCrdAdmissionConformanceTest {

  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
    client.apiextensions().v1().customResourceDefinitions().resource(widgets()).create();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  /** widgets.example.dev: a default, an enum, a map of short strings, a free-form subtree. */
  private static CustomResourceDefinition widgets() {
    JSONSchemaProps spec = new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("size", new JSONSchemaPropsBuilder().withType("integer")
            .withMinimum(1.0).withDefault(new com.fasterxml.jackson.databind.node.IntNode(3))
            .build())
        .addToProperties("colour", new JSONSchemaPropsBuilder().withType("string")
            .withEnum(List.of(new com.fasterxml.jackson.databind.node.TextNode("red"),
                new com.fasterxml.jackson.databind.node.TextNode("blue"))).build())
        .addToProperties("labels", new JSONSchemaPropsBuilder().withType("object")
            .withNewAdditionalProperties().withNewSchema().withType("string").withMaxLength(5L)
            .endSchema().endAdditionalProperties().build())
        .addToProperties("extra", new JSONSchemaPropsBuilder().withType("object")
            .withXKubernetesPreserveUnknownFields(true).build())
        .withXKubernetesValidations(new ValidationRuleBuilder().withRule("self.size <= 10")
            .build())
        .build();
    return new CustomResourceDefinitionBuilder().withNewMetadata()
        .withName("widgets.example.dev").endMetadata().withNewSpec().withGroup("example.dev")
        .withScope("Namespaced").withNewNames().withKind("Widget").withPlural("widgets")
        .withSingular("widget").endNames().addNewVersion().withName("v1").withServed(true)
        .withStorage(true).withNewSchema().withNewOpenAPIV3Schema().withType("object")
        .addToProperties("spec", spec).endOpenAPIV3Schema().endSchema().endVersion().endSpec()
        .build();
  }

  private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> widgetsApi() {
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup("example.dev").withVersion("v1").withKind("Widget").withPlural("widgets")
        .withNamespaced(true).build());
  }

  private static GenericKubernetesResource widget(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("example.dev/v1")
        .withKind("Widget").withNewMetadata().withName(name).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource widget) {
    return (Map<String, Object>) widget.getAdditionalProperties().get("spec");
  }

  @Test
  void defaultsAreAppliedAndUnknownFieldsPrunedOutsideAPreservedSubtree() {
    GenericKubernetesResource created = widgetsApi().resource(widget("plain", Map.of(
        "colour", "red", "shape", "round", "extra", Map.of("anything", Map.of("goes", 1)))))
        .create();

    assertThat(spec(created)).containsEntry("size", 3).doesNotContainKey("shape")
        .containsEntry("extra", Map.of("anything", Map.of("goes", 1)));
  }

  @Test
  void aRuleWithoutMessageIsReportedAsTheRule() {
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> widgetsApi().resource(widget("big", Map.of("size", 11))).create());

    assertThat(error.getCode()).isEqualTo(422);
    assertThat(error.getStatus().getMessage()).isEqualTo("Widget.example.dev \"big\" is "
        + "invalid: spec: Invalid value: \"object\": failed rule: self.size <= 10");
  }

  @Test
  void schemaErrorsOfAnyCrdNameTheirFields() {
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> widgetsApi().resource(widget("bad", Map.of("size", 0, "colour", "green",
            "labels", Map.of("team", "payments")))).create());

    assertThat(error.getStatus().getDetails().getCauses())
        .extracting(StatusCause::getField, StatusCause::getReason)
        .contains(org.assertj.core.groups.Tuple.tuple("spec.size", "FieldValueInvalid"),
            org.assertj.core.groups.Tuple.tuple("spec.colour", "FieldValueNotSupported"),
            org.assertj.core.groups.Tuple.tuple("spec.labels.team", "FieldValueTooLong"));
    assertThat(error.getStatus().getMessage()).contains(
        "spec.colour: Unsupported value: \"green\": supported values: \"red\", \"blue\"",
        "spec.labels.team: Too long: may not be more than 5 bytes");
  }
}
