package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ServiceAccount {@code default} of every namespace, as kube-controller-manager's
 * serviceaccount-controller keeps it (pkg/controller/serviceaccount/serviceaccounts_controller.go,
 * {@code syncNamespace}): in the namespaces a cluster starts with, in each one created, and
 * made again when deleted.
 */
class DefaultServiceAccountsConformanceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);

  @Test
  void everyNamespaceHasItsDefaultServiceAccount() {
    KubernetesClient client = clusters.client();
    for (String namespace : EmbeddedCluster.SYSTEM_NAMESPACES) {
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(account(client, namespace))
          .as(namespace).isNotNull());
    }

    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop")
        .endMetadata().build()).create();

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(account(client, "shop")).isNotNull());
    assertThat(client.serviceAccounts().inNamespace("shop").list().getItems())
        .extracting(sa -> sa.getMetadata().getName()).containsExactly("default");
  }

  @Test
  void aDeletedDefaultServiceAccountIsMadeAgain() {
    KubernetesClient client = clusters.client();
    await().atMost(TIMEOUT).until(() -> account(client, "default") != null);
    String firstUid = account(client, "default").getMetadata().getUid();

    client.serviceAccounts().inNamespace("default").withName("default").delete();

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(account(client, "default"))
        .isNotNull().extracting(sa -> sa.getMetadata().getUid()).isNotEqualTo(firstUid));
  }

  private static ServiceAccount account(KubernetesClient client, String namespace) {
    return client.serviceAccounts().inNamespace(namespace).withName("default").get();
  }
}
