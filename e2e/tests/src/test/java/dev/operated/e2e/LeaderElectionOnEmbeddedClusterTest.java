package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.concurrent.atomic.AtomicBoolean;
import dev.operated.cluster.ApiRequest;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
    cluster = TestClusters.withCrds().start();
    client = cluster.newClient();
    TestClusters.createNamespaces(client, OPERATORS, "shop");
  }

  @AfterEach
  void stop() {
    runtimes.forEach(OperatorRuntime::shutdown);
    clients.forEach(KubernetesClient::close);
    client.close();
    cluster.close();
  }

  private OperatorRuntime replica(String identity) {
    // its own user agent, so the request log tells the replicas apart
    KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        cluster.config()).withUserAgent(identity + "/e2e").build()).build();
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
    // Seen leading on this clock, not by the Lease's acquireTime: fabric8's elector stamps that
    // with the time its attempt began, a request before it checks that the lease has run out.
    Instant seenLeading = Instant.now();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-a");
    assertThat(seenLeading).as("taken only once the dead leader's lease had run out")
        .isAfterOrEqualTo(renewed.plus(FAST.leaseDuration()));

    OperatorRuntime second = replica("replica-b");
    Examples.apply(client, Examples.SAMPLE, "shop");
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

  /**
   * What `helm upgrade` does to a two-replica operator with the chart's RollingUpdate
   * (maxUnavailable 0, maxSurge 1): a new pod starts and becomes ready as a standby, then an old
   * one stops, twice over. Meanwhile a user keeps changing the spec. Oracles: the operator's
   * writes come from one replica at a time (a replica's writes never interleave with another's),
   * and no stretch without a reconciling leader is longer than the lease duration.
   */
  @Test
  void aRollingUpgradeOfTwoReplicasHasOneWriterAtATimeAndNoGapLongerThanTheLease()
      throws Exception {
    OperatorRuntime oldA = replica("old-a");
    await().atMost(Duration.ofSeconds(30)).until(() -> oldA.health().leading());
    OperatorRuntime oldB = replica("old-b");
    Examples.apply(client, Examples.SAMPLE, "shop");
    await().atMost(Duration.ofSeconds(30)).until(() -> readyReplicas() == 2);

    AtomicBoolean changing = new AtomicBoolean(true);
    Thread user = new Thread(() -> {
      for (int change = 0; changing.get() && change < 400; change++) {
        touchSpec(change);
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
      }
    }, "user-edits");
    user.start();
    try {
      // surge: a new pod, ready as a standby before an old one goes
      OperatorRuntime newC = replica("new-c");
      awaitReady(newC);
      oldA.shutdown();
      OperatorRuntime newD = replica("new-d");
      awaitReady(newD);
      oldB.shutdown();
      await().atMost(FAST.leaseDuration().multipliedBy(2))
          .until(() -> newC.health().leading() || newD.health().leading());
      // a few more edits under the new leader
      int before = operatorWrites().size();
      await().atMost(Duration.ofSeconds(10)).until(() -> operatorWrites().size() > before + 3);
    } finally {
      changing.set(false);
      user.join();
    }

    List<ApiRequest> writes = operatorWrites();
    List<String> writers = runs(writes.stream().map(w -> w.userAgent().split("/")[0]).toList());
    assertThat(writers).as("one replica writes at a time and never again once another has")
        .doesNotHaveDuplicates().startsWith("old-a").hasSizeGreaterThan(1);
    Duration longestGap = Duration.ZERO;
    for (int i = 1; i < writes.size(); i++) {
      Duration gap = Duration.between(writes.get(i - 1).at(), writes.get(i).at());
      assertThat(gap).as("no reconciling leader between %s and %s", writes.get(i - 1),
          writes.get(i)).isLessThanOrEqualTo(FAST.leaseDuration());
      longestGap = gap.compareTo(longestGap) > 0 ? gap : longestGap;
    }
    System.out.printf("rolling upgrade: %d operator writes by %s, longest gap %d ms "
        + "(lease %d ms)%n", writes.size(), writers, longestGap.toMillis(),
        FAST.leaseDuration().toMillis());
    assertThat(exits).as("every old replica stopped cleanly").isEmpty();
  }

  /** The identities in the order they wrote, one entry per uninterrupted run of writes. */
  private static List<String> runs(List<String> agents) {
    List<String> runs = new ArrayList<>();
    for (String agent : agents) {
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(agent)) {
        runs.add(agent);
      }
    }
    return runs;
  }

  /** Writes by the operator's replicas, not counting their Lease and access reviews. */
  private List<ApiRequest> operatorWrites() {
    return cluster.requests().writes(request -> request.userAgent() != null
        && request.userAgent().endsWith("/e2e") && !request.path().contains("/leases")
        && !request.path().startsWith("/apis/authorization.k8s.io/"));
  }

  private void awaitReady(OperatorRuntime runtime) {
    await().atMost(Duration.ofSeconds(30)).until(() -> runtime.health().ready().ok());
  }

  private int readyReplicas() {
    OperatedService current = client.resources(OperatedService.class).inNamespace("shop")
        .withName("sample-service").get();
    return current == null || current.getStatus() == null
        || current.getStatus().readyReplicas() == null ? 0 : current.getStatus().readyReplicas();
  }

  /** A spec change, as a user's `kubectl patch --type merge` (no resourceVersion, no conflict). */
  private void touchSpec(int change) {
    client.resources(OperatedService.class).inNamespace("shop").withName("sample-service")
        .patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
            Serialization.asJson(Map.of("spec", Map.of("env", List.of(
                Map.of("name", "EDIT", "value", Integer.toString(change)))))));
  }
}
