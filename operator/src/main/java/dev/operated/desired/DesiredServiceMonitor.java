package dev.operated.desired;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.TelemetryMode;
import io.fabric8.openshift.api.model.monitoring.v1.EndpointBuilder;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitorBuilder;
import java.util.List;

/**
 * A ServiceMonitor rather than a PodMonitor: the operator already owns a Service with a named
 * metrics port, and scraping through it keeps the target labels (service, endpoint) Prometheus
 * users expect.
 */
public final class DesiredServiceMonitor {

  public static final String CRD_NAME = "servicemonitors.monitoring.coreos.com";

  private DesiredServiceMonitor() {
  }

  public static ServiceMonitor build(OperatedService resource) {
    OperatedServiceSpec spec = resource.getSpec();
    return new ServiceMonitorBuilder()
        .withNewMetadata()
          .withName(resource.getMetadata().getName())
          .withNamespace(resource.getMetadata().getNamespace())
          .withLabels(StandardLabels.of(resource))
        .endMetadata()
        .withNewSpec()
          .withNewSelector().withMatchLabels(StandardLabels.selector(resource)).endSelector()
          .addNewEndpoint()
            .withPort(DesiredDeployment.metricsPortName(spec))
            .withPath(spec.metrics().path())
          .endEndpoint()
          .addAllToEndpoints(spec.telemetry().mode() == TelemetryMode.SIDECAR
              ? List.of(new EndpointBuilder().withPort(CollectorSidecar.METRICS_PORT_NAME)
                  .withPath("/metrics").build())
              : List.of())
        .endSpec()
        .build();
  }
}
