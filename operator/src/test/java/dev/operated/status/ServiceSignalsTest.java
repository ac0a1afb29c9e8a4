package dev.operated.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OperatedServiceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The per-OperatedService series: what a reconcile's status and pods become, counted once, with
 * bounded labels, and gone with the service. Also which containers count as killed at the grace
 * deadline ({@link GraceDeadlineKills}).
 */
class ServiceSignalsTest {

  private static final Instant STARTED = Instant.parse("2026-11-30T10:00:00Z");
  private static final String BEFORE = "2026-11-30T09:00:00Z";
  private static final String AFTER = "2026-11-30T10:05:00Z";

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final ServiceSignals signals = new ServiceSignals(registry, STARTED);
  private final OperatedService orders = service("orders", 3);

  private static OperatedService service(String name, int replicas) {
    OperatedService resource = new OperatedService();
    resource.getMetadata().setName(name);
    resource.getMetadata().setNamespace("shop");
    OperatedServiceSpec image = OperatedServiceSpec.ofImage("orders:1");
    resource.setSpec(new OperatedServiceSpec(image.image(), replicas, null, null, null, null,
        null, null, null, null, null, null));
    return resource;
  }

  private static OperatedServiceStatus status(boolean ready, String reason, int readyReplicas) {
    Condition condition = new ConditionBuilder().withType(ConditionTypes.READY)
        .withStatus(ready ? "True" : "False").withReason(reason).build();
    return new OperatedServiceStatus(1L, 3, readyReplicas, 3, readyReplicas,
        readyReplicas + "/3", List.of(condition));
  }

  private static Pod pod(String uid, String created, ContainerStatus... statuses) {
    return new PodBuilder().withNewMetadata().withName("orders-" + uid).withUid(uid)
        .withNamespace("shop").withCreationTimestamp(created)
        .addToLabels("app.kubernetes.io/instance", "orders").endMetadata()
        .withNewSpec().addNewContainer().withName("app").endContainer().endSpec()
        .withNewStatus().withContainerStatuses(statuses).endStatus().build();
  }

  private static ContainerStatus running(int restarts) {
    return new ContainerStatusBuilder().withName("app").withRestartCount(restarts)
        .withNewState().withNewRunning().endRunning().endState().build();
  }

  private static ContainerStatus terminated(int exitCode, String reason) {
    return new ContainerStatusBuilder().withName("app").withRestartCount(0)
        .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
        .endTerminated().endState().build();
  }

