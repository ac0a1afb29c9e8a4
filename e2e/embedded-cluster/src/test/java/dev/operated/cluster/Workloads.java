package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;

/** The workloads the controllers' conformance tests start from. */
final class Workloads {

  private Workloads() {
  }

  /** A Deployment of pods labelled app=NAME, one container "app" of image NAME:1. */
  static Deployment deployment(String name, int replicas) {
    return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
        .withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(name + ":1").endContainer()
        .endSpec().endTemplate().endSpec().build();
  }

  /** {@link #deployment} whose container has port 8080 named "http". */
  static Deployment deploymentWithNamedPort(String name, int replicas) {
    return new DeploymentBuilder(deployment(name, replicas)).editSpec().editTemplate().editSpec()
        .editFirstContainer().addNewPort().withName("http").withContainerPort(8080).endPort()
        .endContainer().endSpec().endTemplate().endSpec().build();
  }

  /**
   * A Service NAME labelled team=shop, selecting app=NAME, port "web" 80 to the target port
   * named "http".
   */
  static Service serviceOfNamedPort(String name) {
    return new ServiceBuilder().withNewMetadata().withName(name).addToLabels("team", "shop")
        .endMetadata().withNewSpec().addToSelector("app", name).addNewPort().withName("web")
        .withPort(80).withTargetPort(new IntOrString("http")).endPort().endSpec().build();
  }

  /**
   * A namespace in a bare {@link Storage}, which objects in it need first (NamespaceLifecycle);
   * a started cluster has the system namespaces already.
   */
  static void createNamespace(Storage api, String name) {
    ObjectNode namespace = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1")
        .put("kind", "Namespace");
    namespace.putObject("metadata").put("name", name);
    api.createInternal(ApiTarget.parse("/api/v1/namespaces"), namespace, "test");
  }
}
