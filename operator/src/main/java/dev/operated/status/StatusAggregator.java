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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Turns what was observed (the Deployment, its pods, the spec's problems) into the
 * OperatedService status. While the service is not ready, the pods say why: the Ready reason is
 * then the container at fault ({@link PodDiagnosis}) rather than a bare replica count.
 * Pure: the same observation always gives the same status, and a condition keeps its
 * lastTransitionTime until its status changes, so an unchanged service is never rewritten.
 */
public final class StatusAggregator {

  private StatusAggregator() {
  }

  /** What one observation says, before transition times are applied. */
  private record Verdict(boolean ready, String readyReason, String readyMessage,
      boolean progressing, String progressingReason, String progressingMessage,
      boolean degraded, String degradedReason, String degradedMessage) {
  }

  public static OperatedServiceStatus aggregate(OperatedService resource,
      Optional<Deployment> deployment, List<Pod> pods, List<SpecProblem> problems, Instant now) {
    Optional<DeploymentStatus> observed = deployment.map(Deployment::getStatus);
    int desired = desiredReplicas(resource, deployment);
    int ready = observed.map(DeploymentStatus::getReadyReplicas).orElse(0);
    Verdict verdict = problems.isEmpty()
        ? judge(resource, deployment, desired, PodDiagnosis.diagnose(pods, now))
        : invalid(problems);
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
    return new Verdict(false, "InvalidSpec", message, false, "InvalidSpec", message,
        true, "InvalidSpec", message);
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
