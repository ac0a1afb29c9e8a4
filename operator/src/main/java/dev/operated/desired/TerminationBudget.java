package dev.operated.desired;

import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.ShutdownSpec;
import dev.operated.api.TelemetryMode;
import java.util.Optional;

/**
 * The one place where a pod's termination is budgeted: how the drain happens, how long each
 * sidecar must outlive the app, and a grace period that covers them all before the kubelet
 * sends SIGKILL.
 *
 * <p>The order of events it budgets for: the app's drain (preStop sleep, or the app's own wait),
 * then SIGTERM and the app's shutdown. A collector sidecar flushes after the app has exited
 * (native sidecar: the kubelet stops it after the app; legacy: its preStop sleeps until then). A
 * mesh proxy must carry traffic until both are done. As a legacy container it gets SIGTERM with
 * the app, so it is told to drain until app and collector are done. As a native sidecar the
 * kubelet stops it last, when there is nothing left to carry, so a long drain there would only
 * hold the pod: Istio's is kept at {@link #NATIVE_ISTIO_DRAIN_SECONDS} and budgeted after the
 * others; Linkerd's proxy exits at once.
 *
 * @param drainSeconds          the pod keeps serving this long after termination starts
 * @param appShutdownSeconds    the app finishes in-flight work and flushes within this
 * @param collectorFlushSeconds the collector sidecar's flush after the app exited (0: none)
 * @param proxyNativeSidecar    the mesh proxy runs as a native sidecar (stopped after the app)
 * @param proxyDrainSeconds     what the mesh proxy is told to drain for (0: no mesh)
 * @param proxyTailSeconds      how long the proxy runs after app and collector have exited
 * @param marginSeconds         slack for hook start-up and signal delivery, computed values only
 * @param explicitGracePeriod   the spec's terminationGracePeriodSeconds, when set
 */
public record TerminationBudget(DrainMethod drainMethod, int drainSeconds, int appShutdownSeconds,
    int collectorFlushSeconds, Mesh mesh, boolean proxyNativeSidecar, int proxyDrainSeconds,
    int proxyTailSeconds, int marginSeconds, Long explicitGracePeriod) {

  /** The kubelet starts the hook, then the signal, within about a second each on a busy node. */
  public static final int MARGIN_SECONDS = 2;
  /**
   * Istio's own default terminationDrainDuration. A native-sidecar proxy drains only after app
   * and collector have exited, when no request is left: it needs no more than that.
   */
  public static final int NATIVE_ISTIO_DRAIN_SECONDS = 5;

  public static TerminationBudget of(OperatedServiceSpec spec, ClusterFacts facts) {
    ShutdownSpec shutdown = spec.shutdown();
    int collectorFlush = spec.telemetry().mode() == TelemetryMode.SIDECAR
        ? facts.collector().flushSeconds() : 0;
    Mesh mesh = Mesh.of(spec, facts);
    boolean proxyNative = mesh.proxyIsNativeSidecar(spec, facts);
    int untilAppAndCollectorAreDone = shutdown.drainSeconds() + shutdown.timeoutSeconds()
        + collectorFlush;
    int proxyDrain;
    int proxyTail;
    if (mesh == Mesh.NONE) {
      proxyDrain = 0;
      proxyTail = 0;
    } else if (!proxyNative) {
      proxyDrain = untilAppAndCollectorAreDone; // runs alongside the app, inside its budget
      proxyTail = 0;
    } else if (mesh == Mesh.ISTIO) {
      proxyDrain = NATIVE_ISTIO_DRAIN_SECONDS;
      proxyTail = NATIVE_ISTIO_DRAIN_SECONDS;
    } else {
      proxyDrain = 0; // a native Linkerd proxy exits on SIGTERM: nothing is left to wait for
      proxyTail = 0;
    }
    return new TerminationBudget(drainMethod(shutdown, facts), shutdown.drainSeconds(),
        shutdown.timeoutSeconds(), collectorFlush, mesh, proxyNative, proxyDrain, proxyTail,
        MARGIN_SECONDS, shutdown.terminationGracePeriodSeconds());
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

  /** Until the app has drained and exited: what a legacy sidecar's preStop must wait. */
  public int appSeconds() {
    return drainSeconds + appShutdownSeconds;
  }

  /** What must fit in the grace period; an explicit value may spend the margin, nothing else. */
  public long requiredSeconds() {
    return (long) appSeconds() + collectorFlushSeconds + proxyTailSeconds;
  }

  public long gracePeriodSeconds() {
    return explicitGracePeriod != null ? explicitGracePeriod : requiredSeconds() + marginSeconds;
  }

  /** The drain the app must do itself after SIGTERM: 0 when a preStop hook already did it. */
  public int appDrainSeconds() {
    return drainMethod == DrainMethod.APP ? drainSeconds : 0;
  }

  /** The arithmetic, as a human checks it: "drain 5s + app shutdown 10s + ... = 15s". */
  public String arithmetic() {
    StringBuilder text = new StringBuilder("drain " + drainSeconds + "s + app shutdown "
        + appShutdownSeconds + "s");
    if (collectorFlushSeconds > 0) {
      text.append(" + collector flush ").append(collectorFlushSeconds).append('s');
    }
    if (proxyTailSeconds > 0) {
      text.append(" + ").append(mesh.name().toLowerCase(java.util.Locale.ROOT))
          .append(" proxy drain ").append(proxyTailSeconds).append('s');
    }
    return text.append(" = ").append(requiredSeconds()).append('s').toString();
  }

  /** Why an explicit grace period is refused, with the arithmetic; empty when it covers. */
  public Optional<String> shortfall() {
    if (explicitGracePeriod == null || explicitGracePeriod >= requiredSeconds()) {
      return Optional.empty();
    }
    return Optional.of(explicitGracePeriod + "s does not cover " + arithmetic()
        + ": raise spec.shutdown.terminationGracePeriodSeconds or remove it and let the "
        + "operator compute " + (requiredSeconds() + marginSeconds) + "s");
  }
}
