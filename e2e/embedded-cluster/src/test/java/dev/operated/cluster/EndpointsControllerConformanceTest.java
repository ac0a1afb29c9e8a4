package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What kube-controller-manager's Endpoints controller writes for a Service
 * (pkg/controller/endpoint {@code syncService}: ShouldPodBeInEndpoints, podToEndpointAddress,
 * FindPort, {@code RepackSubsets} of pkg/api/v1/endpoints; onEndpointsDelete; the Service's
 * deletion), on a node whose pods a test makes ready one by one.
 */
class EndpointsControllerConformanceTest {

  private final ReadinessNode node = new ReadinessNode();

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(() -> EmbeddedCluster.builder().node(node));
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
  }

  @Test
  void aServicesPodsAreNotReadyAddressesUntilReadyThenAddressesUnderTheResolvedPort() {
    client.apps().deployments().resource(Workloads.deploymentWithNamedPort("web", 2)).create();
    client.services().resource(Workloads.serviceOfNamedPort("web")).create();

    Endpoints notReady = awaitEndpoints("web", endpoints -> endpoints.getSubsets().size() == 1
        && endpoints.getSubsets().get(0).getNotReadyAddresses().size() == 2);
    assertThat(notReady.getMetadata().getLabels()).containsEntry("team", "shop")
        .doesNotContainKey("service.kubernetes.io/headless");
    assertThat(notReady.getMetadata().getOwnerReferences()).as("no owner: the controller "
        + "deletes them").isNullOrEmpty();
    EndpointSubset subset = notReady.getSubsets().get(0);
    assertThat(subset.getAddresses()).isNullOrEmpty();
    assertThat(subset.getPorts()).extracting(EndpointPort::getName, EndpointPort::getPort,
        EndpointPort::getProtocol).as("FindPort: the container's port named http")
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web", 8080, "TCP"));
    assertThat(subset.getNotReadyAddresses()).as("sorted by IP (LessEndpointAddress)")
        .isSortedAccordingTo(Comparator.comparing(EndpointAddress::getIp))
        .allSatisfy(address -> {
          assertThat(address.getNodeName()).isEqualTo("embedded-node");
          assertThat(address.getTargetRef().getKind()).isEqualTo("Pod");
        });

    String first = client.pods().withLabel("app", "web").list().getItems().get(0)
        .getMetadata().getName();
    node.ready(first);
    Endpoints oneReady = awaitEndpoints("web", endpoints -> endpoints.getSubsets().size() == 1
        && endpoints.getSubsets().get(0).getAddresses().size() == 1);
    assertThat(oneReady.getSubsets().get(0).getAddresses()).singleElement()
        .satisfies(address -> assertThat(address.getTargetRef().getName()).isEqualTo(first));
    assertThat(oneReady.getSubsets().get(0).getNotReadyAddresses()).hasSize(1);

    client.pods().withLabel("app", "web").list().getItems()
        .forEach(pod -> node.ready(pod.getMetadata().getName()));
    Endpoints ready = awaitEndpoints("web", endpoints -> endpoints.getSubsets().size() == 1
        && endpoints.getSubsets().get(0).getAddresses().size() == 2);
    assertThat(ready.getSubsets().get(0).getNotReadyAddresses()).isNullOrEmpty();
  }

  /** onEndpointsDelete puts them back; the Service's deletion takes them (syncService). */
  @Test
  void deletedEndpointsComeBackAndGoWithTheirService() {
    client.services().resource(new ServiceBuilder().withNewMetadata().withName("lonely")
        .endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", "nobody")
        .addNewPort().withPort(80).endPort().endSpec().build()).create();
    Endpoints empty = awaitEndpoints("lonely", endpoints -> true);
    assertThat(empty.getSubsets()).as("a Service that selects no pod").isNullOrEmpty();
    assertThat(empty.getMetadata().getLabels()).as("!IsServiceIPSet")
        .containsEntry("service.kubernetes.io/headless", "");

    client.resource(empty).delete();
    awaitEndpoints("lonely", endpoints -> !endpoints.getMetadata().getUid()
        .equals(empty.getMetadata().getUid()));

    client.services().withName("lonely").delete();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        client.endpoints().withName("lonely").get() == null);
  }

  /**
   * A Service without a selector gets no Endpoints from the controller: the ones a user writes
   * for it (an external database's address) stay as written when the Service changes.
   */
  @Test
  void theEndpointsOfAServiceWithoutASelectorAreTheUsers() {
    client.services().resource(new ServiceBuilder().withNewMetadata().withName("database")
        .endMetadata().withNewSpec().addNewPort().withPort(5432).endPort().endSpec().build())
        .create();
    client.endpoints().resource(new EndpointsBuilder().withNewMetadata().withName("database")
        .endMetadata().addNewSubset().addNewAddress().withIp("192.0.2.10").endAddress()
        .addNewPort().withPort(5432).endPort().endSubset().build()).create();
    client.services().withName("database").edit(service -> new ServiceBuilder(service)
        .editMetadata().addToLabels("tier", "data").endMetadata().build());
    // a Service with a selector, written after, shows the controller has synced since
    client.services().resource(new ServiceBuilder().withNewMetadata().withName("marker")
        .endMetadata().withNewSpec().addToSelector("app", "nobody").addNewPort().withPort(80)
        .endPort().endSpec().build()).create();
    awaitEndpoints("marker", endpoints -> true);

    Endpoints database = client.endpoints().withName("database").get();
    assertThat(database.getSubsets()).singleElement().satisfies(subset ->
        assertThat(subset.getAddresses()).extracting(EndpointAddress::getIp)
            .containsExactly("192.0.2.10"));
    assertThat(database.getMetadata().getLabels()).isNullOrEmpty();
  }

  private Endpoints awaitEndpoints(String service, Predicate<Endpoints> until) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Endpoints endpoints = client.endpoints().withName(service).get();
      return endpoints != null && until.test(withSubsets(endpoints));
    });
    return withSubsets(client.endpoints().withName(service).get());
  }

  private static Endpoints withSubsets(Endpoints endpoints) {
    if (endpoints.getSubsets() == null) {
      endpoints.setSubsets(List.of());
    }
    return endpoints;
  }
}