  private static Pod terminating(Pod pod) {
    return new PodBuilder(pod).editMetadata().withDeletionTimestamp(AFTER).endMetadata().build();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  private double counter(String name) {
    return registry.get(name).tags("operatedservice", "orders", "container", "app").counter()
        .count();
  }

  @Test
  void readyIsOneSeriesPerServiceLabelledWithTheCurrentReason() {
    signals.observe(orders, Optional.empty(), List.of(), status(false, "CrashLoop", 1));
    assertThat(gauge(ServiceSignals.READY, "namespace", "shop", "operatedservice", "orders",
        "reason", "CrashLoop")).isZero();

    signals.observe(orders, Optional.empty(), List.of(), status(true, "AllReplicasReady", 3));

    assertThat(registry.find(ServiceSignals.READY).gauges()).singleElement()
        .satisfies(g -> {
          assertThat(g.getId().getTag("reason")).isEqualTo("AllReplicasReady");
          assertThat(g.value()).isEqualTo(1);
        });
  }

  @Test
  void replicasByStateWithDesiredFromTheSpec() {
    signals.observe(orders, Optional.empty(), List.of(), status(false, "ReplicasNotReady", 2));

    assertThat(gauge(ServiceSignals.REPLICAS, "state", "desired")).isEqualTo(3);
    assertThat(gauge(ServiceSignals.REPLICAS, "state", "ready")).isEqualTo(2);
    assertThat(gauge(ServiceSignals.REPLICAS, "state", "updated")).isEqualTo(3);
    assertThat(registry.find(ServiceSignals.REPLICAS).gauges()).hasSize(5);
  }

  @Test
  void restartsCountFromZeroForPodsBornWhileWatchedAndFromFirstSightForOlderOnes() {
    OperatedServiceStatus status = status(true, "AllReplicasReady", 3);
    signals.observe(orders, Optional.empty(), List.of(pod("new", AFTER, running(2)),
        pod("old", BEFORE, running(7))), status);
    assertThat(counter(ServiceSignals.RESTARTS)).as("2 of the new pod; the old pod's 7 are "
        + "from before the operator started").isEqualTo(2);

    signals.observe(orders, Optional.empty(), List.of(pod("new", AFTER, running(3)),
        pod("old", BEFORE, running(9))), status);

    assertThat(counter(ServiceSignals.RESTARTS)).isEqualTo(2 + 1 + 2);
  }

  @Test
  void aContainerKilledAtTheGraceDeadlineCountsOnceHoweverOftenItIsSeen() {
    Pod killed = terminating(pod("a", AFTER, terminated(137, "Error")));
    OperatedServiceStatus status = status(true, "AllReplicasReady", 3);
    signals.observe(orders, Optional.empty(), List.of(pod("a", AFTER, running(0))), status);
    assertThat(counter(ServiceSignals.GRACE_DEADLINE_KILLS)).as("registered at 0").isZero();

    signals.observe(orders, Optional.empty(), List.of(killed), status);
    signals.observe(orders, Optional.empty(), List.of(killed), status);

    assertThat(counter(ServiceSignals.GRACE_DEADLINE_KILLS)).isEqualTo(1);
  }

  @Test
  void aKillSeenOnlyInTheDeletedPodsFinalStateCountsOnceToo() {
    ServiceSignals.PodTransitions transitions = new ServiceSignals.PodTransitions(
        Optional.of(signals));
    Pod running = pod("a", AFTER, running(0));
    Pod killed = terminating(pod("a", AFTER, terminated(137, "Error")));
    signals.observe(orders, Optional.empty(), List.of(running), status(true, "AllReplicasReady",
        3));

    // the kubelet writes the final state and deletes the pod at once: the informer sees both,
    // a reconcile may see neither
    assertThat(transitions.updated(killed, terminating(running))).as("lets the event through")
        .isTrue();
    assertThat(transitions.deleted(killed, false)).isTrue();
    signals.observe(orders, Optional.empty(), List.of(killed), status(true, "AllReplicasReady",
        3));

    assertThat(counter(ServiceSignals.GRACE_DEADLINE_KILLS)).isEqualTo(1);
  }

  @Test
  void aPodDeletedAfterItsServiceDoesNotBringTheServiceBack() {
    signals.observe(orders, Optional.empty(), List.of(), status(true, "AllReplicasReady", 3));
    signals.forget(new ResourceID("orders", "shop"));

    new ServiceSignals.PodTransitions(Optional.of(signals))
        .deleted(terminating(pod("a", AFTER, terminated(137, "Error"))), false);

    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void onlyASigkillOfATerminatingPodThatIsNotAnOomKillIsAGraceDeadlineKill() {
    assertThat(GraceDeadlineKills.containers(terminating(pod("a", AFTER,
        terminated(137, "Error"))))).containsExactly("app");
    assertThat(GraceDeadlineKills.containers(terminating(pod("a", AFTER,
        terminated(0, "Completed"))))).as("a clean exit").isEmpty();
    assertThat(GraceDeadlineKills.containers(terminating(pod("a", AFTER,
        terminated(137, "OOMKilled"))))).as("out of memory").isEmpty();
    assertThat(GraceDeadlineKills.containers(pod("a", AFTER, terminated(137, "Error"))))
        .as("not being deleted: a liveness kill, counted as a restart").isEmpty();
    assertThat(GraceDeadlineKills.containers(terminating(pod("a", AFTER, running(0)))))
        .as("still within its grace period").isEmpty();
  }

  @Test
  void aDeletedServiceTakesAllItsSeriesWithIt() {
    signals.observe(orders, Optional.empty(), List.of(pod("a", AFTER, running(0))),
        status(true, "AllReplicasReady", 3));
    signals.observe(service("billing", 1), Optional.empty(), List.of(),
        status(true, "AllReplicasReady", 1));

    signals.forget(new ResourceID("orders", "shop"));

    assertThat(registry.getMeters()).extracting(Meter::getId)
        .allSatisfy(id -> assertThat(id.getTag("operatedservice")).isEqualTo("billing"))
        .isNotEmpty();
  }
}
