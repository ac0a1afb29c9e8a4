package dev.operated.cluster;

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
}
