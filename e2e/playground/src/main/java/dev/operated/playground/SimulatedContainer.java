package dev.operated.playground;

import dev.operated.cluster.ContainerReport;
import java.time.Instant;

/**
 * A container whose image cannot run here (a collector, a mesh proxy, a busybox helper): it is
 * reported running and ready at once, or completed for a classic init container, and its status
 * says it is simulated.
 */
final class SimulatedContainer implements LocalContainer {

  static final String REASON = "Simulated";

  private final String name;
  private final boolean init;
  private final boolean runsToCompletion;
  private volatile boolean running;
  private volatile boolean stopped;

  SimulatedContainer(String name, boolean init, boolean runsToCompletion) {
    this.name = name;
    this.init = init;
    this.runsToCompletion = runsToCompletion;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public boolean started() {
    return running;
  }

  @Override
  public boolean finished() {
    return runsToCompletion || stopped;
  }

  @Override
  public void terminate(Instant deadline) {
    running = false;
    stopped = true;
  }

  @Override
  public ContainerReport report() {
    if (runsToCompletion || stopped) {
      return new ContainerReport(name, init, ContainerReport.State.TERMINATED, false, false, 0,
          stopped && !runsToCompletion ? 143 : 0, stopped ? "Error" : "Completed");
    }
    if (!running) {
      return ContainerReport.waiting(name, init, "ContainerCreating");
    }
    return new ContainerReport(name, init, ContainerReport.State.RUNNING, true, true, 0, null,
        REASON);
  }
}
