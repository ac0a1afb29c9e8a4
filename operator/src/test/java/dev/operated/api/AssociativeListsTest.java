package dev.operated.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every list of objects in the schema is keyed as the Kubernetes type it passes through keys it,
 * so a list added to the model has to say how it merges before the build passes. The keys are
 * upstream's: staging/src/k8s.io/api/core/v1/types.go, {@code Container.Env} and
 * {@code ResourceRequirements.Claims}, both {@code +listType=map +listMapKey=name}, and
 * staging/src/k8s.io/api/apps/v1/types.go, {@code DeploymentStatus.Conditions},
 * {@code +listType=map +listMapKey=type}.
 */
class AssociativeListsTest {

  @Test
  void everyListOfObjectsInTheSchemaIsAMapKeyedAsKubernetesKeysIt() {
    JSONSchemaProps root = GeneratedCrd.load().getSpec().getVersions().get(0).getSchema()
        .getOpenAPIV3Schema();
    Map<String, JSONSchemaProps> lists = new LinkedHashMap<>();
    root.getProperties().forEach((name, property) -> listsOfObjects(name, property, lists));

    assertThat(lists.keySet()).containsExactlyInAnyOrderElementsOf(
        AssociativeLists.LISTS.stream().map(AssociativeLists.Keyed::path).toList());
    for (AssociativeLists.Keyed keyed : AssociativeLists.LISTS) {
      JSONSchemaProps list = lists.get(keyed.path());
      assertThat(list.getXKubernetesListType()).as(keyed.path()).isEqualTo("map");
      assertThat(list.getXKubernetesListMapKeys()).as(keyed.path())
          .isEqualTo(keyed.keys());
      assertThat(list.getItems().getSchema().getRequired()).as("a structural schema's map "
          + "keys are required: " + keyed.path()).containsAll(keyed.keys());
    }
    assertThat(lists.get("spec.env").getXKubernetesListMapKeys())
        .as("core/v1 Container.Env: +listMapKey=name").containsExactly("name");
    assertThat(lists.get("spec.resources.claims").getXKubernetesListMapKeys())
        .as("core/v1 ResourceRequirements.Claims: +listMapKey=name").containsExactly("name");
    assertThat(lists.get("spec.telemetry.collector.resources.claims")
        .getXKubernetesListMapKeys()).containsExactly("name");
    assertThat(lists.get("status.conditions").getXKubernetesListMapKeys())
        .as("apps/v1 DeploymentStatus.Conditions: +listMapKey=type").containsExactly("type");
  }

  @Test
  void aListTheModelNoLongerHasIsNamedInsteadOfSkipped() {
    JSONSchemaProps root = new JSONSchemaPropsBuilder().withType("object")
        .addToProperties("spec", new JSONSchemaPropsBuilder().withType("object").build())
        .build();

    assertThatThrownBy(() -> AssociativeLists.mark(root))
        .hasMessageContaining("spec.env is not in the generated CRD");
  }

  private static void listsOfObjects(String path, JSONSchemaProps schema,
      Map<String, JSONSchemaProps> found) {
    if (schema.getProperties() != null) {
      schema.getProperties().forEach((name, property) ->
          listsOfObjects(path + "." + name, property, found));
    }
    if ("array".equals(schema.getType()) && schema.getItems() != null) {
      JSONSchemaProps items = schema.getItems().getSchema();
      if ("object".equals(items.getType())) {
        found.put(path, schema);
      }
      listsOfObjects(path + "[]", items, found);
    }
  }
}
