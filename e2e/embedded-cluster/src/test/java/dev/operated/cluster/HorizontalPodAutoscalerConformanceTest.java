package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * kube-controller-manager's horizontal pod autoscaler on a cluster without a metrics API
 * (pkg/controller/podautoscaler/horizontal.go: reconcileAutoscaler, computeReplicasForMetrics,
 * getUnableComputeReplicaCountCondition, setStatus, setConditionInList), the v2 defaults
 * (pkg/apis/autoscaling/v2/defaults.go: SetDefaults_HorizontalPodAutoscaler) and its printer
 * (pkg/printers/internalversion/printers.go: printHorizontalPodAutoscaler, formatHPAMetrics).
 */
class HorizontalPodAutoscalerConformanceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);
  @TempDir
  Path temp;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
  }

  /** What a user of the playground types: the HPA made, defaulted, acted on and printed. */
  @Test
  void kubectlAutoscaleScalesTheDeploymentToItsMinimumAndPrintsTheUnmeasuredCpu()
      throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    Kubectl kubectl = Kubectl.against(clusters.cluster(), executable, temp, temp);
    client.apps().deployments().resource(Workloads.deployment("web", 1)).create();

    Kubectl.Result autoscaled = kubectl.run("autoscale", "deployment", "web", "--min=3",
        "--max=5");

    assertThat(autoscaled.output()).contains("horizontalpodautoscaler.autoscaling/web "
        + "autoscaled");
    assertThat(autoscaled.exitCode()).isZero();
    await().atMost(TIMEOUT).until(() -> replicas("web") == 3);
    HorizontalPodAutoscaler hpa = awaitStatus("web", status -> status.getDesiredReplicas() == 3);
    // SetDefaults_HorizontalPodAutoscaler: kubectl sent no metric
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(metric -> {
      assertThat(metric.getType()).isEqualTo("Resource");
      assertThat(metric.getResource().getName()).isEqualTo("cpu");
      assertThat(metric.getResource().getTarget().getType()).isEqualTo("Utilization");
      assertThat(metric.getResource().getTarget().getAverageUtilization()).isEqualTo(80);
    });
    assertThat(hpa.getStatus().getCurrentReplicas()).isEqualTo(1);
    assertThat(hpa.getStatus().getLastScaleTime()).isNotNull();
    assertThat(condition(hpa, "AbleToScale").getReason()).isEqualTo("SucceededRescale");
    assertThat(condition(hpa, "AbleToScale").getMessage())
        .isEqualTo("the HPA controller was able to update the target scale to 3");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("web"))
        .extracting(Event::getReason, Event::getMessage).contains(tuple("SuccessfulRescale",
            "New size: 3; reason: Current number of replicas below Spec.MinReplicas")));

    Kubectl.Result table = kubectl.run("get", "hpa");
    assertThat(table.output()).containsPattern(
        "NAME\\s+REFERENCE\\s+TARGETS\\s+MINPODS\\s+MAXPODS\\s+REPLICAS\\s+AGE")
        .containsPattern("web\\s+Deployment/web\\s+cpu: <unknown>/80%\\s+3\\s+5\\s+1\\s");
  }

  /** Inside its bounds the HPA needs metrics, and metrics.k8s.io is not served. */
  @Test
  void withinItsBoundsTheAutoscalerSaysItCannotReadTheMetricsAndScalesNothing() {
    client.apps().deployments().resource(Workloads.deployment("api", 2)).create();
    create(autoscaler("api", "Deployment", 1, 4));

    HorizontalPodAutoscaler hpa = awaitStatus("api",
        status -> status.getConditions().stream()
            .anyMatch(condition -> "ScalingActive".equals(condition.getType())));
    String unavailable = "failed to get cpu utilization: unable to get metrics for resource cpu: "
        + "unable to fetch metrics from resource metrics API: the server could not find the "
        + "requested resource (get pods.metrics.k8s.io)";
    assertThat(condition(hpa, "ScalingActive").getStatus()).isEqualTo("False");
    assertThat(condition(hpa, "ScalingActive").getReason()).isEqualTo("FailedGetResourceMetric");
    assertThat(condition(hpa, "ScalingActive").getMessage())
        .isEqualTo("the HPA was unable to compute the replica count: " + unavailable);
    assertThat(condition(hpa, "AbleToScale").getReason()).isEqualTo("SucceededGetScale");
    assertThat(hpa.getStatus().getCurrentReplicas()).isEqualTo(2);
    assertThat(replicas("api")).isEqualTo(2);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("api"))
        .extracting(Event::getReason, Event::getMessage).contains(
            tuple("FailedGetResourceMetric", unavailable),
            tuple("FailedComputeMetricsReplicas", "invalid metrics (1 invalid out of 1), first "
                + "error is: failed to get cpu resource metric value: " + unavailable)));

    // the next sync fails the same way: counted on the same Events, the status not written
    String edited = client.autoscaling().v2().horizontalPodAutoscalers().withName("api")
        .edit(autoscaler -> new HorizontalPodAutoscalerBuilder(autoscaler).editSpec()
            .withMaxReplicas(6).endSpec().build()).getMetadata().getResourceVersion();
    await().atMost(TIMEOUT).until(() -> events("api").stream()
        .anyMatch(event -> "FailedComputeMetricsReplicas".equals(event.getReason())
            && event.getCount() == 2));
    assertThat(events("api")).hasSize(2);
    HorizontalPodAutoscaler after = client.autoscaling().v2().horizontalPodAutoscalers()
        .withName("api").get();
    assertThat(after.getStatus()).isEqualTo(hpa.getStatus());
    assertThat(after.getMetadata().getResourceVersion()).as("only the spec edit written")
        .isEqualTo(edited);
  }

  /** Above the maximum it scales down; a target at zero is left alone; a missing one said. */
  @Test
  void aCountAboveTheMaximumIsScaledDownAndZeroOrAMissingTargetIsNot() {
    client.apps().deployments().resource(Workloads.deployment("big", 9)).create();
    client.apps().deployments().resource(Workloads.deployment("off", 0)).create();
    create(autoscaler("big", "Deployment", 2, 4));
    create(autoscaler("off", "Deployment", 2, 4));
    create(autoscaler("gone", "Deployment", 2, 4));
    create(autoscaler("odd", "StatefulSet", 2, 4));

    await().atMost(TIMEOUT).until(() -> replicas("big") == 4);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("big"))
        .extracting(Event::getMessage)
        .contains("New size: 4; reason: Current number of replicas above Spec.MaxReplicas"));

    HorizontalPodAutoscaler off = awaitStatus("off", status -> !status.getConditions().isEmpty());
    assertThat(condition(off, "ScalingActive").getReason()).isEqualTo("ScalingDisabled");
    assertThat(off.getStatus().getDesiredReplicas()).isZero();
    assertThat(replicas("off")).isZero();

    HorizontalPodAutoscaler gone = awaitStatus("gone",
        status -> !status.getConditions().isEmpty());
    assertThat(condition(gone, "AbleToScale").getStatus()).isEqualTo("False");
    assertThat(condition(gone, "AbleToScale").getMessage()).isEqualTo("the HPA controller was "
        + "unable to get the target's current scale: deployments.apps \"gone\" not found");
    HorizontalPodAutoscaler odd = awaitStatus("odd", status -> !status.getConditions().isEmpty());
    assertThat(condition(odd, "AbleToScale").getReason()).isEqualTo("FailedGetScale");
  }

  /** The Scale an HPA reads names the target's pods (the Deployment's scale strategy). */
  @Test
  void aDeploymentsScaleCarriesItsSelector() {
    client.apps().deployments().resource(Workloads.deployment("web", 2)).create();

    assertThat(client.apps().deployments().withName("web").scale().getStatus().getSelector())
        .isEqualTo("app=web");
  }

  /** v2's defaults: a behavior given in part is completed from the default rules. */
  @Test
  void aBehaviorGivenInPartIsCompletedWithTheDefaultRules() {
    HorizontalPodAutoscaler created = create(new HorizontalPodAutoscalerBuilder(
        autoscaler("web", "Deployment", 1, 3)).editSpec().withNewBehavior().withNewScaleDown()
        .withStabilizationWindowSeconds(60).endScaleDown().endBehavior().endSpec().build());

    var behavior = created.getSpec().getBehavior();
    assertThat(behavior.getScaleDown().getStabilizationWindowSeconds()).isEqualTo(60);
    assertThat(behavior.getScaleDown().getSelectPolicy()).isEqualTo("Max");
    assertThat(behavior.getScaleDown().getPolicies()).singleElement().satisfies(policy -> {
      assertThat(policy.getType()).isEqualTo("Percent");
      assertThat(policy.getValue()).isEqualTo(100);
      assertThat(policy.getPeriodSeconds()).isEqualTo(15);
    });
    assertThat(behavior.getScaleUp().getStabilizationWindowSeconds()).isZero();
    assertThat(behavior.getScaleUp().getPolicies()).extracting(policy -> policy.getType()
        + " " + policy.getValue()).containsExactly("Pods 4", "Percent 100");
  }

  private static HorizontalPodAutoscaler autoscaler(String target, String kind, int min,
      int max) {
    return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(target)
        .endMetadata().withNewSpec().withNewScaleTargetRef()
        .withApiVersion("apps/v1").withKind(kind)
        .withName(target).endScaleTargetRef().withMinReplicas(min).withMaxReplicas(max)
        .endSpec().build();
  }

  private HorizontalPodAutoscaler create(HorizontalPodAutoscaler autoscaler) {
    return client.autoscaling().v2().horizontalPodAutoscalers().resource(autoscaler).create();
  }

  private HorizontalPodAutoscaler awaitStatus(String name,
      Predicate<HorizontalPodAutoscalerStatus> test) {
    return await().atMost(TIMEOUT).until(() -> client.autoscaling().v2()
        .horizontalPodAutoscalers().withName(name).get(), hpa -> hpa.getStatus() != null
        && hpa.getStatus().getConditions() != null && test.test(hpa.getStatus()));
  }

  private int replicas(String deployment) {
    return client.apps().deployments().withName(deployment).get().getSpec().getReplicas();
  }

  private List<Event> events(String involved) {
    return client.v1().events().withField("involvedObject.name", involved).list().getItems();
  }

  private static HorizontalPodAutoscalerCondition condition(HorizontalPodAutoscaler hpa,
      String type) {
    return hpa.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
        .findFirst().orElseThrow(() -> new AssertionError("no " + type + " condition in "
            + hpa.getStatus()));
  }
}
