package dev.operated.status;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.validation.OperatedServiceValidator;
import dev.operated.api.SpecProblem;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what was observed (the Deployment, its pods, the spec's problems) into the
 * OperatedService status. While the service is not ready, the pods say why: the Ready reason is
 * then the container at fault ({@link PodDiagnosis}) rather than a bare replica count.
 * Pure: the same observation always gives the same status, and a condition keeps its
 * lastTransitionTime until its status changes, so an unchanged service is never rewritten.
 */
public final class StatusAggregator {

  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String APPLY_FAILED = "ApplyFailed";
  /** Ready's reason while the Deployment is paused with the current spec not rolled out. */
  public static final String ROLLOUT_PAUSED = "RolloutPaused";
  /** Degraded's reason while an HPA scales a Deployment whose replicas the spec sets. */
  public static final String REPLICAS_CONTESTED = "ReplicasContested";
  /**
   * Ready=False reasons that only say the rollout is under way: their Events are Normal, and
   * their status may wait while other services are created (StatusDeferral).
   */
  public static final Set<String> PROGRESS_REASONS = Set.of("Creating", "RolloutInProgress");

  private StatusAggregator() {
  }

  /** What one observation says, before transition times are applied. */
  private record Verdict(boolean ready, String readyReason, String readyMessage,
      boolean progressing, String progressingReason, String progressingMessage,
      boolean degraded, String degradedReason, String degradedMessage) {
  }

  public static OperatedServiceStatus aggregate(OperatedService resource,
      Optional<Deployment> deployment, List<Pod> pods, List<SpecProblem> problems, Instant now) {
    return aggregate(resource, deployment, pods, List.of(), problems, now);
  }

  /**
   * @param autoscalers the names of the HorizontalPodAutoscalers that scale the Deployment
   */
  public static OperatedServiceStatus aggregate(OperatedService resource,
      Optional<Deployment> deployment, List<Pod> pods, List<String> autoscalers,
      List<SpecProblem> problems, Instant now) {
    int desired = desiredReplicas(resource, deployment);
    Verdict verdict = problems.isEmpty()
        ? contested(judge(resource, deployment, desired, PodDiagnosis.diagnose(pods, now)),
            resource, autoscalers)
        : invalid(problems);
    return status(resource, deployment, desired, verdict, now);
  }

  /**
   * Degraded, unless it already is for another reason, while an HPA scales the Deployment and
   * the spec sets its replicas too: the HPA's controller scales it, the operator's next apply
   * takes the count back, and pods start and stop on every round (the HPA walkthrough: "remove
   * spec.replicas"). The operator keeps applying the spec, which is what the user declared.
   */
  private static Verdict contested(Verdict verdict, OperatedService resource,
      List<String> autoscalers) {
    Integer replicas = resource.getSpec() == null ? null : resource.getSpec().replicas();
    if (replicas == null || autoscalers.isEmpty() || verdict.degraded()) {
      return verdict;
    }
    String message = "HorizontalPodAutoscaler " + String.join(", ", autoscalers) + " scales "
        + "Deployment " + resource.getMetadata().getName() + ", and spec.replicas (" + replicas
        + ") sets its count back on every reconcile, so pods start and stop on each round: "
        + "remove spec.replicas to leave scaling to the HPA, or delete the HPA";
    return new Verdict(verdict.ready(), verdict.readyReason(), verdict.readyMessage(),
        verdict.progressing(), verdict.progressingReason(), verdict.progressingMessage(), true,
        REPLICAS_CONTESTED, message);
  }

  /**
   * The status while the API server refuses what the operator applies (a 422, a 403): said as
   * the API server said it, naming the object, and kept until an apply succeeds; the replica
   * counts still show what runs.
   */
  public static OperatedServiceStatus applyFailed(OperatedService resource,
      Optional<Deployment> deployment, String failure, Instant now) {
    String message = "applying the desired state failed, the running objects are left as they "
        + "are and the operator retries: " + failure;
    Verdict verdict = new Verdict(false, APPLY_FAILED, message, false, APPLY_FAILED, message,
        true, APPLY_FAILED, message);
    return status(resource, deployment, desiredReplicas(resource, deployment), verdict, now);
  }

  private static OperatedServiceStatus status(OperatedService resource,
      Optional<Deployment> deployment, int desired, Verdict verdict, Instant now) {
    Optional<DeploymentStatus> observed = deployment.map(Deployment::getStatus);
    int ready = observed.map(DeploymentStatus::getReadyReplicas).orElse(0);
    long generation = generation(resource);
    Optional<OperatedServiceStatus> previous = Optional.ofNullable(resource.getStatus());
    List<Condition> conditions = List.of(
        condition(previous, ConditionTypes.READY, verdict.ready(), verdict.readyReason(),
            verdict.readyMessage(), generation, now),
        condition(previous, ConditionTypes.PROGRESSING, verdict.progressing(),
            verdict.progressingReason(), verdict.progressingMessage(), generation, now),
        condition(previous, ConditionTypes.DEGRADED, verdict.degraded(), verdict.degradedReason(),
            verdict.degradedMessage(), generation, now));
    return new OperatedServiceStatus(generation,
        observed.map(DeploymentStatus::getReplicas).orElse(0),
        ready,
        observed.map(DeploymentStatus::getUpdatedReplicas)
            .orElse(0),
        observed.map(DeploymentStatus::getAvailableReplicas)
            .orElse(0),
        ready + "/" + desired,
        conditions);
  }

  private static Verdict invalid(List<SpecProblem> problems) {
    String message = "the spec has " + problems.size() + " problem(s); the running Deployment is "
        + "left as it was until they are fixed:\n" + OperatedServiceValidator.describe(problems);
    return new Verdict(false, INVALID_SPEC, message, false, INVALID_SPEC, message,
        true, INVALID_SPEC, message);
  }

  private static Verdict judge(OperatedService resource, Optional<Deployment> found, int desired,
      Optional<PodFinding> finding) {
    if (found.isEmpty()) {
      String message = "creating Deployment " + resource.getMetadata().getName();
      return new Verdict(false, "Creating", message, true, "Creating", message,
          false, "AsExpected", "no problem observed");
    }
    Deployment deployment = found.get();
    DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus()
        : deployment.getStatus();
    int ready = zeroIfNull(status.getReadyReplicas());
    int updated = zeroIfNull(status.getUpdatedReplicas());
    int total = zeroIfNull(status.getReplicas());
    int available = zeroIfNull(status.getAvailableReplicas());
    boolean generationObserved = status.getObservedGeneration() != null
        && status.getObservedGeneration() >= generation(deployment);
    Optional<DeploymentCondition> progressing = deploymentCondition(status, "Progressing");
    Optional<DeploymentCondition> replicaFailure = deploymentCondition(status, "ReplicaFailure")
        .filter(c -> "True".equals(c.getStatus()));
    boolean deadlineExceeded = progressing
        .filter(c -> "ProgressDeadlineExceeded".equals(c.getReason())).isPresent();
    boolean rolledOut = generationObserved && updated >= desired && total == updated
        && available >= desired;

    Optional<PodFinding> failure = finding.filter(PodFinding::isFailure);
    boolean degraded = deadlineExceeded || replicaFailure.isPresent() || failure.isPresent();
    String degradedReason = failure.map(PodFinding::reason)
        .orElse(deadlineExceeded ? "ProgressDeadlineExceeded"
            : replicaFailure.map(DeploymentCondition::getReason).orElse("AsExpected"));
    String degradedMessage = failure.map(PodFinding::message)
        .orElse(deadlineExceeded ? progressing.get().getMessage()
            : replicaFailure.map(DeploymentCondition::getMessage).orElse("no problem observed"));

    if (rolledOut && ready >= desired) {
      String message = ready + "/" + desired + " replicas ready on the current spec";
      return new Verdict(true, desired == 0 ? "ScaledToZero" : "AllReplicasReady", message,
          false, "RolloutComplete", message, degraded, degradedReason, degradedMessage);
    }
    String rollout = updated + " of " + desired + " replicas updated, " + ready + " ready, "
        + (total - updated) + " old";
    if (deadlineExceeded) {
      return new Verdict(false, finding.map(PodFinding::reason).orElse("ProgressDeadlineExceeded"),
          finding.map(f -> f.message() + "; ").orElse("") + progressing.get().getMessage()
              + " (" + rollout + ")", false, "ProgressDeadlineExceeded", rollout,
          true, degradedReason, degradedMessage);
    }
    if (!rolledOut && deployment.getSpec() != null
        && Boolean.TRUE.equals(deployment.getSpec().getPaused())) {
      // someone paused it (kubectl rollout pause): the operator does not own spec.paused and
      // leaves it, so it says what holds the rollout and how to let it go on
      String message = "the Deployment is paused (spec.paused), so the current spec is not "
          + "rolled out (" + rollout + "): kubectl rollout resume deployment/"
          + deployment.getMetadata().getName();
      return new Verdict(false, ROLLOUT_PAUSED, message, false, ROLLOUT_PAUSED, message,
          degraded, degradedReason, degradedMessage);
    }
    if (!rolledOut) {
      String reason = progressing.map(DeploymentCondition::getReason).orElse("RolloutInProgress");
      return new Verdict(false, finding.map(PodFinding::reason).orElse("RolloutInProgress"),
          finding.map(f -> f.message() + " (" + rollout + ")").orElse(rollout), true, reason,
          rollout, degraded, degradedReason, degradedMessage);
    }
    String message = ready + "/" + desired + " replicas ready";
    return new Verdict(false, finding.map(PodFinding::reason).orElse("ReplicasNotReady"),
        finding.map(f -> f.message() + " (" + message + ")").orElse(message), false,
        "RolloutComplete", rollout, degraded, degradedReason, degradedMessage);
  }

  /**
   * While a valid spec is not Ready, recheck at least this often even without an event, as
   * Keycloak's operator does: a missed or coalesced event then costs seconds, not the next resync.
   */
  public static final Duration NOT_READY_RECHECK = Duration.ofSeconds(10);

  /**
   * When the status should be computed again although no event may come: the moment the pods'
   * diagnosis changes by the passing of time alone (an app crossing its readiness budget), and at
   * most {@link #NOT_READY_RECHECK} while not Ready. A Ready service, or one whose spec is
   * invalid, changes only with an event (a pod, the Deployment, the spec).
   */
  public static Optional<Duration> reevaluateAfter(OperatedServiceStatus status, List<Pod> pods,
      Instant now) {
    Optional<Condition> ready = status.condition(ConditionTypes.READY);
    if (ready.isEmpty() || "True".equals(ready.get().getStatus())
        || INVALID_SPEC.equals(ready.get().getReason())) {
      return Optional.empty();
    }
    Duration untilChange = PodDiagnosis.nextChange(pods, now)
        .map(moment -> Duration.between(now, moment)).orElse(NOT_READY_RECHECK);
    return Optional.of(untilChange.compareTo(NOT_READY_RECHECK) < 0 ? untilChange
        : NOT_READY_RECHECK);
  }

  /** The spec's count, or the Deployment's when an HPA owns scaling. */
  static int desiredReplicas(OperatedService resource, Optional<Deployment> deployment) {
    Integer declared = resource.getSpec() == null ? null : resource.getSpec().replicas();
    if (declared != null) {
      return declared;
    }
    return deployment.map(d -> d.getSpec() == null ? null : d.getSpec().getReplicas())
        .orElse(1);
  }

  private static Condition condition(Optional<OperatedServiceStatus> previous, String type,
      boolean status, String reason, String message, long generation, Instant now) {
    String statusText = status ? "True" : "False";
    String transition = previous.flatMap(p -> p.condition(type))
        .filter(c -> statusText.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
    return new ConditionBuilder()
        .withType(type)
        .withStatus(statusText)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

  private static Optional<DeploymentCondition> deploymentCondition(DeploymentStatus status,
      String type) {
    return status.getConditions() == null ? Optional.empty()
        : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static long generation(io.fabric8.kubernetes.api.model.HasMetadata resource) {
    Long generation = resource.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }
}
