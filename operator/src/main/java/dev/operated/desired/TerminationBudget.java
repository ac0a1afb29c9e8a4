package dev.operated.desired;

import dev.operated.api.ShutdownSpec;
import java.util.Optional;

/**
 * The one place where a pod's termination is budgeted: how the drain happens, and a grace period
 * that covers drain, the app's shutdown and the sidecars' flush before the kubelet sends SIGKILL.
 *
 * @param drainSeconds        the pod keeps serving this long after termination starts
 * @param appShutdownSeconds  the app finishes in-flight work and flushes telemetry within this
 * @param sidecarFlushSeconds sidecars that outlive the app need this after it has exited
 * @param marginSeconds       slack for hook start-up and signal delivery, only on computed values
 * @param explicitGracePeriod the spec's terminationGracePeriodSeconds, when set
 */
public record TerminationBudget(DrainMethod drainMethod, int drainSeconds, int appShutdownSeconds,
    int sidecarFlushSeconds, int marginSeconds, Long explicitGracePeriod) {

  /** The kubelet starts the hook, then the signal, within about a second each on a busy node. */
  public static final int MARGIN_SECONDS = 2;

  public static TerminationBudget of(ShutdownSpec shutdown, ClusterFacts facts,
      int sidecarFlushSeconds) {
    return new TerminationBudget(drainMethod(shutdown, facts), shutdown.drainSeconds(),
        shutdown.timeoutSeconds(), sidecarFlushSeconds, MARGIN_SECONDS,
        shutdown.terminationGracePeriodSeconds());
  }

  private static DrainMethod drainMethod(ShutdownSpec shutdown, ClusterFacts facts) {
    if (shutdown.drainSeconds() == 0) {
      return DrainMethod.NONE;
    }
    if (facts.supportsSleepPreStop()) {
      return DrainMethod.KUBELET_SLEEP;
    }
    return shutdown.imageHasShell() ? DrainMethod.EXEC_SLEEP : DrainMethod.APP;
  }

  /** What must fit in the grace period; an explicit value may spend the margin, nothing else. */
  public long requiredSeconds() {
    return (long) drainSeconds + appShutdownSeconds + sidecarFlushSeconds;
  }

  public long gracePeriodSeconds() {
    return explicitGracePeriod != null ? explicitGracePeriod : requiredSeconds() + marginSeconds;
  }

  /** The drain the app must do itself after SIGTERM: 0 when a preStop hook already did it. */
  public int appDrainSeconds() {
    return drainMethod == DrainMethod.APP ? drainSeconds : 0;
  }

  /** Why an explicit grace period is refused, with the arithmetic; empty when it covers. */
  public Optional<String> shortfall() {
    if (explicitGracePeriod == null || explicitGracePeriod >= requiredSeconds()) {
      return Optional.empty();
    }
    return Optional.of(explicitGracePeriod + "s does not cover drain " + drainSeconds
        + "s + app shutdown " + appShutdownSeconds + "s + sidecar flush " + sidecarFlushSeconds
        + "s = " + requiredSeconds() + "s: raise spec.shutdown.terminationGracePeriodSeconds "
        + "or remove it and let the operator compute " + (requiredSeconds() + marginSeconds) + "s");
  }
}
