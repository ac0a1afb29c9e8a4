package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kubelet and the operator do when the sample-service misbehaves, with the real process:
 * panics, a fatal error, a hung process, a lost dependency.
 */
class FailuresOnLocalNodeTest {

  /** Liveness: 3 failures 10 s apart, each timing out after 2 s (operator defaults). */
  private static final Duration LIVENESS_RESTART = Duration.ofSeconds(60);

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @BeforeEach
  void start() throws IOException {
    e2e = new LocalEndToEnd(logs, "1.33");
    e2e.applyExample(FailuresOnLocalNodeTest::withFaults);
    e2e.awaitReady(2);
  }

  @AfterEach
  void stop() {
    e2e.close();
  }

  @Test
  void aPanicIsOneEventAndAFatalErrorReachesTheServiceStatusWithItsMessage() throws Exception {
    Pod pod = e2e.pods().get(0);
    String ip = ip(pod);

    assertThat(LocalEndToEnd.httpStatus("http://" + ip + ":8080/fault/panic")).isEqualTo(500);
    assertThat(LocalEndToEnd.httpStatus("http://" + ip + ":8080/readyz")).as("the process lives on").isEqualTo(200);
    assertThat(e2e.log(pod, "app").lines().filter(l -> l.contains("\"event\":\"panic\"")))
        .hasSize(1);

    Set<String> reasons = ConcurrentHashMap.newKeySet();
    Set<String> messages = ConcurrentHashMap.newKeySet();
    LocalEndToEnd.httpStatus("http://" + ip + ":8080/fault/fatal");
    await("the CR reports the crash with the panic message").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
          Condition ready = e2e.condition("Ready");
          if (ready != null) {
            reasons.add(ready.getReason());
            messages.add(ready.getMessage());
          }
          assertThat(messages).anyMatch(m -> m.contains("panic: OutOfMemoryError"));
        });
    assertThat(reasons).contains("CrashLoop");
    assertThat(messages).anyMatch(m -> m.contains("last exit code 70"));

    // the kubelet restarted the container; the service recovers by itself
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      ContainerStatus app = appStatus(pod.getMetadata().getName());
      assertThat(app.getRestartCount()).isEqualTo(1);
      assertThat(app.getLastState().getTerminated().getExitCode()).isEqualTo(70);
      assertThat(app.getLastState().getTerminated().getMessage()).contains("\"event\":\"panic\"");
    });
    e2e.awaitReady(2);
  }

  @Test
  void aHungProcessFailsLivenessAndIsRestarted() throws Exception {
    Pod pod = e2e.pods().get(0);
    ProcessHandle app = e2e.cluster.node().process(NS, pod.getMetadata().getName(), "app")
        .orElseThrow();

    signal(app, "STOP"); // frozen, as a deadlocked JVM is to its probes

    await("liveness restarts the container").atMost(LIVENESS_RESTART)
        .untilAsserted(() -> assertThat(appStatus(pod.getMetadata().getName())
            .getRestartCount()).isEqualTo(1));
    assertThat(app.isAlive()).as("the frozen process was killed").isFalse();
    e2e.awaitReady(2);
  }

  @Test
  void aFailingReadinessProbeTakesThePodOutOfTheServiceWithoutARestart() throws Exception {
    ServiceFront front = e2e.cluster.front(NS, LocalEndToEnd.NAME, Duration.ofMillis(500));
    await().atMost(Duration.ofSeconds(10)).until(() -> front.endpoints().size() == 2);
    Pod pod = e2e.pods().get(0);
    String ip = ip(pod);

    assertThat(LocalEndToEnd.httpStatus("http://" + ip + ":8080/fault/unready?seconds=20")).isEqualTo(200);

    await("out of the Service").atMost(Duration.ofSeconds(20))
        .until(() -> front.endpoints().stream()
            .noneMatch(endpoint -> endpoint.getHostString().equals(ip)));
    assertThat(front.endpoints()).hasSize(1);
    // the status follows the pod through the Deployment's status and a reconcile, after the
    // endpoint left: awaited, within the 20 s the app stays unready
    await("the status says why").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(e2e.condition("Ready").getReason()).isIn("ProbeFailing", "AppNotReady"));
    await("back in once ready").atMost(Duration.ofSeconds(40))
        .until(() -> front.endpoints().size() == 2);
    assertThat(appStatus(pod.getMetadata().getName()).getRestartCount()).isZero();
  }

  private ContainerStatus appStatus(String podName) {
    Pod pod = e2e.cluster.client().pods().inNamespace(NS).withName(podName).get();
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> s.getName().equals("app")).findFirst().orElseThrow();
  }

  private static String ip(Pod pod) {
    return pod.getStatus().getPodIP();
  }

  private static OperatedService withFaults(OperatedService resource) {
    resource.setSpec(resource.getSpec().withEnv(List.of(new EnvVarBuilder()
        .withName("SAMPLE_FAULTS_ENABLED").withValue("true").build())));
    return resource;
  }

  private static void signal(ProcessHandle process, String signal) throws Exception {
    int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO().start().waitFor();
    assertThat(exit).as("kill -%s %d", signal, process.pid()).isZero();
  }

}
