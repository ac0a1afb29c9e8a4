package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.TelemetryMode;
import dev.operated.api.TelemetrySpec;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector as a native sidecar (1.33) on the local node: started before the app, stopped
 * after it. The collector's image cannot run here, so the node simulates it; the order is the
 * node's, as the kubelet's would be.
 */
class SidecarsOnLocalNodeTest {

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @BeforeEach
  void start() throws Exception {
    e2e = new LocalEndToEnd(logs, "1.33");
    e2e.applyExample(resource -> {
      resource.setSpec(resource.getSpec().withTelemetry(new TelemetrySpec(
          TelemetryMode.SIDECAR, "http://gateway.observability:4317", null, null, null)));
      return resource;
    });
    e2e.awaitReady(2);
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void theNativeCollectorRunsBeforeTheAppAndIsStoppedAfterIt() {
    Pod pod = e2e.pods().get(0);
    ContainerStatus collector = pod.getStatus().getInitContainerStatuses().stream()
        .filter(s -> s.getName().equals("otel-collector")).findFirst().orElseThrow();
    assertThat(collector.getStarted()).isTrue();
    assertThat(collector.getReady()).isTrue();
    // the app exports to the collector in its own pod, whatever the gateway
    assertThat(pod.getSpec().getContainers().get(0).getEnv()).anySatisfy(env -> {
      assertThat(env.getName()).isEqualTo("OTEL_EXPORTER_OTLP_ENDPOINT");
      assertThat(env.getValue()).isEqualTo("http://localhost:4318");
    });

    List<Pod> seen = new CopyOnWriteArrayList<>();
    try (Watch watch = e2e.cluster.client().pods().inNamespace(NS)
        .withName(pod.getMetadata().getName()).watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, Pod changed) {
            seen.add(changed);
          }

          @Override
          public void onClose(WatcherException cause) {
            // the pod is gone
          }
        })) {
      e2e.cluster.client().resource(pod).delete();
      await().atMost(Duration.ofSeconds(60))
          .until(() -> e2e.cluster.client().resource(pod).get() == null);
    }

    assertThat(seen).as("a moment when the app had stopped and the collector still ran")
        .anyMatch(p -> terminated(p, "app") && running(p, "otel-collector"));
    assertThat(seen).as("never the collector stopped while the app still ran")
        .noneMatch(p -> terminated(p, "otel-collector") && running(p, "app"));
  }

  private static boolean terminated(Pod pod, String container) {
    return status(pod, container).map(s -> s.getState().getTerminated() != null).orElse(false);
  }

  private static boolean running(Pod pod, String container) {
    return status(pod, container).map(s -> s.getState().getRunning() != null).orElse(false);
  }

  private static Optional<ContainerStatus> status(Pod pod, String container) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    return Stream.concat(pod.getStatus().getInitContainerStatuses().stream(),
            pod.getStatus().getContainerStatuses().stream())
        .filter(s -> s.getName().equals(container)).findFirst();
  }
}
