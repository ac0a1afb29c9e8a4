package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;

/** Runs nothing: every container is started and ready as soon as its pod is bound. */
public final class ReadyNode implements Node {

  @Override
  public void podAdded(Pod pod, PodReporter reporter) {
    List<ContainerReport> reports = new ArrayList<>();
    for (Container container : pod.getSpec().getInitContainers()) {
      // A native sidecar keeps running; a classic init container has run to completion.
      if ("Always".equals(container.getRestartPolicy())) {
        reports.add(ContainerReport.running(container.getName(), true, true));
      } else {
        reports.add(new ContainerReport(container.getName(), true,
            ContainerReport.State.TERMINATED, false, false, 0, 0, "Completed"));
      }
    }
    for (Container container : pod.getSpec().getContainers()) {
      reports.add(ContainerReport.running(container.getName(), false, true));
    }
    reporter.report(reports);
  }

  @Override
  public void podDeleted(Pod pod, PodReporter reporter) {
    reporter.terminated();
  }
}
