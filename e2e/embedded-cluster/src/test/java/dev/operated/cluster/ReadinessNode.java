package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A node whose pods run at once and become ready when a test says so, one by one. */
final class ReadinessNode implements Node {

  private final Map<String, PodReporter> reporters = new ConcurrentHashMap<>();

  @Override
  public void podAdded(Pod pod, PodReporter reporter) {
    reporters.put(pod.getMetadata().getName(), reporter);
    reporter.report(List.of(ContainerReport.running("app", false, false)));
  }

  void ready(String pod) {
    reporters.get(pod).report(List.of(ContainerReport.running("app", false, true)));
  }

  @Override
  public void podDeleted(Pod pod, PodReporter reporter) {
    reporters.remove(pod.getMetadata().getName());
    reporter.terminated();
  }
}
