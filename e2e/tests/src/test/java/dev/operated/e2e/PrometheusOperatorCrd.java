package dev.operated.e2e;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The Prometheus Operator's ServiceMonitor CRD, as far as the operator looks at it. */
final class PrometheusOperatorCrd {

  static final String NAME = "servicemonitors.monitoring.coreos.com";

  private PrometheusOperatorCrd() {
  }

  static void install(KubernetesClient client) {
    client.apiextensions().v1().customResourceDefinitions().resource(definition()).create();
  }

  static void remove(KubernetesClient client) {
    client.apiextensions().v1().customResourceDefinitions().withName(NAME).delete();
  }

  private static CustomResourceDefinition definition() {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(NAME).endMetadata()
        .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
          .withNewNames().withKind("ServiceMonitor").withPlural("servicemonitors")
            .withSingular("servicemonitor").withListKind("ServiceMonitorList").endNames()
          .addNewVersion().withName("v1").withServed(true).withStorage(true)
            .withNewSchema().withNewOpenAPIV3Schema().withType("object")
              .withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
          .endVersion()
        .endSpec().build();
  }
}
