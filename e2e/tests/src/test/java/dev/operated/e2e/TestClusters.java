package dev.operated.e2e;

import dev.operated.cluster.EmbeddedCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The embedded API server as the e2e tests start it: the project's CRDs installed first. */
final class TestClusters {

  private TestClusters() {
  }

  /** A cluster with every CRD in {@code crds/}, as `kubectl apply -f crds/` installs them. */
  static EmbeddedCluster.Builder withCrds() {
    return EmbeddedCluster.builder().crds(Examples.REPO.resolve("crds"));
  }

  /** As `kubectl create namespace NAME` for each. */
  static void createNamespaces(KubernetesClient client, String... names) {
    for (String name : names) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
          .endMetadata().build()).create();
    }
  }
}
