package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.reconciler.OperatedOperator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The example's life on a real cluster: runs only when {@code KUBECONFIG} points at one and
 * {@code OPERATED_E2E_IMAGE} names a sample-service image its nodes can pull (README, "End to
 * end"). The operator runs in this JVM with its production configuration, in a namespace of its
 * own that the test deletes; the chart's install is the playground's README journey.
 */
@EnabledIfEnvironmentVariable(named = "KUBECONFIG", matches = ".+")
@EnabledIfEnvironmentVariable(named = "OPERATED_E2E_IMAGE", matches = ".+")
class RealClusterTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  @Test
  void theExampleGoesReadyRollsAndIsRemovedWithEverythingItOwns() throws Exception {
    String namespace = "operated-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      try (InputStream crd = Files.newInputStream(LocalEndToEnd.REPO.resolve(
          "crds/operatedservices.operated.dev-v1.yml"))) {
        client.resource(Serialization.unmarshal(crd, CustomResourceDefinition.class))
            .fieldManager(LocalCluster.FIELD_MANAGER).forceConflicts().serverSideApply();
      }
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(namespace).endMetadata().build()).create();
      Operator operator = OperatedOperator.create(client, Clock.systemUTC(), overrides -> { });
      operator.start();
      try {
        OperatedService resource;
        try (InputStream in = Files.newInputStream(LocalEndToEnd.EXAMPLE)) {
          resource = client.resources(OperatedService.class).load(in).item();
        }
        resource.setSpec(resource.getSpec().withImage(System.getenv("OPERATED_E2E_IMAGE")));
        resource.getMetadata().setNamespace(namespace);
        client.resource(resource).fieldManager(LocalCluster.FIELD_MANAGER).forceConflicts()
            .serverSideApply();
        awaitReady(client, namespace);

        var before = client.pods().inNamespace(namespace).list().getItems().stream()
            .map(pod -> pod.getMetadata().getName()).toList();
        client.apps().deployments().inNamespace(namespace).withName(LocalEndToEnd.NAME).patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE), Serialization.asJson(Map.of("spec",
                Map.of("template", Map.of("metadata", Map.of("annotations",
                    Map.of("kubectl.kubernetes.io/restartedAt", Instant.now().toString())))))));
        await("every pod replaced").atMost(TIMEOUT).until(() -> client.pods()
            .inNamespace(namespace).list().getItems().stream()
            .noneMatch(pod -> before.contains(pod.getMetadata().getName())));
        awaitReady(client, namespace);

        client.resources(OperatedService.class).inNamespace(namespace)
            .withName(LocalEndToEnd.NAME).delete();
        await().atMost(TIMEOUT).untilAsserted(() -> {
          assertThat(client.apps().deployments().inNamespace(namespace)
              .withName(LocalEndToEnd.NAME).get()).isNull();
          assertThat(client.pods().inNamespace(namespace).list().getItems()).isEmpty();
        });
      } finally {
        operator.stop();
        client.namespaces().withName(namespace).delete();
      }
    }
  }

  private static void awaitReady(KubernetesClient client, String namespace) {
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      OperatedService current = client.resources(OperatedService.class).inNamespace(namespace)
          .withName(LocalEndToEnd.NAME).get();
      Condition ready = current.getStatus() == null ? null
          : current.getStatus().condition("Ready").orElse(null);
      assertThat(ready).isNotNull();
      assertThat(ready.getStatus()).as(ready.getReason() + ": " + ready.getMessage())
          .isEqualTo("True");
      assertThat(current.getStatus().observedGeneration())
          .isEqualTo(current.getMetadata().getGeneration());
    });
  }
}
