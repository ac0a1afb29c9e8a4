package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What kube-controller-manager's EndpointSlice controller writes for a Service
 * (pkg/controller/endpointslice; k8s.io/endpointslice's reconciler: podToEndpoint,
 * getEndpointPorts with FindPort, the placeholder slice, setEndpointSliceLabels), on a node whose
 * pods a test makes ready one by one.
 */
class EndpointSliceControllerConformanceTest {

  private final ReadinessNode node = new ReadinessNode();

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(() -> EmbeddedCluster.builder().node(node));
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
  }

  @Test
  void aServiceListsItsPodsWithTheirReadinessAndTheNamedPortResolved() {
    client.apps().deployments().resource(Workloads.deploymentWithNamedPort("web", 2)).create();
    client.services().resource(Workloads.serviceOfNamedPort("web")).create();

    EndpointSlice notReady = awaitSlice("web", slice -> slice.getEndpoints() != null
        && slice.getEndpoints().size() == 2);
    assertThat(notReady.getMetadata().getName()).startsWith("web-");
    assertThat(notReady.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "web")
        .containsEntry("endpointslice.kubernetes.io/managed-by",
            "endpointslice-controller.k8s.io")
        .containsEntry("team", "shop");
    assertThat(notReady.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("Service"));
    assertThat(notReady.getAddressType()).isEqualTo("IPv4");
    assertThat(notReady.getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("web");
      assertThat(port.getPort()).as("FindPort: the container's port named http").isEqualTo(8080);
    });
    assertThat(notReady.getEndpoints()).allSatisfy(endpoint -> {
      assertThat(endpoint.getConditions().getReady()).isFalse();
      assertThat(endpoint.getTargetRef().getKind()).isEqualTo("Pod");
      assertThat(endpoint.getNodeName()).isEqualTo("embedded-node");
    });

    client.pods().withLabel("app", "web").list().getItems()
        .forEach(pod -> node.ready(pod.getMetadata().getName()));

    EndpointSlice ready = awaitSlice("web", slice -> slice.getEndpoints().stream()
        .allMatch(endpoint -> endpoint.getConditions().getReady()));
    assertThat(ready.getMetadata().getName()).as("the same slice, updated")
        .isEqualTo(notReady.getMetadata().getName());
    assertThat(ready.getEndpoints()).extracting(Endpoint::getConditions)
        .allSatisfy(conditions -> {
          assertThat(conditions.getServing()).isTrue();
          assertThat(conditions.getTerminating()).isFalse();
        });
  }

  /** The placeholder: a Service that selects no pod has one slice listing nothing. */
  @Test
  void aServiceWithoutPodsHasAnEmptySliceThatComesBackAndGoesWithIt() {
    client.services().resource(new ServiceBuilder().withNewMetadata().withName("lonely")
        .endMetadata().withNewSpec().addToSelector("app", "nobody").addNewPort().withPort(80)
        .endPort().endSpec().build()).create();

    EndpointSlice placeholder = awaitSlice("lonely", slice -> true);
    assertThat(placeholder.getEndpoints()).isNullOrEmpty();
    assertThat(placeholder.getPorts()).isNullOrEmpty();

    client.resource(placeholder).delete();
    EndpointSlice again = awaitSlice("lonely", slice -> !slice.getMetadata().getName()
        .equals(placeholder.getMetadata().getName()));
    assertThat(again.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "lonely");

    client.services().withName("lonely").delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> slicesOf("lonely").isEmpty());
  }

  private EndpointSlice awaitSlice(String service,
      java.util.function.Predicate<EndpointSlice> until) {
    await().atMost(Duration.ofSeconds(10)).until(() -> slicesOf(service).size() == 1
        && until.test(slicesOf(service).get(0)));
    return slicesOf(service).get(0);
  }

  private List<EndpointSlice> slicesOf(String service) {
    return client.discovery().v1().endpointSlices()
        .withLabel("kubernetes.io/service-name", service).list().getItems();
  }
}
