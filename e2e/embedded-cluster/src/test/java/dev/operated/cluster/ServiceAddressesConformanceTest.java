package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the Service REST storage fills in (pkg/registry/core/service/storage/alloc.go:
 * allocateCreate, initIPFamilyFields, allocClusterIPs, txnAllocNodePorts;
 * pkg/apis/core/v1/defaults.go: SetDefaults_Service) and what it refuses
 * (validateUpgradeDowngradeClusterIPs; the allocators' ErrNotInRange and ErrAllocated), on a
 * single-stack cluster with kube-apiserver's default ranges.
 */
class ServiceAddressesConformanceTest {

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
  }

  @Test
  void aServiceGetsItsClusterIpFamiliesAndDefaults() {
    Service created = create(service("web"));

    String clusterIp = created.getSpec().getClusterIP();
    assertThat(clusterIp).startsWith("10.").satisfies(ip -> assertThat(inDefaultRange(ip))
        .as(ip + " in 10.96.0.0/12, above the static band of the first 256").isTrue());
    assertThat(created.getSpec().getClusterIPs()).containsExactly(clusterIp);
    assertThat(created.getSpec().getIpFamilies()).containsExactly("IPv4");
    assertThat(created.getSpec().getIpFamilyPolicy()).isEqualTo("SingleStack");
    assertThat(created.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(created.getSpec().getSessionAffinity()).isEqualTo("None");
    assertThat(created.getSpec().getInternalTrafficPolicy()).isEqualTo("Cluster");
    assertThat(created.getSpec().getPorts().get(0).getTargetPort())
        .as("SetDefaults_Service: the target port defaults to the port")
        .isEqualTo(new IntOrString(80));
    assertThat(create(service("api")).getSpec().getClusterIP()).isNotEqualTo(clusterIp);
  }

  /** Allocated after the field manager: no applier owns it, so leaving it out keeps it. */
  @Test
  void anApplyOrReplaceThatLeavesTheClusterIpOutKeepsIt() {
    Service applied = client.resource(service("web")).fieldManager("tester").forceConflicts()
        .serverSideApply();
    String clusterIp = applied.getSpec().getClusterIP();

    Service reapplied = client.resource(service("web")).fieldManager("tester").forceConflicts()
        .serverSideApply();
    Service replaced = client.services().inNamespace("default").resource(
        new ServiceBuilder(service("web")).editMetadata()
            .withResourceVersion(reapplied.getMetadata().getResourceVersion()).endMetadata()
            .build()).update();

    assertThat(reapplied.getSpec().getClusterIP()).isEqualTo(clusterIp);
    assertThat(replaced.getSpec().getClusterIP()).isEqualTo(clusterIp);
    assertThat(applied.getMetadata().getManagedFields().get(0).getFieldsV1()
        .getAdditionalProperties().toString()).doesNotContain("clusterIP");
  }

  @Test
  void aClusterIpMayNotChangeOnceSet() {
    Service created = create(service("web"));
    String other = created.getSpec().getClusterIP().equals("10.96.0.99") ? "10.96.0.98"
        : "10.96.0.99";

    assertThatThrownBy(() -> client.services().inNamespace("default").withName("web")
        .edit(service -> new ServiceBuilder(service).editSpec().withClusterIP(other)
            .withClusterIPs(other).endSpec().build()))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: "
            + "[]string{\"" + other + "\"}: may not change once set");
  }

  @Test
  void aClusterIpOutOfTheRangeOrHeldIsRefusedUntilItsHolderIsGone() {
    assertThatThrownBy(() -> create(withClusterIp(service("outside"), "1.1.1.1")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("Service \"outside\" is invalid: spec.clusterIPs: Invalid value: "
            + "[]string{\"1.1.1.1\"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is "
            + "not in the valid range. The range of valid IPs is 10.96.0.0/12");
    assertThat(create(withClusterIp(service("first"), "10.96.0.10")).getSpec().getClusterIPs())
        .containsExactly("10.96.0.10");

    assertThatThrownBy(() -> create(withClusterIp(service("second"), "10.96.0.10")))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed "
            + "to allocate IP 10.96.0.10: provided IP is already allocated");

    client.services().inNamespace("default").withName("first").delete();
    assertThat(create(withClusterIp(service("second"), "10.96.0.10")).getSpec().getClusterIP())
        .isEqualTo("10.96.0.10");
  }

  /** initIPFamilyFields: headless and selectorless is the one dual-stack default. */
  @Test
  void aHeadlessServiceGetsNoAddress() {
    Service headless = create(withClusterIp(service("headless"), "None"));
    Service selectorless = create(new ServiceBuilder(withClusterIp(service("external"), "None"))
        .editSpec().withSelector(null).endSpec().build());

    assertThat(headless.getSpec().getClusterIPs()).containsExactly("None");
    assertThat(headless.getSpec().getIpFamilies()).containsExactly("IPv4");
    assertThat(selectorless.getSpec().getIpFamilyPolicy()).isEqualTo("RequireDualStack");
    assertThat(selectorless.getSpec().getIpFamilies()).containsExactly("IPv4", "IPv6");
  }

  @Test
  void aNodePortServiceGetsAPortInTheRangeAndKeepsIt() {
    Service created = create(new ServiceBuilder(service("public")).editSpec()
        .withType("NodePort").endSpec().build());
    int nodePort = created.getSpec().getPorts().get(0).getNodePort();

    Service reapplied = client.resource(new ServiceBuilder(service("public")).editSpec()
        .withType("NodePort").endSpec().build()).fieldManager("tester").forceConflicts()
        .serverSideApply();

    assertThat(nodePort).isBetween(30000, 32767);
    assertThat(created.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
    assertThat(reapplied.getSpec().getPorts().get(0).getNodePort()).isEqualTo(nodePort);
    assertThatThrownBy(() -> create(new ServiceBuilder(service("low")).editSpec()
        .withType("NodePort").editFirstPort().withNodePort(80).endPort().endSpec().build()))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.ports[0].nodePort: Invalid value: 80: provided port is not in "
            + "the valid range. The range of valid ports is 30000-32767");
    assertThatThrownBy(() -> create(new ServiceBuilder(service("taken")).editSpec()
        .withType("NodePort").editFirstPort().withNodePort(nodePort).endPort().endSpec().build()))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("provided port is already allocated");
  }

  private Service create(Service service) {
    return client.services().inNamespace("default").resource(service).create();
  }

  private static Service service(String name) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default")
        .endMetadata().withNewSpec().withSelector(Map.of("app", name)).addNewPort()
        .withName("http").withPort(80).endPort().endSpec().build();
  }

  private static Service withClusterIp(Service service, String clusterIp) {
    return new ServiceBuilder(service).editSpec().withClusterIP(clusterIp).endSpec().build();
  }

  private static boolean inDefaultRange(String ip) {
    String[] octets = ip.split("\\.");
    long value = 0;
    for (String octet : octets) {
      value = value << 8 | Long.parseLong(octet);
    }
    long base = 10L << 24 | 96L << 16;
    return value >= base + 256 && value < base + (1 << 20) - 1;
  }
}
