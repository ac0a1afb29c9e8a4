package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operated.runtime.MalformedLeaseRepair.LeaseHolding;
import dev.operated.testing.MockApiServer;
import dev.operated.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator's client refuses writes while it does not lead; its elector's silence is seen. */
class LeadershipGuardTest {

  private MockApiServer api;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
  private LeadershipGuard guard;
  private KubernetesClient guarded;

  @BeforeEach
  void start() {
    api = new MockApiServer();
    api.createNamespaces("operators", "shop");
    guard = new LeadershipGuard("operators", "replica-a", OperatorSettings.LeaseTimings.STANDARD,
        clock);
    guarded = guard.guard(api.client);
  }

  @AfterEach
  void stop() {
    guarded.close();
    api.close();
  }

  private void writeConfigMap(String name) {
    guarded.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata()
        .withName(name).endMetadata().build()).create();
  }

  private void readLease() {
    guarded.resources(Lease.class).inNamespace("operators").withName("lease").get();
  }

  /** The Lease as the elector is about to read it: held by {@code holder}, renewed just now. */
  private void leaseHeldBy(AtomicReference<String> holder) {
    guard.beforeLeaseRead(() -> Optional.of(new LeaseHolding(holder.get(),
        Optional.of(clock.instant()))));
  }

  @Test
  void aLeaseNamingAnotherReplicaFencesWritesBeforeTheElectorGivesUp() {
    AtomicReference<String> holder = new AtomicReference<>("replica-a");
    leaseHeldBy(holder);
    guard.leadershipChanged(true);
    writeConfigMap("while-named");

    // taken over (a skewed elector, or by hand) while this replica's elector still leads
    holder.set("replica-b");
    readLease();
    assertThatThrownBy(() -> writeConfigMap("after-the-takeover"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("does not hold the lease");

    holder.set("replica-a");
    readLease();
    writeConfigMap("named-again");
    assertThat(guarded.configMaps().inNamespace("shop").list().getItems())
        .extracting(map -> map.getMetadata().getName())
        .containsExactlyInAnyOrder("while-named", "named-again");
  }

  /**
   * The elector still leads (fabric8 counts its renew deadline from when a renewal returned, and
   * only between renewals), but the Lease shows this replica's last renewal stamped the renew
   * deadline ago: a standby may take it at renewTime plus the lease duration
   * ({@code LeaderElector.canBecomeLeader}), so nothing more is written. The refusal says why.
   */
  @Test
  void aRenewalStampedTheRenewDeadlineAgoFencesWritesWhileTheElectorStillLeads() {
    Duration deadline = OperatorSettings.LeaseTimings.STANDARD.renewDeadline();
    AtomicReference<Instant> renewTime = new AtomicReference<>(clock.instant());
    guard.beforeLeaseRead(() -> Optional.of(new LeaseHolding("replica-a",
        Optional.of(renewTime.get()))));
    guard.leadershipChanged(true);
    writeConfigMap("renewed");

    // a renewal answered late: stamped now, stored and read back only later
    renewTime.set(clock.instant());
    clock.advance(deadline.minusMillis(1));
    readLease();
    writeConfigMap("within-the-deadline");
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> writeConfigMap("at-the-deadline"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("last renewed at " + renewTime.get())
        .hasMessageContaining("renew deadline of 10 s");

    // with the elector's thread starved there is no read at all: time alone closes the fence
    renewTime.set(clock.instant());
    readLease();
    writeConfigMap("renewed-again");
    clock.advance(deadline);
    assertThatThrownBy(() -> writeConfigMap("no-read-since"))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(api.client.configMaps().inNamespace("shop").list().getItems())
        .extracting(map -> map.getMetadata().getName())
        .containsExactlyInAnyOrder("renewed", "within-the-deadline", "renewed-again");
  }

  /**
   * fabric8 retries a failed request on its shared scheduler thread and passes it through the
   * interceptors again there, where a refusal was lost and the write's caller waited for good.
   * The guarded client does not retry: the API server's 503 goes back to the caller, whose own
   * retry (JOSDK's) passes the fence on its own thread.
   */
  @Test
  void aFailedWriteGoesBackToItsCallerUnretriedByTheClient() {
    leaseHeldBy(new AtomicReference<>("replica-a"));
    guard.leadershipChanged(true);
    api.refuse("POST", "/api/v1/namespaces/shop/configmaps", 1, new StatusBuilder().withCode(503)
        .withReason("ServiceUnavailable").withStatus("Failure").withMessage("etcd is busy")
        .build());

    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> writeConfigMap("once"));

    assertThat(write).failsWithin(Duration.ofSeconds(20)).withThrowableThat()
        .havingCause().isInstanceOf(KubernetesClientException.class)
        .withMessageContaining("etcd is busy");
    assertThat(api.client.configMaps().inNamespace("shop").list().getItems()).isEmpty();
    writeConfigMap("retried-by-its-caller");
  }

  @Test
  void aRenewTimeAheadOfThisClockGrantsNoMoreThanOneStampedNow() {
    AtomicReference<Optional<LeaseHolding>> lease = new AtomicReference<>(Optional.of(
        new LeaseHolding("replica-a", Optional.of(clock.instant().plus(Duration.ofHours(1))))));
    guard.beforeLeaseRead(lease::get);
    guard.leadershipChanged(true);
    writeConfigMap("now");
    // unreadable from then on: what was read last is all the guard knows
    lease.set(Optional.empty());
    clock.advance(OperatorSettings.LeaseTimings.STANDARD.renewDeadline());
    assertThatThrownBy(() -> writeConfigMap("an-hour-ahead"))
        .isInstanceOf(KubernetesClientException.class);
  }

  /**
   * The Lease taken over by hand while this replica's elector gets no thread (its reads run on a
   * shared executor): no margin protects a takeover by hand, so a write finding the last read a
   * retry period old reads the Lease itself, and is refused once it names another replica.
   * Within the retry period writes read nothing more than the elector does.
   */
  @Test
  void aWriteAfterARetryPeriodWithoutAReadReadsTheLeaseAndSeesATakeoverByHand() {
    Duration retryPeriod = OperatorSettings.LeaseTimings.STANDARD.retryPeriod();
    AtomicReference<String> holder = new AtomicReference<>("replica-a");
    AtomicInteger reads = new AtomicInteger();
    guard.beforeLeaseRead(() -> {
      reads.incrementAndGet();
      return Optional.of(new LeaseHolding(holder.get(), Optional.of(clock.instant())));
    });
    guard.leadershipChanged(true);
    writeConfigMap("while-named");

    holder.set("replica-b"); // stored; the elector has not read it
    clock.advance(retryPeriod.minusMillis(1));
    writeConfigMap("within-a-retry-period");
    assertThat(reads).as("reads of the Lease: the elector's first one only").hasValue(1);

    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(() -> writeConfigMap("a-retry-period-later"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("does not hold the lease");
    assertThat(reads).hasValue(2);
    assertThat(api.client.configMaps().inNamespace("shop").list().getItems())
        .extracting(map -> map.getMetadata().getName())
        .containsExactlyInAnyOrder("while-named", "within-a-retry-period");
  }

  /**
   * A Lease that cannot be read costs the writers one read a retry period, not one each: they go
   * on by the renewTime last read until the renew deadline closes the fence.
   */
  @Test
  void anUnreadableLeaseIsTriedByWritersOnceARetryPeriodUntilTheDeadlineFencesThem() {
    OperatorSettings.LeaseTimings timings = OperatorSettings.LeaseTimings.STANDARD;
    AtomicReference<Optional<LeaseHolding>> lease = new AtomicReference<>(Optional.of(
        new LeaseHolding("replica-a", Optional.of(clock.instant()))));
    AtomicInteger reads = new AtomicInteger();
    guard.beforeLeaseRead(() -> {
      reads.incrementAndGet();
      return lease.get();
    });
    guard.leadershipChanged(true);
    lease.set(Optional.empty());

    clock.advance(timings.retryPeriod());
    writeConfigMap("first");
    writeConfigMap("second");
    writeConfigMap("third");
    assertThat(reads).as("the elector's read and one writer's").hasValue(2);
    clock.advance(timings.retryPeriod());
    writeConfigMap("a-retry-period-later");
    assertThat(reads).hasValue(3);

    clock.advance(timings.renewDeadline().minus(timings.retryPeriod().multipliedBy(2)));
    assertThatThrownBy(() -> writeConfigMap("at-the-deadline"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("renew deadline");
  }

  @Test
  void aLeaderWhoseLeaseCannotBeReadBackWritesNothing() {
    guard.beforeLeaseRead(Optional::empty);
    guard.leadershipChanged(true);
    assertThatThrownBy(() -> writeConfigMap("unconfirmed"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("not yet read back");
  }

  @Test
  void theGuardedClientReadsObjectsAsTheOperatorsClientDoes() {
    KubernetesClient operators = OperatorClient.builder().withConfig(api.client.getConfiguration())
        .withKubernetesSerialization(OperatorSerialization.create()).build();
    try (KubernetesClient guardedOperators = guard.guard(operators)) {
      assertThat(guardedOperators.getKubernetesSerialization())
          .as("without managedFields, as the client it guards")
          .isSameAs(operators.getKubernetesSerialization());
      assertThat(guardedOperators.getHttpClient())
          .isInstanceOf(io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl.class);
    } finally {
      operators.close();
    }
  }

  /**
   * Outside the cluster, through a proxy that serves the API under a path (Rancher's
   * {@code /k8s/clusters/<id>}), the Lease is still the Lease and a write still a write: the
   * elector's create of the Lease goes out (fabric8's mock server reads the path after any
   * prefix), and a ConfigMap written while not leading is refused before it leaves.
   */
  @Test
  void aMasterUrlWithAPathPrefixKeepsTheLeaseApartFromWrites() {
    KubernetesClient proxied = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(api.client.getConfiguration())
            .withMasterUrl(api.client.getConfiguration().getMasterUrl()
                .replaceAll("/+$", "") + "/k8s/clusters/c-1/")
            .build())
        .build();
    try (KubernetesClient guardedProxied = guard.guard(proxied)) {
      assertThat(guardedProxied.resources(Lease.class).inNamespace("operators")
          .resource(new LeaseBuilder().withNewMetadata().withName("lease").endMetadata().build())
          .create()).isNotNull();
      assertThatThrownBy(() -> guardedProxied.configMaps().inNamespace("shop").resource(
          new ConfigMapBuilder().withNewMetadata().withName("proxied").endMetadata().build())
          .create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("does not hold the lease");
    } finally {
      proxied.close();
    }
  }

  @Test
  void aReplicaWritesOnlyWhileItLeadsButAlwaysReadsAndTouchesItsLease() {
    assertThatThrownBy(() -> writeConfigMap("before-leading"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("does not hold the lease");
    assertThat(guarded.configMaps().inNamespace("shop").list().getItems()).isEmpty();
    Lease lease = guarded.resources(Lease.class).inNamespace("operators").resource(
        new LeaseBuilder().withNewMetadata().withName("lease").endMetadata().build()).create();
    assertThat(lease).isNotNull();

    leaseHeldBy(new AtomicReference<>("replica-a"));
    guard.leadershipChanged(true);
    writeConfigMap("while-leading");

    guard.leadershipChanged(false);
    assertThatThrownBy(() -> writeConfigMap("after-losing-the-lease"))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(api.client.configMaps().inNamespace("shop").list().getItems())
        .extracting(map -> map.getMetadata().getName()).containsExactly("while-leading");
  }

  @Test
  void anElectorSilentForTwiceTheLeaseDurationIsDead() {
    Duration limit = OperatorSettings.LeaseTimings.STANDARD.leaseDuration().multipliedBy(2);
    clock.advance(limit.multipliedBy(5));
    assertThat(guard.electorAlive()).as("not started yet: JOSDK starts it once caches synced")
        .isTrue();
    guarded.resources(Lease.class).inNamespace("operators").withName("lease").get();
    clock.advance(limit);
    assertThat(guard.electorAlive()).as("a Lease request restarts the count").isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(guard.electorAlive()).isFalse();
  }

  /** A read of the Lease (with its repair) slow while the API server is, is not silence. */
  @Test
  void anElectorWaitingOnAReadOfTheLeaseIsAlive() {
    Duration limit = OperatorSettings.LeaseTimings.STANDARD.leaseDuration().multipliedBy(2);
    AtomicReference<Boolean> aliveDuringTheRead = new AtomicReference<>();
    guard.beforeLeaseRead(() -> {
      clock.advance(limit.plusSeconds(60));
      aliveDuringTheRead.set(guard.electorAlive());
      return Optional.empty();
    });

    readLease();

    assertThat(aliveDuringTheRead.get()).isTrue();
    assertThat(guard.electorAlive()).as("the read's end counts as a request").isTrue();
  }
}
