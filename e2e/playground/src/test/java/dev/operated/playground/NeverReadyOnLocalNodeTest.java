package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service whose app starts but never passes its readiness probe (the spec names a path the
 * app does not serve). After the first few pod updates nothing in the cluster changes any more:
 * only the operator coming back by itself can tell "still warming up" from "failing its probe".
 */
class NeverReadyOnLocalNodeTest {

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @AfterEach
  void stop() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  void anAppThatNeverGetsReadyIsReportedAsFailingItsProbeWithinItsBudgetAndOnePeriod()
      throws IOException {
    e2e = new LocalEndToEnd(logs, "1.33");
    e2e.applyExample(NeverReadyOnLocalNodeTest::neverReady);

    AtomicReference<Instant> reported = new AtomicReference<>();
    await("ProbeFailing reported").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          Condition ready = e2e.condition("Ready");
          assertThat(ready).isNotNull();
          assertThat(ready.getReason()).isEqualTo("ProbeFailing");
          reported.compareAndSet(null, Instant.now());
        });

    Pod pod = e2e.pods().get(0);
    ContainerStatus app = pod.getStatus().getContainerStatuses().stream()
        .filter(status -> status.getName().equals("app")).findFirst().orElseThrow();
    assertThat(app.getRestartCount()).as("readiness never restarts").isZero();
    Probe readiness = pod.getSpec().getContainers().stream()
        .filter(container -> container.getName().equals("app")).findFirst().orElseThrow()
        .getReadinessProbe();
    Duration budget = Duration.ofSeconds(
        (long) readiness.getPeriodSeconds() * readiness.getFailureThreshold());
    Duration period = Duration.ofSeconds(readiness.getPeriodSeconds());
    // startedAt has whole seconds: the start may have been up to one second later
    Instant started = Instant.parse(app.getState().getRunning().getStartedAt());
    assertThat(Duration.between(started, reported.get()))
        .as("reported within the readiness budget (%s) plus one period (%s)", budget, period)
        .isLessThanOrEqualTo(budget.plus(period).plusSeconds(1));
  }

  /** The example with one replica and a readiness path the sample-service answers with 404. */
  private static OperatedService neverReady(OperatedService resource) {
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = Serialization.jsonMapper().convertValue(resource.getSpec(),
        Map.class);
    spec.put("replicas", 1);
    spec.put("health", Map.of("readinessPath", "/never-ready"));
    resource.setSpec(Serialization.jsonMapper().convertValue(spec, OperatedServiceSpec.class));
    return resource;
  }
}
