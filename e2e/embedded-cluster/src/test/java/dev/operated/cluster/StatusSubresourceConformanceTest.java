package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a write to a Deployment's status subresource may change besides the status:
 * pkg/registry/apps/deployment/strategy.go, deploymentStatusStrategy.PrepareForUpdate, resets the
 * spec and the labels to the stored ones and keeps the annotations it was given (how the
 * Deployment controller writes the revision annotation), so annotations a status PUT leaves out
 * are gone.
 */
class StatusSubresourceConformanceTest {

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
    clusters.cluster().pause(Controller.DEPLOYMENT); // its own status writes would race the test's
  }

  @Test
  void aDeploymentsStatusWriteKeepsTheAnnotationsItGivesAndNoOthers() {
    Deployment created = client.apps().deployments().resource(new DeploymentBuilder(
        Workloads.deployment("web", 1)).editMetadata().addToLabels("tier", "front")
        .addToAnnotations("a", "1").endMetadata().build()).create();

    Deployment relabelled = client.apps().deployments().resource(new DeploymentBuilder(created)
        .editMetadata().withLabels(Map.of("tier", "back")).withAnnotations(Map.of("b", "2"))
        .endMetadata().editSpec().withReplicas(7).endSpec().withNewStatus().withReplicas(5)
        .endStatus().build()).updateStatus();

    assertThat(relabelled.getStatus().getReplicas()).isEqualTo(5);
    assertThat(relabelled.getMetadata().getAnnotations()).containsExactly(Map.entry("b", "2"));
    assertThat(relabelled.getMetadata().getLabels()).as("the labels are the stored ones")
        .containsExactly(Map.entry("tier", "front"));
    assertThat(relabelled.getSpec().getReplicas()).as("the spec is the stored one").isEqualTo(1);

    Deployment bare = client.apps().deployments().resource(new DeploymentBuilder(relabelled)
        .editMetadata().withAnnotations(null).endMetadata().build()).updateStatus();

    assertThat(bare.getMetadata().getAnnotations()).isNullOrEmpty();
  }
}
