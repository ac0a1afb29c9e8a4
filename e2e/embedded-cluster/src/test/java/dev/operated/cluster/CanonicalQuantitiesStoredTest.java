package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The API server stores quantities in canonical form ({@link dev.operated.validation.Quantities},
 * whose own test holds the forms).
 */
class CanonicalQuantitiesStoredTest {

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
