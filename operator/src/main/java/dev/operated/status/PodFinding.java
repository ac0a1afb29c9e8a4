package dev.operated.status;

/**
 * Why pods of a service are not ready, as one condition reason and a message a human can act on:
 * which container, in how many of the pods, since when.
 *
 * @param reason    machine-readable, for the condition's reason (the REASON column)
 * @param container the container at fault; null when no container is (an unschedulable pod)
 * @param role      what the container is to the pod
 * @param pods      pods with this finding
 * @param ofPods    pods looked at (running or starting, not terminating)
 * @param since     when the first of those pods stopped being ready (RFC 3339), or null
 * @param detail    what the cluster said: the waiting message, the last termination message
 */
public record PodFinding(String reason, String container, ContainerRole role, int pods,
    int ofPods, String since, String detail) {

  /** Findings that mean something is broken, not merely slow: they make the service Degraded. */
  public boolean isFailure() {
    return reason.equals(PodDiagnosis.CRASH_LOOP) || reason.equals(PodDiagnosis.IMAGE_PULL_FAILING)
        || reason.equals(PodDiagnosis.UNSCHEDULABLE);
  }

  public String message() {
    String subject = container == null ? "pod" : role.describe(container);
    String what = switch (reason) {
      case PodDiagnosis.IMAGE_PULL_FAILING -> "cannot pull its image";
      case PodDiagnosis.CRASH_LOOP -> "is crash-looping";
      case PodDiagnosis.SIDECAR_NOT_STARTED -> "has not started";
      case PodDiagnosis.SIDECAR_NOT_READY -> "is not ready";
      case PodDiagnosis.PROBE_FAILING -> "is failing its readiness probe";
      case PodDiagnosis.UNSCHEDULABLE -> "cannot be scheduled";
      default -> "is not ready yet";
    };
    StringBuilder message = new StringBuilder(subject).append(' ').append(what)
        .append(" in ").append(pods).append(" of ").append(ofPods).append(" pods");
    if (since != null) {
      message.append(" since ").append(since);
    }
    if (detail != null && !detail.isBlank()) {
      message.append(": ").append(detail);
    }
    return message.toString();
  }
}
