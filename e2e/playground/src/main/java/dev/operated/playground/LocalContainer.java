package dev.operated.playground;

import dev.operated.cluster.ContainerReport;
import java.time.Instant;
import java.util.Optional;

/** One container of a pod on the local node: a real process, or a simulation of one. */
interface LocalContainer {

  String name();

  /** Starts it; returns at once. */
  void start();

  /** Running and past its startup probe (what the next container of the pod waits for). */
  boolean started();

  /** Has run to completion (a classic init container) or stopped for good. */
  boolean finished();

  /**
   * Runs the preStop hook now and returns when it is done; a {@link #terminate} after it does
   * not run it again. The kubelet runs a native sidecar's hook as the pod's termination begins,
   * before the sidecar waits for its turn to be stopped.
   */
  default void preStop(Instant deadline) {
  }

  /**
   * Runs the preStop hook (unless {@link #preStop} ran it), then SIGTERM, then SIGKILL at the deadline; returns once stopped.
   * The pod is being deleted: nothing is restarted any more.
   */
  void terminate(Instant deadline);

  ContainerReport report();

  /** The process of the current run, when the container is a real, running process. */
  default Optional<ProcessHandle> process() {
    return Optional.empty();
  }
}
