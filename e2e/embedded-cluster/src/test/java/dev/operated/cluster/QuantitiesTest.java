package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Quantities in canonical form, as k8s.io/apimachinery/pkg/api/resource/quantity.go writes them
 * (the examples of its Quantity doc comment and of quantity_test.go's
 * {@code TestQuantityCanonicalize}-style cases), and stored that way by the API server.
 */
class QuantitiesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "0.5, 500m", "1.5, 1500m", "1024Mi, 1Gi", "1.5Gi, 1536Mi", "2000, 2k", "1500, 1500",
      "1000m, 1", "100m, 100m", "0, 0", "0Mi, 0", "512Ki, 512Ki", "0.5Ki, 512", "1.1Ki, 1126400m",
      "129e6, 129e6", "1e3, 1e3", "1E6, 1e6", "128974848, 128974848", "1M, 1M", "1000k, 1M",
      "0.000000001, 1n", "0.0000000001, 1n", "-0.5, -500m", "+1, 1", "1Ei, 1Ei", "1024Ei, 1024Ei",
      "5., 5", ".5, 500m"})
  void canonicalForm(String written, String canonical) {
    assertThat(Quantities.canonical(written)).contains(canonical);
  }

  @ParameterizedTest
  @CsvSource({"abc", "1Q", "--1", "''", "1.2.3", "Mi"})
  void notQuantities(String written) {
    assertThat(Quantities.canonical(written)).isEmpty();
  }

  @Test
  void theApiServerStoresResourcesInCanonicalForm() {
    try (EmbeddedCluster cluster = EmbeddedCluster.start();
        KubernetesClient client = cluster.newClient()) {
      Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("q")
          .endMetadata().withNewSpec().withReplicas(0).withNewSelector()
          .addToMatchLabels("app", "q").endSelector().withNewTemplate().withNewMetadata()
          .addToLabels("app", "q").endMetadata().withNewSpec().addNewContainer()
          .withName("app").withImage("app:1").withNewResources()
          .withRequests(Map.of("cpu", new Quantity("0.5"), "memory", new Quantity("1024Mi")))
          .withLimits(Map.of("cpu", new Quantity("2000m"), "memory", new Quantity("1.5Gi")))
          .endResources().endContainer().endSpec().endTemplate().endSpec().build();

      Deployment stored = client.apps().deployments().resource(deployment)
          .fieldManager("test").serverSideApply();

      var resources = stored.getSpec().getTemplate().getSpec().getContainers().get(0)
          .getResources();
      assertThat(resources.getRequests()).containsEntry("cpu", new Quantity("500m"))
          .containsEntry("memory", new Quantity("1Gi"));
      assertThat(resources.getLimits()).containsEntry("cpu", new Quantity("2"))
          .containsEntry("memory", new Quantity("1536Mi"));
      assertThat(resources.getRequests().get("cpu").toString()).isEqualTo("500m");
    }
  }
}
