package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.StandardLabels;
import dev.operated.status.ConditionTypes;
import dev.operated.status.PodDiagnosis;
import dev.operated.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Watching a list of namespaces, each namespace's pods have an informer and a pruned store of
 * their own (ServicePods), and a service in either namespace is diagnosed from its own pods.
 */
class PodsPerNamespaceTest {

  @Test
  void servicesInEachWatchedNamespaceAreDiagnosedFromTheirOwnPods() {
    try (MockApiServer api = new MockApiServer("1.33")) {
      api.createNamespaces("shop", "billing");
      Operator operator = OperatedOperator.create(api.client, Clock.systemUTC(),
          dev.operated.desired.CollectorDefaults.standard(), Set.of("shop", "billing"),
          MockApiServer.WITHOUT_SSA);
      // there before the informers start, so each namespace's first list fills its own store
      for (String namespace : Set.of("shop", "billing")) {
        api.client.resource(new OperatedService(namespace, "orders",
            OperatedServiceSpec.ofImage("orders:1"))).create();
        api.client.resource(pullFailing(namespace)).create();
      }
      operator.start();
      try {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
          for (String namespace : Set.of("shop", "billing")) {
            OperatedService service = api.client.resources(OperatedService.class)
                .inNamespace(namespace).withName("orders").get();
            assertThat(service.getStatus()).as(namespace).isNotNull();
            assertThat(service.getStatus().condition(ConditionTypes.DEGRADED).map(Condition::getReason))
                .as(namespace).contains(PodDiagnosis.IMAGE_PULL_FAILING);
          }
        });
      } finally {
        operator.stop();
      }
    }
  }

  private static Pod pullFailing(String namespace) {
    return new PodBuilder()
        .withNewMetadata().withName("orders-7d9f-ddddd").withNamespace(namespace)
          .withLabels(Map.of(StandardLabels.MANAGED_BY, StandardLabels.MANAGER,
              StandardLabels.INSTANCE, "orders"))
        .endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("orders:nope").endContainer()
        .endSpec()
        .withNewStatus().withPhase("Pending")
          .addNewCondition().withType("Ready").withStatus("False")
            .withLastTransitionTime("2026-11-25T09:59:00Z").endCondition()
          .addNewContainerStatus().withName("app").withReady(false).withRestartCount(0)
            .withNewState().withNewWaiting().withReason("ImagePullBackOff")
              .withMessage("Back-off pulling image").endWaiting().endState()
          .endContainerStatus()
        .endStatus()
        .build();
  }
}
