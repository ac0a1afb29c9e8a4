package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NAME;
import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example OperatedService, reconciled by the operator, running as real processes. */
class SampleServiceOnLocalNodeTest {

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @BeforeEach
  void start() {
    e2e = new LocalEndToEnd(logs, "1.33");
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void theExampleRunsTheRealSampleServiceAndReportsReadyWithTheRightCounts() throws Exception {
    e2e.applyExample(resource -> resource);
    e2e.awaitReady(2);

    List<Pod> pods = e2e.pods();
    assertThat(pods).hasSize(2);
    for (Pod pod : pods) {
      String ip = pod.getStatus().getPodIP();
      assertThat(LocalEndToEnd.httpStatus("http://" + ip + ":8080/readyz")).isEqualTo(200);
      assertThat(LocalEndToEnd.httpStatus("http://" + ip + ":8080/items/7")).isEqualTo(200);
      // the env the operator generated reached the process
      String log = e2e.log(pod, "app");
      assertThat(log).contains("\"event\":\"ready\"");
      assertThat(log).contains("\"drain.seconds\":0"); // the kubelet's sleep preStop drains
    }
    assertThat(e2e.current().getStatus().readyReplicas()).isEqualTo(2);
  }

  @Test
  void deletingTheServiceRemovesTheDeploymentItsPodsAndTheirProcesses() throws Exception {
    e2e.applyExample(resource -> resource);
    e2e.awaitReady(2);
    List<String> ips = e2e.pods().stream().map(pod -> pod.getStatus().getPodIP()).toList();

    e2e.cluster.client().resource(e2e.current()).delete();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(e2e.cluster.client().apps().deployments().inNamespace(NS).withName(NAME).get())
          .isNull();
      assertThat(e2e.cluster.client().services().inNamespace(NS).withName(NAME).get()).isNull();
      assertThat(e2e.pods()).isEmpty();
      assertThat(e2e.cluster.node().runningProcesses()).isZero();
    });
    for (String ip : ips) {
      assertThat(LocalEndToEnd.httpStatus("http://" + ip + ":8080/livez")).as("nothing listens on %s", ip)
          .isEqualTo(-1);
    }
  }

}
