package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A test of size, not speed: 1,000 OperatedServices (the repository's CRD, the sample manifest)
 * each with a Deployment and a Service applied as the operator applies them, rolled out to pods
 * by the Deployment controller, then all deleted and collected.
 */
class SizeTest {

  private static final int SERVICES = 1_000;
  /**
   * A bound, not a speed target (docs/benchmarks.md measures speed): what this test proves is
   * that a thousand services and their dependents are held and then collected. On two shared
   * cores the controllers have taken from about one minute to over two to settle.
   */
  private static final Duration SETTLE = Duration.ofMinutes(5);
  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().crds(REPO.resolve("crds")).start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> operatedServices() {
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup("operated.dev").withVersion("v1alpha1").withKind("OperatedService")
        .withPlural("operatedservices").withNamespaced(true).build());
  }

  @Test
  void holdsAThousandServicesWithTheirDependents() throws IOException {
    GenericKubernetesResource sample;
    try (InputStream in = Files.newInputStream(
        REPO.resolve("sample-service/deploy/operatedservice.yaml"))) {
      sample = client.getKubernetesSerialization().unmarshal(in,
          GenericKubernetesResource.class);
    }
    for (int i = 0; i < SERVICES; i++) {
      String name = "svc-" + i;
      sample.getMetadata().setName(name);
      sample.getMetadata().setNamespace("default");
      sample.setAdditionalProperty("spec", java.util.Map.of("image", "app:" + i,
          "replicas", 1));
      GenericKubernetesResource owner = operatedServices().resource(sample)
          .fieldManager("kubectl").serverSideApply();
      applyDependents(owner);
    }

    await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(client.apps().deployments().list().getItems())
            .hasSize(SERVICES).allSatisfy(deployment -> assertThat(deployment.getStatus())
                .isNotNull().satisfies(status -> assertThat(status.getAvailableReplicas())
                    .isEqualTo(1))));
    assertThat(operatedServices().list().getItems()).hasSize(SERVICES);
    assertThat(servicesBesidesTheApiServers()).hasSize(SERVICES);
    assertThat(client.pods().list().getItems()).hasSize(SERVICES);

    operatedServices().delete();

    await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> {
          assertThat(client.apps().deployments().list().getItems()).isEmpty();
          assertThat(client.apps().replicaSets().list().getItems()).isEmpty();
          assertThat(client.pods().list().getItems()).isEmpty();
          assertThat(servicesBesidesTheApiServers()).isEmpty();
        });
  }

  /** Every cluster has default/kubernetes (KubernetesService), which nothing here owns. */
  private static List<Service> servicesBesidesTheApiServers() {
    return client.services().list().getItems().stream().filter(service ->
        !KubernetesService.NAME.equals(service.getMetadata().getName())).toList();
  }

  private static void applyDependents(HasMetadata owner) {
    String name = owner.getMetadata().getName();
    OwnerReference reference = new OwnerReferenceBuilder().withApiVersion("operated.dev/v1alpha1")
        .withKind("OperatedService").withName(name).withUid(owner.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
    Deployment deployment = new DeploymentBuilder().withNewMetadata().withName(name)
        .withOwnerReferences(reference).endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name)
        .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1")
        .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer()
        .endSpec().endTemplate().endSpec().build();
    client.apps().deployments().resource(deployment).fieldManager("operated").forceConflicts()
        .serverSideApply();
    client.services().resource(new ServiceBuilder().withNewMetadata().withName(name)
        .withOwnerReferences(reference).endMetadata().withNewSpec().addToSelector("app", name)
        .addNewPort().withName("http").withPort(80).endPort().endSpec().build())
        .fieldManager("operated").forceConflicts().serverSideApply();
  }
}
