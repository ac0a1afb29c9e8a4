package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operated.testing.MockApiServer;
import dev.operated.testing.MutableClock;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
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
    guard = new LeadershipGuard("operators", OperatorSettings.LeaseTimings.STANDARD, clock);
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

  @Test
  void aReplicaWritesOnlyWhileItLeadsButAlwaysReadsAndTouchesItsLease() {
    assertThatThrownBy(() -> writeConfigMap("before-leading"))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("does not hold the lease");
    assertThat(guarded.configMaps().inNamespace("shop").list().getItems()).isEmpty();
    Lease lease = guarded.resources(Lease.class).inNamespace("operators").resource(
        new LeaseBuilder().withNewMetadata().withName("lease").endMetadata().build()).create();
    assertThat(lease).isNotNull();

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
    clock.advance(limit);
    assertThat(guard.electorAlive()).isTrue();
    guarded.resources(Lease.class).inNamespace("operators").withName("lease").get();
    clock.advance(limit);
    assertThat(guard.electorAlive()).as("a Lease request restarts the count").isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(guard.electorAlive()).isFalse();
  }
}
