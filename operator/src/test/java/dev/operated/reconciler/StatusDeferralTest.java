package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.api.SpecProblem;
import dev.operated.status.StatusAggregator;
import dev.operated.testing.MutableClock;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusDeferralTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T20:00:00Z"));
  private final StatusDeferral deferral = new StatusDeferral(clock);
  private final OperatedService orders = service("orders");
  private final OperatedService payments = service("payments");

  private static OperatedService service(String name) {
    OperatedService resource = new OperatedService("shop", name, new OperatedServiceSpec(
        name + ":1", 2, null, null, null, null, null, null, null, null, null, null));
    resource.getMetadata().setUid(name + "-uid");
    resource.getMetadata().setGeneration(1L);
    return resource;
  }

  /** Ready=False, Creating: no Deployment in the cache yet. */
  private OperatedServiceStatus creating(OperatedService resource) {
    return StatusAggregator.aggregate(resource, Optional.empty(), List.of(), List.of(),
        clock.instant());
  }

  private OperatedServiceStatus withDeployment(OperatedService resource, int ready) {
    Deployment deployment = new DeploymentBuilder()
        .withNewMetadata().withName(resource.getMetadata().getName()).withGeneration(1L)
        .endMetadata()
        .withNewSpec().withReplicas(2).endSpec()
        .withNewStatus().withObservedGeneration(1L).withReplicas(2).withUpdatedReplicas(2)
        .withReadyReplicas(ready).withAvailableReplicas(ready).endStatus()
        .build();
    return StatusAggregator.aggregate(resource, Optional.of(deployment), List.of(), List.of(),
        clock.instant());
  }

  private static String readyReason(OperatedServiceStatus status) {
    return status.condition("Ready").orElseThrow().getReason();
  }

  @Test
  void aServiceCreatedAloneReportsAtOnce() {
    deferral.creating(orders);

    assertThat(deferral.deferral(orders, creating(orders))).isEmpty();
  }

  @Test
  void progressWaitsWhileAnotherServiceIsCreatedAndIsReportedOnceThatIsQuiet() {
    deferral.creating(payments);
    deferral.creating(orders);
    clock.advance(Duration.ofMillis(400));
    OperatedServiceStatus status = creating(orders);
    assertThat(readyReason(status)).isEqualTo("Creating");

    assertThat(deferral.deferral(orders, status)).as("payments was created 400 ms ago")
        .hasValue(StatusDeferral.QUIET);
    assertThat(deferral.deferral(payments, creating(payments))).as("and orders, for payments")
        .hasValue(StatusDeferral.QUIET);

    clock.advance(StatusDeferral.QUIET);
    assertThat(deferral.deferral(orders, status)).as("a second without another creation")
        .isEmpty();
  }

  @Test
  void aStormThatEndsIsReportedAtTheNextLook() {
    deferral.creating(payments);
    OperatedServiceStatus status = creating(orders);
    assertThat(deferral.deferral(orders, status)).hasValue(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(900));
    deferral.creating(payments);
    clock.advance(Duration.ofMillis(100));
    assertThat(deferral.deferral(orders, status)).as("payments' objects 100 ms ago")
        .hasValue(Duration.ofSeconds(1));

    clock.advance(Duration.ofSeconds(1));
    assertThat(deferral.deferral(orders, status)).as("quiet for a second").isEmpty();
  }

  @Test
  void whatAUserActsOnOrWaitsForIsNeverDeferred() {
    OperatedServiceStatus ready = withDeployment(orders, 2);
    OperatedServiceStatus invalid = StatusAggregator.aggregate(orders, Optional.empty(),
        List.of(), List.of(new SpecProblem("spec.replicas", "must be at least 0")),
        clock.instant());
    OperatedServiceStatus rollingOut = withDeployment(orders, 1);
    deferral.creating(payments);

    assertThat(deferral.deferral(orders, ready)).isEmpty();
    assertThat(deferral.deferral(orders, invalid)).isEmpty();
    assertThat(readyReason(rollingOut)).isIn(StatusAggregator.PROGRESS_REASONS);
    assertThat(deferral.deferral(orders, rollingOut)).hasValue(StatusDeferral.QUIET);
  }

  /**
   * A rollout whose pods the API server refuses (a quota) reports RolloutInProgress, with
   * Degraded=True from the Deployment's ReplicaFailure: a problem, written at once.
   */
  @Test
  void aRolloutTheDeploymentReportsFailingIsNeverDeferred() {
    Deployment refused = new DeploymentBuilder()
        .withNewMetadata().withName("orders").withGeneration(1L).endMetadata()
        .withNewSpec().withReplicas(2).endSpec()
        .withNewStatus().withObservedGeneration(1L).addNewCondition().withType("ReplicaFailure")
        .withStatus("True").withReason("FailedCreate")
        .withMessage("pods \"orders-1\" is forbidden: exceeded quota").endCondition()
        .endStatus()
        .build();
    OperatedServiceStatus status = StatusAggregator.aggregate(orders, Optional.of(refused),
        List.of(), List.of(), clock.instant());
    deferral.creating(payments);

    assertThat(readyReason(status)).isIn(StatusAggregator.PROGRESS_REASONS);
    assertThat(status.condition("Degraded").orElseThrow().getStatus()).isEqualTo("True");
    assertThat(deferral.deferral(orders, status)).isEmpty();
  }

  /** Progress after an invalid spec was fixed says the problem is gone: written at once. */
  @Test
  void progressAfterAProblemIsNeverDeferred() {
    orders.setStatus(StatusAggregator.aggregate(orders, Optional.empty(), List.of(),
        List.of(new SpecProblem("spec.replicas", "must be at least 0")), clock.instant()));
    OperatedServiceStatus rollingOut = withDeployment(orders, 1);
    deferral.creating(payments);
    deferral.creating(orders);

    assertThat(readyReason(rollingOut)).isIn(StatusAggregator.PROGRESS_REASONS);
    assertThat(deferral.deferral(orders, rollingOut)).isEmpty();
    assertThat(deferral.deferral(payments, withDeployment(payments, 1)))
        .as("the same progress without a problem before it").hasValue(StatusDeferral.QUIET);
  }

  /** Flink's habit: the reschedule delays themselves are what is asserted. */
  @Test
  void progressIsReportedAfterTheLongestWaitHoweverLongCreationsGoOn() {
    OperatedServiceStatus status = creating(orders);
    List<Duration> looks = new ArrayList<>();
    Duration waited = Duration.ZERO;
    while (true) {
      deferral.creating(service("other-" + waited.toMillis()));
      Optional<Duration> wait = deferral.deferral(orders, status);
      if (wait.isEmpty()) {
        break;
      }
      looks.add(wait.get());
      clock.advance(wait.get());
      waited = waited.plus(wait.get());
    }

    assertThat(waited).isEqualTo(StatusDeferral.LONGEST);
    assertThat(looks).as("each as long as the wait so far, the last cut to the longest wait")
        .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(14));
    assertThat(deferral.deferral(payments, creating(payments))).as("a new wait for another")
        .isPresent();
  }
}
