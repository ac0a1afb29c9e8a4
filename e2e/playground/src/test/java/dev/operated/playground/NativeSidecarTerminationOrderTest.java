package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.operated.cluster.ContainerReport;
import dev.operated.cluster.PodReporter;
import dev.operated.playground.ContainerEvents.Kind;
import dev.operated.playground.standin.OtlpReceiverStandIn;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local node stops a pod's containers in the kubelet's order, on the node alone (no API
 * server): kubelet's {@code killContainer} (pkg/kubelet/kuberuntime/kuberuntime_container.go)
 * runs a container's preStop hook first, then waits for its turn
 * ({@code newTerminationOrdering} in kuberuntime_termination_order.go: a native sidecar waits for
 * every app container and for the sidecars started after it), then stops it with what is left of
 * the grace period, at least 2 s.
 */
class NativeSidecarTerminationOrderTest {

  private static final String NS = "shop";
  private static final String POD = "ordered";

  @TempDir
  Path logs;

  @Test
  void aNativeSidecarsPreStopRunsAtOnceAndItsSigtermComesAfterTheAppAndTheLaterSidecar()
      throws Exception {
    assumeThat(Files.isRegularFile(LocalEndToEnd.SAMPLE_JAR)).as(LocalEndToEnd.SAMPLE_JAR
        + " is built by the reactor before the e2e modules").isTrue();
    ProcessNode node = new ProcessNode(LocalNodeSettings.forSampleService(
        LocalEndToEnd.SAMPLE_JAR, logs).withSidecarStandIns(logs.resolve("stand-ins")));
    Pod pod = new PodBuilder().withNewMetadata().withNamespace(NS).withName(POD)
        .withUid("uid-1").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(20L)
          // started first, stopped last; no hook
          .addNewInitContainer().withName("proxy").withImage(IstioSidecarInjection.IMAGE)
            .withRestartPolicy("Always").addNewEnv().withName("TERMINATION_DRAIN_DURATION_SECONDS")
            .withValue("0").endEnv().endInitContainer()
          // started second: its preStop sleeps 3 s from the moment termination begins
          .addNewInitContainer().withName("collector").withImage(SidecarStandIns.COLLECTOR_IMAGE
              + ":1").withRestartPolicy("Always")
            .withNewLifecycle().withNewPreStop().withNewSleep().withSeconds(3L).endSleep()
            .endPreStop().endLifecycle().endInitContainer()
          .addNewContainer().withName("app").withImage(LocalNodeSettings.SAMPLE_SERVICE_IMAGE
              + ":1").addNewEnv().withName("OPERATED_DRAIN_SECONDS").withValue("1").endEnv()
            .addNewEnv().withName("OPERATED_SHUTDOWN_TIMEOUT_SECONDS").withValue("1").endEnv()
          .endContainer()
        .endSpec().build();
    CountDownLatch terminated = new CountDownLatch(1);
    PodReporter reporter = new PodReporter() {
      @Override
      public void report(List<ContainerReport> containers) {
        // the pod status is the kubelet's business, not this test's
      }

      @Override
      public void terminated() {
        terminated.countDown();
      }
    };
    try {
      String ip = node.addressOf(pod);
      node.podAdded(pod, reporter);
      // the app installs its SIGTERM handler before it listens
      await().atMost(Duration.ofSeconds(60)).until(() -> LocalEndToEnd.httpStatus(
          "http://" + ip + ":8080/livez") == 200 && LocalEndToEnd.httpStatus(
          "http://" + ip + ":" + OtlpReceiverStandIn.HEALTH_PORT + "/") == 200);

      node.podDeleted(pod, reporter);
      assertThat(terminated.await(30, TimeUnit.SECONDS)).as("every container stopped").isTrue();
    } finally {
      node.close();
    }

    ContainerEvents events = node.events();
    Instant start = events.first(NS, POD, "", Kind.TERMINATING).orElseThrow();
    Instant appExit = events.last(NS, POD, "app", Kind.EXITED).orElseThrow();
    Instant collectorHook = events.first(NS, POD, "collector", Kind.PRE_STOP).orElseThrow();
    Instant collectorTerm = events.first(NS, POD, "collector", Kind.SIGTERM).orElseThrow();
    assertThat(Duration.between(start, collectorHook)).as("the sidecar's preStop at once")
        .isLessThan(Duration.ofSeconds(1));
    assertThat(collectorHook).as("the sidecar's preStop while the app still runs")
        .isBefore(appExit);
    assertThat(collectorTerm).as("SIGTERM after its own 3 s hook")
        .isAfterOrEqualTo(collectorHook.plusSeconds(3));
    // the order of the record, not of wall-clock readings on two threads microseconds apart
    assertThat(events.positionOfFirst(NS, POD, "collector", Kind.SIGTERM))
        .as("the collector's SIGTERM recorded after the app's exit: %s", events.of(NS, POD))
        .isGreaterThan(events.positionOfLast(NS, POD, "app", Kind.EXITED));
    assertThat(events.positionOfFirst(NS, POD, "proxy", Kind.SIGTERM))
        .as("the sidecar started first is stopped last: %s", events.of(NS, POD))
        .isGreaterThan(events.positionOfLast(NS, POD, "collector", Kind.EXITED));
    assertThat(events.kills()).as("nothing killed at the grace deadline").isEmpty();
  }
}
