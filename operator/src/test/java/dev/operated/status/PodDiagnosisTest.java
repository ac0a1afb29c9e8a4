package dev.operated.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OperatedServiceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which container holds a service back, read from recorded pod states (test resources/pods). */
class PodDiagnosisTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  private static List<Pod> pods(String recording) {
    try (InputStream in = PodDiagnosisTest.class.getResourceAsStream("/pods/" + recording)) {
      return Serialization.unmarshal(in, KubernetesList.class).getItems().stream()
          .map(Pod.class::cast).collect(java.util.stream.Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PodFinding finding(String recording) {
    return PodDiagnosis.diagnose(pods(recording), NOW).orElseThrow();
  }

  @Test
  void aSidecarThatNeverStartedIsNamedAndTheWaitingAppIsNotBlamed() {
    PodFinding finding = finding("sidecar-never-started.yaml");
    assertThat(finding.reason()).isEqualTo(PodDiagnosis.SIDECAR_NOT_STARTED);
    assertThat(finding.container()).isEqualTo("otel-collector");
    assertThat(finding.role()).isEqualTo(ContainerRole.SIDECAR);
    assertThat(finding.message()).isEqualTo("sidecar otel-collector has not started in 1 of 1 "
        + "pods since 2026-11-25T09:58:00Z");
  }

  @Test
  void aSidecarNotReadyWhileTheAppIsReadyIsTheSidecarsFault() {
    PodFinding finding = finding("sidecar-not-ready.yaml");
    assertThat(finding.reason()).isEqualTo(PodDiagnosis.SIDECAR_NOT_READY);
    assertThat(finding.container()).isEqualTo("otel-collector");
    assertThat(finding.isFailure()).isFalse();
  }

  @Test
  void aCrashLoopingAppCarriesItsPanicEventFromTheTerminationMessage() {
    PodFinding finding = finding("app-crash-loop-panic.yaml");
    assertThat(finding.reason()).isEqualTo(PodDiagnosis.CRASH_LOOP);
    assertThat(finding.container()).isEqualTo("app");
    assertThat(finding.role()).isEqualTo(ContainerRole.APP);
    assertThat(finding.isFailure()).isTrue();
    // the panic event's message, not its JSON, and not the lines before it
    assertThat(finding.message()).isEqualTo("app container app is crash-looping in 1 of 1 pods "
        + "since 2026-11-25T09:57:00Z: restarted 4 times, last exit code 70 (Error): panic: "
        + "OutOfMemoryError in thread \"main\" (fatal, exiting): Java heap space");
  }

  @Test
  void anImagePullErrorNamesTheContainerAndTheRegistrysAnswer() {
    PodFinding finding = finding("image-pull-failing.yaml");
    assertThat(finding.reason()).isEqualTo(PodDiagnosis.IMAGE_PULL_FAILING);
    assertThat(finding.message()).isEqualTo("app container app cannot pull its image in 1 of 1 "
        + "pods since 2026-11-25T09:59:00Z: Back-off pulling image \"orders:does-not-exist\"");
  }

  @Test
  void anAppUnreadyLongAfterStartingIsFailingItsProbe() {
    assertThat(finding("probe-failing.yaml").reason()).isEqualTo(PodDiagnosis.PROBE_FAILING);
    // the same pod 20 s after its start is still warming up
    assertThat(PodDiagnosis.diagnose(pods("probe-failing.yaml"),
        Instant.parse("2026-11-25T09:58:20Z")).orElseThrow().reason())
        .isEqualTo(PodDiagnosis.APP_NOT_READY);
  }

  @Test
  void theReadinessBudgetIsThePodsOwnProbePeriodTimesItsFailureThreshold() {
    List<Pod> pods = pods("probe-failing.yaml"); // started 09:58:00
    pods.get(0).getSpec().getContainers().get(0).setReadinessProbe(new ProbeBuilder()
        .withPeriodSeconds(5).withFailureThreshold(2).build());
    Instant started = Instant.parse("2026-11-25T09:58:00Z");

    assertThat(PodDiagnosis.diagnose(pods, started.plusSeconds(9)).orElseThrow().reason())
        .isEqualTo(PodDiagnosis.APP_NOT_READY);
    assertThat(PodDiagnosis.diagnose(pods, started.plusSeconds(10)).orElseThrow().reason())
        .isEqualTo(PodDiagnosis.PROBE_FAILING);
    assertThat(PodDiagnosis.nextChange(pods, started.plusSeconds(3)))
        .contains(started.plusSeconds(10));
    assertThat(PodDiagnosis.nextChange(pods, started.plusSeconds(10))).isEmpty();
  }

  @Test
  void withoutAProbeInThePodKubernetesDefaultsDecide() {
    // SetDefaults_Probe (pkg/apis/core/v1/defaults.go): period 10 s, failure threshold 3
    assertThat(PodDiagnosis.nextChange(pods("probe-failing.yaml"),
        Instant.parse("2026-11-25T09:58:01Z"))).contains(Instant.parse("2026-11-25T09:58:30Z"));
  }

  @Test
  void aNotReadyServiceIsRecheckedWhenItsDiagnosisCanChangeAndAReadyOneIsNot() {
    OperatedService resource = new OperatedService("shop", "orders", new OperatedServiceSpec(
        "orders:2", 1, null, null, null, null, null, null, null, null, null, null));
    List<Pod> pods = pods("probe-failing.yaml");
    Instant sevenBeforeTheBudget = Instant.parse("2026-11-25T09:58:23Z");
    OperatedServiceStatus warmingUp = StatusAggregator.aggregate(resource,
        Optional.of(rollingOut()), pods, List.of(), sevenBeforeTheBudget);
    assertThat(StatusAggregator.reevaluateAfter(warmingUp, pods, sevenBeforeTheBudget))
        .contains(Duration.ofSeconds(7));

    Instant early = Instant.parse("2026-11-25T09:58:01Z"); // 29 s to go: the 10 s recheck first
    OperatedServiceStatus justStarted = StatusAggregator.aggregate(resource,
        Optional.of(rollingOut()), pods, List.of(), early);
    assertThat(StatusAggregator.reevaluateAfter(justStarted, pods, early))
        .contains(StatusAggregator.NOT_READY_RECHECK);

    OperatedServiceStatus failing = StatusAggregator.aggregate(resource,
        Optional.of(rollingOut()), pods, List.of(), NOW);
    assertThat(StatusAggregator.reevaluateAfter(failing, pods, NOW))
        .contains(StatusAggregator.NOT_READY_RECHECK);

    OperatedServiceStatus ready = StatusAggregator.aggregate(resource,
        Optional.of(rolledOut()), pods("all-ready.yaml"), List.of(), NOW);
    assertThat(ready.condition(ConditionTypes.READY).orElseThrow().getStatus()).isEqualTo("True");
    assertThat(StatusAggregator.reevaluateAfter(ready, pods("all-ready.yaml"), NOW)).isEmpty();
  }

  @Test
  void midRolloutTheInjectedProxyIsASidecarEvenWhenItIsTheFirstContainer() {
    PodFinding finding = finding("rollout-mixed.yaml");
    assertThat(finding.reason()).isEqualTo(PodDiagnosis.SIDECAR_NOT_READY);
    assertThat(finding.container()).isEqualTo("istio-proxy");
    assertThat(finding.pods()).isEqualTo(1);
    assertThat(finding.ofPods()).isEqualTo(3);
    assertThat(finding.message()).isEqualTo(
        "sidecar istio-proxy is not ready in 1 of 3 pods since 2026-11-25T09:59:40Z");
  }

  @Test
  void allReadyFindsNothing() {
    assertThat(PodDiagnosis.diagnose(pods("all-ready.yaml"), NOW)).isEmpty();
  }

  @Test
  void sidecarsStoppedDuringTerminationAreNotFailures() {
    assertThat(PodDiagnosis.diagnose(pods("terminating.yaml"), NOW)).isEmpty();
  }

  @Test
  void theMostActionableFindingWinsAcrossPods() {
    List<Pod> pods = new java.util.ArrayList<>(pods("probe-failing.yaml"));
    pods.addAll(pods("image-pull-failing.yaml"));
    pods.addAll(pods("all-ready.yaml"));
    PodFinding finding = PodDiagnosis.diagnose(pods, NOW).orElseThrow();
    assertThat(finding.reason()).isEqualTo(PodDiagnosis.IMAGE_PULL_FAILING);
    assertThat(finding.ofPods()).isEqualTo(3);
  }

  @Test
  void theStatusNamesTheContainerInTheReadyReasonAndACrashLoopDegradesTheService() {
    OperatedService resource = new OperatedService("shop", "orders", new OperatedServiceSpec(
        "orders:2", 1, null, null, null, null, null, null, null, null, null, null));
    resource.getMetadata().setGeneration(2L);

    OperatedServiceStatus crashing = StatusAggregator.aggregate(resource,
        Optional.of(rollingOut()), pods("app-crash-loop-panic.yaml"), List.of(), NOW);
    Condition ready = crashing.condition(ConditionTypes.READY).orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(PodDiagnosis.CRASH_LOOP);
    assertThat(ready.getMessage()).contains("app container app is crash-looping")
        .contains("panic: OutOfMemoryError").endsWith("(0 of 1 replicas updated, 0 ready, 1 old)");
    Condition degraded = crashing.condition(ConditionTypes.DEGRADED).orElseThrow();
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo(PodDiagnosis.CRASH_LOOP);

    OperatedServiceStatus sidecar = StatusAggregator.aggregate(resource,
        Optional.of(rollingOut()), pods("sidecar-not-ready.yaml"), List.of(), NOW);
    assertThat(sidecar.condition(ConditionTypes.READY).orElseThrow().getReason())
        .isEqualTo(PodDiagnosis.SIDECAR_NOT_READY);
    // slow is not broken
    assertThat(sidecar.condition(ConditionTypes.DEGRADED).orElseThrow().getStatus())
        .isEqualTo("False");
  }

  private static Deployment rolledOut() {
    return new DeploymentBuilder()
        .withNewMetadata().withName("orders").withGeneration(4L).endMetadata()
        .withNewSpec().withReplicas(1).endSpec()
        .withNewStatus().withObservedGeneration(4L).withReplicas(1).withUpdatedReplicas(1)
          .withReadyReplicas(1).withAvailableReplicas(1)
        .endStatus().build();
  }

  private static Deployment rollingOut() {
    return new DeploymentBuilder()
        .withNewMetadata().withName("orders").withGeneration(4L).endMetadata()
        .withNewSpec().withReplicas(1).endSpec()
        .withNewStatus().withObservedGeneration(4L).withReplicas(1).withUpdatedReplicas(0)
          .withReadyReplicas(0).withAvailableReplicas(0)
          .withConditions(new DeploymentConditionBuilder().withType("Progressing")
              .withStatus("True").withReason("ReplicaSetUpdated").build())
        .endStatus().build();
  }
}
