package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code default/kubernetes}, as kube-apiserver keeps it (kubernetesservice controller
 * {@code CreateOrUpdateMasterServiceIfNeeded}, reconcilers/lease.go, endpointsadapter.go
 * {@code endpointSliceFromEndpoints}): there from the start, pointing at this server, made again
 * when deleted, and its address never given to another Service.
 */
class KubernetesServiceConformanceTest {

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);

  @Test
  void theApiServersServiceAndItsEndpointsPointAtTheServer() {
    KubernetesClient client = clusters.client();
    int serverPort = URI.create(client.getConfiguration().getMasterUrl()).getPort();

    Service service = client.services().inNamespace("default").withName("kubernetes").get();
    assertThat(service.getMetadata().getLabels()).containsEntry("provider", "kubernetes")
        .containsEntry("component", "apiserver");
    assertThat(service.getSpec().getSelector()).isNullOrEmpty();
    assertThat(service.getSpec().getClusterIP()).isEqualTo("10.96.0.1");
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("https");
      assertThat(port.getPort()).isEqualTo(443);
      assertThat(port.getTargetPort().getIntVal()).isEqualTo(serverPort);
    });

    Endpoints endpoints = client.endpoints().inNamespace("default").withName("kubernetes").get();
    assertThat(endpoints.getMetadata().getLabels())
        .containsEntry("endpointslice.kubernetes.io/skip-mirror", "true");
    assertThat(endpoints.getSubsets()).singleElement().satisfies(subset -> {
      assertThat(subset.getAddresses()).singleElement()
          .satisfies(address -> assertThat(address.getIp()).isEqualTo("127.0.0.1"));
      assertThat(subset.getPorts()).singleElement()
          .satisfies(port -> assertThat(port.getPort()).isEqualTo(serverPort));
    });
    EndpointSlice slice = client.discovery().v1().endpointSlices().inNamespace("default")
        .withName("kubernetes").get();
    assertThat(slice.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "kubernetes");
    assertThat(slice.getEndpoints()).singleElement().satisfies(endpoint -> {
      assertThat(endpoint.getAddresses()).containsExactly("127.0.0.1");
      assertThat(endpoint.getConditions().getReady()).isTrue();
    });
  }

  @Test
  void deletedItComesBackAndItsAddressIsNeverAnotherServices() {
    KubernetesClient client = clusters.client();
    String uid = client.services().inNamespace("default").withName("kubernetes").get()
        .getMetadata().getUid();

    client.services().inNamespace("default").withName("kubernetes").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Service again = client.services().inNamespace("default").withName("kubernetes").get();
      return again != null && !again.getMetadata().getUid().equals(uid);
    });
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.endpoints().inNamespace("default").withName("kubernetes").get() != null);

    assertThatThrownBy(() -> client.services().inNamespace("default").resource(
        new ServiceBuilder().withNewMetadata().withName("squatter").endMetadata().withNewSpec()
            .withClusterIP("10.96.0.1").addNewPort().withPort(80).endPort().endSpec().build())
        .create()).isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("failed to allocate IP 10.96.0.1: provided IP is already "
            + "allocated");
  }
}
