package dev.operated.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh embedded cluster and an admin client for each test, closed after it: register with
 * {@code @RegisterExtension}; the test's own {@code @BeforeEach} runs once both exist.
 */
final class ClusterPerTest implements BeforeEachCallback, AfterEachCallback {

  private final Supplier<EmbeddedCluster.Builder> builder;
  private EmbeddedCluster cluster;
  private KubernetesClient client;

  ClusterPerTest(Supplier<EmbeddedCluster.Builder> builder) {
    this.builder = builder;
  }

  EmbeddedCluster cluster() {
    return cluster;
  }

  KubernetesClient client() {
    return client;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    cluster = builder.get().start();
    client = cluster.newClient();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    client.close();
    cluster.close();
  }
}
