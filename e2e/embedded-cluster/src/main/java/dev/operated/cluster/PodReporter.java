package dev.operated.cluster;

import java.util.List;

/** How a {@link Node} tells the cluster what its containers are doing. Thread-safe. */
public interface PodReporter {

  /** The current state of every container of the pod (init containers included). */
  void report(List<ContainerReport> containers);

  /** Every container has stopped after a deletion; the pod object goes away. */
  void terminated();
}
