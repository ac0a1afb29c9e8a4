package dev.operated.desired;

import dev.operated.api.TelemetryMode;
import dev.operated.api.ContractDefaults;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.ArrayList;
import java.util.List;

/** The ClusterIP Service in front of the pods, with named ports a ServiceMonitor can refer to. */
public final class DesiredService {

  private DesiredService() {
  }

  public static Service build(OperatedService resource) {
    OperatedServiceSpec spec = resource.getSpec();
    List<ServicePort> ports = new ArrayList<>();
    ports.add(port(ContractDefaults.PORT_NAME, spec.port()));
    String metricsPortName = DesiredDeployment.metricsPortName(spec);
    if (!metricsPortName.equals(ContractDefaults.PORT_NAME)) {
      ports.add(port(metricsPortName, DesiredDeployment.metricsPort(spec)));
    }
    if (spec.telemetry().mode() == TelemetryMode.SIDECAR) {
      ports.add(port(CollectorSidecar.METRICS_PORT_NAME, CollectorSidecar.METRICS_PORT));
    }
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(resource.getMetadata().getName())
          .withNamespace(resource.getMetadata().getNamespace())
          .withLabels(StandardLabels.of(resource))
        .endMetadata()
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(StandardLabels.selector(resource))
          .withPorts(ports)
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int number) {
    return new ServicePortBuilder().withName(name).withPort(number).withProtocol("TCP")
        .withTargetPort(new IntOrString(name)).build();
  }
}
