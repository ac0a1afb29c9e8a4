package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploymentStrategy.ValidateUpdate (pkg/registry/apps/deployment/strategy.go): through apps/v1
 * a Deployment's selector is immutable (ValidateImmutableField, compared with
 * apiequality.Semantic, where an empty map is none); the rest of its spec is not.
 */
class ImmutableSelectorsTest {

  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static Deployment deployment(String name, Map<String, String> selector, String image) {
    return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
        .withNewSelector().withMatchLabels(selector).endSelector().withNewTemplate()
        .withNewMetadata().withLabels(Map.of("app", "web", "tier", "front")).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer()
        .endSpec().endTemplate().endSpec().build();
  }

  @Test
  void aDeploymentsSelectorCannotChange() {
    client.apps().deployments().resource(deployment("web", Map.of("app", "web"), "web:1"))
        .serverSideApply();

    assertThatThrownBy(() -> client.apps().deployments().resource(deployment("web",
        Map.of("app", "web", "tier", "front"), "web:1")).serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage()).isEqualTo("Deployment.apps \"web\" is invalid: "
              + "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string"
              + "{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelector"
              + "Requirement(nil)}: field is immutable");
          assertThat(e.getStatus().getDetails().getCauses()).singleElement().satisfies(cause ->
              assertThat(cause.getField()).isEqualTo("spec.selector"));
        });
    assertThat(client.apps().deployments().withName("web").get().getSpec().getSelector()
        .getMatchLabels()).containsExactly(Map.entry("app", "web"));

    Deployment rolled = client.apps().deployments().resource(deployment("web",
        Map.of("app", "web"), "web:2")).serverSideApply();
    assertThat(rolled.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("web:2");
  }
}
