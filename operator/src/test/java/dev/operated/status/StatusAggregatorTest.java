package dev.operated.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.api.SpecProblem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusAggregatorTest {

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-25T10:05:00Z");

  private static OperatedService service(Integer replicas) {
    OperatedService resource = new OperatedService("shop", "orders", new OperatedServiceSpec(
        "orders:1", replicas, null, null, null, null, null, null, null, null, null, null));
    resource.getMetadata().setGeneration(3L);
    return resource;
  }

  private static Deployment deployment(int specReplicas, int replicas, int updated, int ready,
      int available, String progressingReason) {
    return new DeploymentBuilder()
        .withNewMetadata().withName("orders").withGeneration(5L).endMetadata()
        .withNewSpec().withReplicas(specReplicas).endSpec()
        .withNewStatus()
          .withObservedGeneration(5L)
          .withReplicas(replicas).withUpdatedReplicas(updated).withReadyReplicas(ready)
          .withAvailableReplicas(available)
          .withConditions(new DeploymentConditionBuilder().withType("Progressing")
              .withStatus("ProgressDeadlineExceeded".equals(progressingReason) ? "False" : "True")
              .withReason(progressingReason).withMessage("ReplicaSet \"orders-abc\" "
                  + ("ProgressDeadlineExceeded".equals(progressingReason) ? "has timed out "
                  + "progressing." : "is progressing.")).build())
        .endStatus()
        .build();
  }

  private static Condition condition(OperatedServiceStatus status, String type) {
    return status.condition(type).orElseThrow();
  }

  /**
   * The operator compares and patches only the condition types in ConditionTypes.REPORTED (the
   * others are another writer's): a type it reported outside that set would be a change on every
   * reconcile, and a status write with it.
   */
  @Test
  void everyStatusReportsExactlyTheTypesTheOperatorCompares() {
    List<OperatedServiceStatus> statuses = List.of(
        StatusAggregator.aggregate(service(3), Optional.empty(), List.of(), List.of(), T0),
        StatusAggregator.aggregate(service(3),
            Optional.of(deployment(3, 3, 3, 3, 3, "NewReplicaSetAvailable")), List.of(),
            List.of(), T0),
        StatusAggregator.aggregate(service(2), Optional.empty(), List.of(),
            List.of(new SpecProblem("spec.image", "has no tag")), T0),
        StatusAggregator.applyFailed(service(2), Optional.empty(), "422", T0));
    for (OperatedServiceStatus status : statuses) {
      assertThat(status.conditions()).extracting(Condition::getType)
          .containsExactlyInAnyOrderElementsOf(ConditionTypes.REPORTED);
    }
  }

  @Test
  void allReplicasReadyOnTheCurrentSpecIsReady() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(3),
        Optional.of(deployment(3, 3, 3, 3, 3, "NewReplicaSetAvailable")), List.of(), List.of(), T0);

    assertThat(status.ready()).isEqualTo("3/3");
    assertThat(status.observedGeneration()).isEqualTo(3L);
    Condition ready = condition(status, ConditionTypes.READY);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("AllReplicasReady");
    assertThat(ready.getObservedGeneration()).isEqualTo(3L);
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(condition(status, ConditionTypes.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(condition(status, ConditionTypes.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void aRolloutInProgressIsProgressingAndNotYetReady() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(3),
        Optional.of(deployment(3, 4, 1, 3, 3, "ReplicaSetUpdated")), List.of(), List.of(), T0);

    assertThat(condition(status, ConditionTypes.READY).getReason())
        .isEqualTo("RolloutInProgress");
    assertThat(condition(status, ConditionTypes.READY).getMessage())
        .isEqualTo("1 of 3 replicas updated, 3 ready, 3 old");
    Condition progressing = condition(status, ConditionTypes.PROGRESSING);
    assertThat(progressing.getStatus()).isEqualTo("True");
    assertThat(progressing.getReason()).isEqualTo("ReplicaSetUpdated");
  }

  @Test
  void aStuckRolloutIsDegradedWithTheDeploymentsReason() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(2),
        Optional.of(deployment(2, 3, 1, 2, 2, "ProgressDeadlineExceeded")), List.of(), List.of(), T0);

    assertThat(condition(status, ConditionTypes.READY).getReason())
        .isEqualTo("ProgressDeadlineExceeded");
    assertThat(condition(status, ConditionTypes.READY).getMessage())
        .contains("has timed out progressing").contains("1 of 2 replicas updated");
    assertThat(condition(status, ConditionTypes.PROGRESSING).getStatus()).isEqualTo("False");
    Condition degraded = condition(status, ConditionTypes.DEGRADED);
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo("ProgressDeadlineExceeded");
  }

  /** kubectl rollout pause on the operator's Deployment: the new spec waits, and it says so. */
  @Test
  void aPausedDeploymentWithTheSpecNotRolledOutSaysHowToResumeIt() {
    Deployment paused = new DeploymentBuilder(deployment(2, 2, 0, 2, 2, "DeploymentPaused"))
        .editSpec().withPaused(true).endSpec().build();

    OperatedServiceStatus status = StatusAggregator.aggregate(service(2), Optional.of(paused),
        List.of(), List.of(), T0);

    Condition ready = condition(status, ConditionTypes.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(StatusAggregator.ROLLOUT_PAUSED);
    assertThat(ready.getMessage()).isEqualTo("the Deployment is paused (spec.paused), so the "
        + "current spec is not rolled out (0 of 2 replicas updated, 2 ready, 2 old): kubectl "
        + "rollout resume deployment/orders");
    assertThat(condition(status, ConditionTypes.PROGRESSING).getReason())
        .isEqualTo(StatusAggregator.ROLLOUT_PAUSED);
    assertThat(condition(status, ConditionTypes.DEGRADED).getStatus()).isEqualTo("False");

    OperatedServiceStatus rolledOut = StatusAggregator.aggregate(service(2), Optional.of(
        new DeploymentBuilder(deployment(2, 2, 2, 2, 2, "DeploymentPaused")).editSpec()
            .withPaused(true).endSpec().build()), List.of(), List.of(), T0);
    assertThat(condition(rolledOut, ConditionTypes.READY).getReason())
        .as("paused after the spec rolled out: nothing held").isEqualTo("AllReplicasReady");
  }

  /**
   * An HPA on a Deployment whose replicas the spec sets: each undoes the other's count, so the
   * service is Degraded and says which field to remove; Ready still reports the pods.
   */
  @Test
  void anHpaScalingADeploymentWhoseReplicasTheSpecSetsIsDegradedNamingTheFieldToRemove() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(2),
        Optional.of(deployment(2, 2, 2, 2, 2, "NewReplicaSetAvailable")), List.of(),
        List.of("orders", "orders-burst"), List.of(), T0);

    assertThat(condition(status, ConditionTypes.READY).getReason()).isEqualTo("AllReplicasReady");
    Condition degraded = condition(status, ConditionTypes.DEGRADED);
    assertThat(degraded.getStatus()).isEqualTo("True");
    assertThat(degraded.getReason()).isEqualTo(StatusAggregator.REPLICAS_CONTESTED);
    assertThat(degraded.getMessage()).isEqualTo("HorizontalPodAutoscaler orders, orders-burst "
        + "scales Deployment orders, and spec.replicas (2) sets its count back on every "
        + "reconcile, so pods start and stop on each round: remove spec.replicas to leave "
        + "scaling to the HPA, or delete the HPA");
  }

  /** Without spec.replicas the HPA alone scales; a failure of the pods is told first. */
  @Test
  void anHpaIsNoContestWithoutSpecReplicasAndDoesNotHideAStuckRollout() {
    OperatedServiceStatus unscaled = StatusAggregator.aggregate(service(null),
        Optional.of(deployment(4, 4, 4, 4, 4, "NewReplicaSetAvailable")), List.of(),
        List.of("orders"), List.of(), T0);
    assertThat(condition(unscaled, ConditionTypes.DEGRADED).getStatus()).isEqualTo("False");

    OperatedServiceStatus stuck = StatusAggregator.aggregate(service(2),
        Optional.of(deployment(2, 3, 1, 2, 2, "ProgressDeadlineExceeded")), List.of(),
        List.of("orders"), List.of(), T0);
    assertThat(condition(stuck, ConditionTypes.DEGRADED).getReason())
        .isEqualTo("ProgressDeadlineExceeded");
  }

  @Test
  void anInvalidSpecListsEveryProblem() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(2),
        Optional.of(deployment(2, 2, 2, 2, 2, "NewReplicaSetAvailable")), List.of(),
        List.of(new SpecProblem("spec.image", "has no tag"),
            new SpecProblem("spec.replicas", "must be 0 or more")), T0);

    Condition ready = condition(status, ConditionTypes.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getMessage()).contains("spec.image: has no tag")
        .contains("spec.replicas: must be 0 or more").contains("left as it was");
    assertThat(status.ready()).as("counts still describe what runs").isEqualTo("2/2");
    assertThat(condition(status, ConditionTypes.DEGRADED).getStatus()).isEqualTo("True");
  }

  @Test
  void noDeploymentYetIsCreating() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(2), Optional.empty(),
        List.of(), List.of(), T0);
    assertThat(condition(status, ConditionTypes.READY).getReason()).isEqualTo("Creating");
    assertThat(status.ready()).isEqualTo("0/2");
  }

  @Test
  void theDesiredCountComesFromTheDeploymentWhenAnHpaScales() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(null),
        Optional.of(deployment(5, 5, 5, 5, 5, "NewReplicaSetAvailable")), List.of(), List.of(), T0);
    assertThat(status.ready()).isEqualTo("5/5");
    assertThat(condition(status, ConditionTypes.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void transitionTimesStayUntilTheStatusChangesSoAnUnchangedServiceIsNotRewritten() {
    OperatedService resource = service(3);
    Deployment deployment = deployment(3, 3, 3, 3, 3, "NewReplicaSetAvailable");
    OperatedServiceStatus first = StatusAggregator.aggregate(resource, Optional.of(deployment), List.of(), List.of(), T0);
    resource.setStatus(first);

    OperatedServiceStatus again = StatusAggregator.aggregate(resource, Optional.of(deployment), List.of(), List.of(), T1);
    assertThat(again).isEqualTo(first);

    OperatedServiceStatus rollout = StatusAggregator.aggregate(resource,
        Optional.of(deployment(3, 4, 1, 3, 3, "ReplicaSetUpdated")), List.of(), List.of(), T1);
    assertThat(condition(rollout, ConditionTypes.READY).getLastTransitionTime())
        .isEqualTo("2026-11-25T10:05:00Z");
    assertThat(condition(rollout, ConditionTypes.DEGRADED).getLastTransitionTime())
        .as("Degraded stayed False").isEqualTo("2026-11-25T10:00:00Z");
  }

  @Test
  void zeroReplicasIsReadyAsScaledToZero() {
    OperatedServiceStatus status = StatusAggregator.aggregate(service(0),
        Optional.of(deployment(0, 0, 0, 0, 0, "NewReplicaSetAvailable")), List.of(), List.of(), T0);
    assertThat(condition(status, ConditionTypes.READY).getReason()).isEqualTo("ScaledToZero");
    assertThat(status.ready()).isEqualTo("0/0");
  }
}
