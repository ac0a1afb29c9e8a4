package dev.operated.cluster;

/**
 * One container as a node sees it; becomes a {@code ContainerStatus} of the pod.
 *
 * @param init            an init container (native sidecars are init containers with
 *                        restartPolicy Always)
 * @param started         the startup probe (if any) has passed
 * @param ready           the readiness probe (if any) passes
 * @param exitCode        set once {@link State#TERMINATED}
 * @param reason          why waiting or terminated (CrashLoopBackOff, Error, Completed...)
 * @param message         the waiting or terminated state's message (a termination message)
 * @param lastTermination how the previous run ended, for {@code lastState.terminated}; null
 *                        before the first restart
 */
public record ContainerReport(String name, boolean init, State state, boolean started,
    boolean ready, int restartCount, Integer exitCode, String reason, String message,
    Termination lastTermination) {

  public enum State { WAITING, RUNNING, TERMINATED }

  /** A run that ended: its exit code, reason and termination message. */
  public record Termination(int exitCode, String reason, String message) {
  }

  /** A report with no messages and no previous run. */
  public ContainerReport(String name, boolean init, State state, boolean started, boolean ready,
      int restartCount, Integer exitCode, String reason) {
    this(name, init, state, started, ready, restartCount, exitCode, reason, null, null);
  }

  public static ContainerReport running(String name, boolean init, boolean ready) {
    return new ContainerReport(name, init, State.RUNNING, true, ready, 0, null, null);
  }

  public static ContainerReport waiting(String name, boolean init, String reason) {
    return new ContainerReport(name, init, State.WAITING, false, false, 0, null, reason);
  }
}
