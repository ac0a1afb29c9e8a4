package dev.operated.e2e;

import dev.operated.cluster.EmbeddedCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

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

  /**
   * A client as fabric8 builds it, not as the operator does: the JDK's HTTP client with fabric8's
   * defaults (HTTP/2 where TLS negotiates it, no escaping of watch bodies), watches over HTTP.
   */
  static KubernetesClient fabric8HttpWatchClient(EmbeddedCluster cluster) {
    return new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory())
        .withConfig(new ConfigBuilder(cluster.config()).withOnlyHttpWatches(true).build())
        .build();
  }
}
