package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NAME;
import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The macOS fallback, forced on any machine: every pod on 127.0.0.1, each container port mapped
 * to a host port of its own; the probes, the preStop drain and the Service's traffic go there.
 */
class PortPerPodOnLocalNodeTest {

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @BeforeEach
  void start() {
    e2e = new LocalEndToEnd(logs, "1.33", PodAddressing.PORT_PER_POD);
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void podsShareOneAddressGetReadyOnTheirMappedPortsAndServeThroughTheService()
      throws Exception {
    e2e.applyExample(resource -> resource);
    e2e.awaitReady(2); // readiness probes answered on the mapped ports

    List<Pod> pods = e2e.pods();
    assertThat(pods).hasSize(2);
    List<InetSocketAddress> endpoints = pods.stream()
        .map(pod -> e2e.cluster.node().endpoint(pod, 8080)).toList();
    assertThat(pods).allSatisfy(pod -> assertThat(pod.getStatus().getPodIP())
        .isEqualTo("127.0.0.1"));
    assertThat(endpoints).doesNotHaveDuplicates()
        .allSatisfy(endpoint -> assertThat(endpoint.getPort()).isNotEqualTo(8080));
    for (InetSocketAddress endpoint : endpoints) {
      assertThat(LocalEndToEnd.httpStatus("http://127.0.0.1:" + endpoint.getPort() + "/readyz"))
          .isEqualTo(200);
    }

    ServiceFront front = e2e.cluster.front(NS, NAME, Duration.ofMillis(200));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(front.endpoints()).containsExactlyInAnyOrderElementsOf(endpoints));
    for (int request = 0; request < 4; request++) {
      assertThat(LocalEndToEnd.httpStatus("http://127.0.0.1:" + front.port() + "/items/7"))
          .isEqualTo(200);
    }

    e2e.cluster.client().resource(e2e.current()).delete();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(e2e.pods()).isEmpty();
      assertThat(e2e.cluster.node().runningProcesses()).isZero();
    });
    for (Pod pod : pods) {
      // the kubelet's sleep preStop ran and SIGTERM drained the app: it left after its drain
      assertThat(e2e.log(pod, "app")).contains("\"event\":\"ready\"");
    }
    for (InetSocketAddress endpoint : endpoints) {
      assertThat(LocalEndToEnd.httpStatus("http://127.0.0.1:" + endpoint.getPort() + "/livez"))
          .as("nothing listens on %s", endpoint).isEqualTo(-1);
    }
  }

  @Test
  void aForcedModeThatDoesNotExistNamesTheSettingAndTheChoices() {
    assertThatThrownBy(() -> PodAddressing.parse("ports", "system property "
        + PodAddressing.PROPERTY))
        .hasMessageContaining("operated.playground.addressing")
        .hasMessageContaining("address-per-pod, port-per-pod");
    assertThat(PodAddressing.parse(" Port-Per-Pod ", "test")).isEqualTo(PodAddressing.PORT_PER_POD);
  }
}
