package dev.operated.desired;

import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.ScrapeMode;

/** How Prometheus will find the metrics endpoint, decided from the spec and the cluster. */
public enum ScrapePlan {
  SERVICE_MONITOR, ANNOTATIONS, NONE;

  /**
   * A ServiceMonitor needs the Prometheus Operator's CRDs; without them the pod annotations are
   * the next best thing, so asking for a ServiceMonitor never blocks the service.
   */
  public static ScrapePlan of(OperatedServiceSpec spec, ClusterFacts facts) {
    ScrapeMode mode = spec.metrics().scrape();
    return switch (mode) {
      case NONE -> NONE;
      case ANNOTATIONS -> ANNOTATIONS;
      case AUTO, SERVICE_MONITOR -> facts.prometheusOperatorInstalled() ? SERVICE_MONITOR
          : ANNOTATIONS;
    };
  }
}
