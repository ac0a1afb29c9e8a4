package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the operator's runtime, in its production configuration, electing a leader
 * through a Lease on the embedded API server: a leader that died without releasing the lease is
 * replaced once the lease runs out, the leader reconciles, and a standby takes over at once
 * when the leader stops cleanly.
 */
class LeaderElectionOnEmbeddedClusterTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static final String LEASE = "operated-e2e-lease";
  private static final String OPERATORS = "operators";
  private static final OperatorSettings.LeaseTimings FAST = new OperatorSettings.LeaseTimings(
      Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(250));

  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private final List<OperatorRuntime> runtimes = new CopyOnWriteArrayList<>();
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
  private final List<Integer> exits = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().crds(REPO.resolve("crds")).start();
    client = cluster.newClient();
    for (String namespace : List.of(OPERATORS, "shop")) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
          .withName(namespace).endMetadata().build()).create();
    }
  }

  @AfterEach
  void stop() {
    runtimes.forEach(OperatorRuntime::shutdown);
    clients.forEach(KubernetesClient::close);
    client.close();
    cluster.close();
  }

  private OperatorRuntime replica(String identity) {
    KubernetesClient own = cluster.newClient();
    clients.add(own);
    OperatorSettings settings = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of(OPERATORS), "127.0.0.1", 0, "INFO", true, LEASE, identity, false,
        Duration.ofSeconds(10), Optional.empty(), Optional.empty(), FAST);
    // no overrides: server-side apply and everything else as in production
    OperatorRuntime runtime = OperatorRuntime.start(settings, own, Clock.systemUTC(), exits::add,
        overrides -> { });
    runtimes.add(runtime);
    return runtime;
  }

  /** operated_operator_leader as the replica's /metrics serves it. */
  private static double leaderGauge(OperatorRuntime replica) {
    return replica.metrics().scrape().lines()
        .filter(line -> line.startsWith("operated_operator_leader{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow(() -> new AssertionError("no operated_operator_leader"));
  }

  private Lease lease() {
    return client.resources(Lease.class).inNamespace(OPERATORS).withName(LEASE).get();
  }

  @Test
  void aLeaderThatDiedHoldingTheLeaseIsReplacedOnceItRunsOutAndTheStandbyTakesOverOnRelease()
      throws Exception {
    // What a crashed leader leaves: a lease renewed a moment ago, never released.
    Instant renewed = Instant.now();
    client.resource(new LeaseBuilder().withNewMetadata().withName(LEASE)
        .withNamespace(OPERATORS).endMetadata()
        .withNewSpec().withHolderIdentity("crashed-replica")
          .withLeaseDurationSeconds((int) FAST.leaseDuration().toSeconds())
          .withAcquireTime(renewed.atZone(ZoneOffset.UTC))
          .withRenewTime(renewed.atZone(ZoneOffset.UTC))
        .endSpec().build()).create();

    OperatorRuntime first = replica("replica-a");
    await().atMost(Duration.ofSeconds(30)).until(() -> first.health().leading());
    Instant acquired = lease().getSpec().getAcquireTime().toInstant();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-a");
    assertThat(acquired).as("taken only once the dead leader's lease had run out")
        .isAfterOrEqualTo(renewed.plus(FAST.leaseDuration()));

    OperatorRuntime second = replica("replica-b");
    try (InputStream in = Files.newInputStream(
        REPO.resolve("sample-service/deploy/operatedservice.yaml"))) {
      OperatedService sample = client.resources(OperatedService.class).load(in).item();
      sample.getMetadata().setNamespace("shop");
      client.resource(sample).fieldManager("kubectl").forceConflicts().serverSideApply();
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      OperatedService current = client.resources(OperatedService.class).inNamespace("shop")
          .withName("sample-service").get();
      assertThat(current.getStatus()).isNotNull();
      assertThat(current.getStatus().ready()).isEqualTo("2/2");
    });
    assertThat(second.health().leading()).as("the standby only watches the lease").isFalse();
    // what OperatedOperatorNotLeading reads: exactly one replica says it reconciles
    assertThat(leaderGauge(first)).isEqualTo(1);
    assertThat(leaderGauge(second)).isZero();

    first.shutdown();
    await().atMost(FAST.leaseDuration()).until(() -> second.health().leading());
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-b");
    assertThat(leaderGauge(second)).isEqualTo(1);
    assertThat(exits).as("no replica lost its lease uncleanly").isEmpty();
  }
}
