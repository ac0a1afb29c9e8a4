package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What kube-controller-manager's disruption controller writes into a PodDisruptionBudget's
 * status (pkg/controller/disruption/disruption.go: trySync, getExpectedPodCount,
 * getExpectedScale, countHealthyPods, failSafe; UpdateDisruptionAllowedCondition), on a node
 * whose pods a test makes ready one by one.
 */
class DisruptionControllerConformanceTest {

  private final ReadinessNode node = new ReadinessNode();

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(() -> EmbeddedCluster.builder().node(node));
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
  }

  /** maxUnavailable: the Deployment's replicas are expected, and one of them may go. */
  @Test
  void aBudgetOfADeploymentAllowsWhatItsReadyPodsLeaveOver() {
    client.apps().deployments().resource(Workloads.deployment("web", 3)).create();
    budget("web", new PodDisruptionBudgetBuilder().withNewSpec()
        .withMaxUnavailable(new IntOrString(1)).withNewSelector().addToMatchLabels("app", "web")
        .endSelector().endSpec());

    PodDisruptionBudgetStatus none = awaitStatus("web", 3, 0);
    assertThat(none.getDesiredHealthy()).isEqualTo(2);
    assertThat(none.getDisruptionsAllowed()).isZero();
    assertThat(none.getConditions()).singleElement().satisfies(condition -> {
      assertThat(condition.getType()).isEqualTo("DisruptionAllowed");
      assertThat(condition.getStatus()).isEqualTo("False");
      assertThat(condition.getReason()).isEqualTo("InsufficientPods");
    });

    pods("web").forEach(node::ready);

    PodDisruptionBudgetStatus all = awaitStatus("web", 3, 3);
    assertThat(all.getDisruptionsAllowed()).isEqualTo(1);
    assertThat(all.getObservedGeneration()).isEqualTo(1L);
    assertThat(all.getConditions().get(0).getReason()).isEqualTo("SufficientPods");
    assertThat(all.getConditions().get(0).getStatus()).isEqualTo("True");
  }

  /** minAvailable as a number counts the matching pods; a percentage needs their controller. */
  @Test
  void minAvailableCountsPodsAndAPercentageOfPodsWithoutAControllerFailsSafe() {
    for (String name : List.of("a", "b")) {
      client.pods().resource(new PodBuilder().withNewMetadata().withName(name)
          .addToLabels("app", "bare").endMetadata().withNewSpec().addNewContainer()
          .withName("app").withImage("bare:1").endContainer().endSpec().build()).create();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> pods("bare").size() == 2);
    node.ready("a");
    budget("counted", new PodDisruptionBudgetBuilder().withNewSpec()
        .withMinAvailable(new IntOrString(1)).withNewSelector().addToMatchLabels("app", "bare")
        .endSelector().endSpec());
    budget("shared", new PodDisruptionBudgetBuilder().withNewSpec()
        .withMinAvailable(new IntOrString("50%")).withNewSelector()
        .addToMatchLabels("app", "bare").endSelector().endSpec());

    PodDisruptionBudgetStatus counted = awaitStatus("counted", 2, 1);
    assertThat(counted.getDesiredHealthy()).isEqualTo(1);
    assertThat(counted.getDisruptionsAllowed()).isZero();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        get("shared").getStatus()).isNotNull());
    PodDisruptionBudgetStatus failed = get("shared").getStatus();
    assertThat(failed.getDisruptionsAllowed()).isZero();
    assertThat(failed.getConditions()).singleElement().satisfies(condition -> {
      assertThat(condition.getReason()).isEqualTo("SyncFailed");
      assertThat(condition.getMessage()).startsWith("found no controller ref for pod");
    });
  }

  /**
   * updatePdbStatus compares what it computed with the status as stored, not with what it last
   * wrote: another writer (an eviction takes a disruption; here a client's status patch) leaves
   * a status the counts no longer match, and the next sync puts it right although the counts are
   * those it wrote before. It compared with its own last write, and a drain whose evicted pod's
   * replacement was ready before the deletion was synced waited on "0 allowed" for good.
   */
  @Test
  void aStatusAnotherWriterChangedIsPutRightAtTheNextSyncThoughTheCountsAreUnchanged() {
    client.apps().deployments().resource(Workloads.deployment("web", 2)).create();
    budget("web", new PodDisruptionBudgetBuilder().withNewSpec()
        .withMaxUnavailable(new IntOrString(1)).withNewSelector().addToMatchLabels("app", "web")
        .endSelector().endSpec());
    await().atMost(Duration.ofSeconds(10)).until(() -> pods("web").size() == 2);
    pods("web").forEach(node::ready);
    assertThat(awaitStatus("web", 2, 2).getDisruptionsAllowed()).isEqualTo(1);

    client.policy().v1().podDisruptionBudget().withName("web").editStatus(budget ->
        new PodDisruptionBudgetBuilder(budget).editStatus().withDisruptionsAllowed(0)
            .endStatus().build());
    assertThat(get("web").getStatus().getDisruptionsAllowed()).isZero();
    // a pod change that leaves every count as it was wakes the budget
    client.pods().withName(pods("web").get(0)).edit(pod -> new PodBuilder(pod).editMetadata()
        .addToLabels("touched", "yes").endMetadata().build());

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(get("web").getStatus().getDisruptionsAllowed()).isEqualTo(1));
  }

  private void budget(String name, PodDisruptionBudgetBuilder builder) {
    client.policy().v1().podDisruptionBudget().resource(builder.withNewMetadata().withName(name)
        .endMetadata().build()).create();
  }

  private PodDisruptionBudget get(String name) {
    return client.policy().v1().podDisruptionBudget().withName(name).get();
  }

  private PodDisruptionBudgetStatus awaitStatus(String name, int expectedPods, int healthy) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      PodDisruptionBudgetStatus status = get(name).getStatus();
      assertThat(status).isNotNull();
      assertThat(status.getExpectedPods()).isEqualTo(expectedPods);
      assertThat(status.getCurrentHealthy()).isEqualTo(healthy);
    });
    return get(name).getStatus();
  }

  private List<String> pods(String app) {
    return client.pods().withLabel("app", app).list().getItems().stream()
        .map(pod -> pod.getMetadata().getName()).toList();
  }
}
