package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.runtime.MalformedLeaseRepair.LeaseHolding;
import dev.operated.testing.MockApiServer;
import dev.operated.testing.MutableClock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Lease fabric8's elector cannot read is released; a readable one is never touched. */
class MalformedLeaseRepairTest {

  private MockApiServer api;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
  private MalformedLeaseRepair repair;

  @BeforeEach
  void start() {
    api = new MockApiServer();
    api.createNamespaces("operators");
    repair = new MalformedLeaseRepair(api.client, "operators", "lease", clock);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private void store(Map<String, Object> spec) {
    GenericKubernetesResource lease = new GenericKubernetesResource();
    lease.setApiVersion("coordination.k8s.io/v1");
    lease.setKind("Lease");
    lease.setMetadata(new ObjectMetaBuilder().withName("lease").withNamespace("operators")
        .build());
    if (spec != null) {
      lease.setAdditionalProperty("spec", spec);
    }
    api.client.genericKubernetesResources("coordination.k8s.io/v1", "Lease")
        .inNamespace("operators").resource(lease).create();
  }

  /** What fabric8's elector makes of the stored Lease; it threw before the repair. */
  private Object electorRecord() {
    return new LeaseLock("operators", "lease", "replica-a").get(api.client);
  }

  @Test
  void aLeaseWithoutItsDurationIsReleasedSoThatAnElectorCanReadAndTakeIt() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("holderIdentity", "gone-replica");
    spec.put("acquireTime", "2026-11-30T09:59:59.000000Z");
    spec.put("renewTime", "2026-11-30T09:59:59.000000Z");
    spec.put("leaseTransitions", 3);
    store(spec);

    assertThat(repair.repairIfMalformed()).contains("spec.leaseDurationSeconds is missing");

    Lease lease = api.client.resources(Lease.class).inNamespace("operators").withName("lease")
        .get();
    assertThat(lease.getSpec().getHolderIdentity()).isNull();
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
    assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(clock.instant());
    assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(3);
    assertThat(electorRecord()).isNotNull();
  }

  @Test
  void aLeaseWithoutTimesOrWithoutASpecIsReleased() {
    store(Map.of("holderIdentity", "gone-replica", "leaseDurationSeconds", 15));
    assertThat(repair.repairIfMalformed()).contains("spec.acquireTime is missing");
    assertThat(electorRecord()).isNotNull();

    api.client.resources(Lease.class).inNamespace("operators").withName("lease").delete();
    store(null);
    assertThat(repair.repairIfMalformed()).contains("spec is missing");
    assertThat(electorRecord()).isNotNull();
  }

  @Test
  void aTimeTheElectorCannotDecodeIsReleased() {
    store(Map.of("holderIdentity", "gone-replica", "leaseDurationSeconds", 15,
        "acquireTime", "2026-11-30T09:59:59.000000Z", "renewTime", "yesterday"));
    assertThat(repair.repairIfMalformed()).hasValueSatisfying(problem ->
        assertThat(problem).startsWith("it cannot be decoded"));
    assertThat(electorRecord()).isNotNull();
  }

  @Test
  void aLeaseAnElectorWroteIsLeftAlone() {
    api.client.resources(Lease.class).inNamespace("operators").resource(new LeaseBuilder()
        .withNewMetadata().withName("lease").endMetadata().withNewSpec()
        .withHolderIdentity("replica-b").withLeaseDurationSeconds(15)
        .withAcquireTime(clock.instant().atZone(ZoneOffset.UTC))
        .withRenewTime(clock.instant().atZone(ZoneOffset.UTC)).endSpec().build()).create();
    String before = api.client.resources(Lease.class).inNamespace("operators").withName("lease")
        .get().getMetadata().getResourceVersion();

    assertThat(repair.repairIfMalformed()).isEmpty();

    Lease lease = api.client.resources(Lease.class).inNamespace("operators").withName("lease")
        .get();
    assertThat(lease.getMetadata().getResourceVersion()).isEqualTo(before);
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-b");
  }

  @Test
  void noLeaseIsLeftForTheElectorToCreate() {
    assertThat(repair.repairIfMalformed()).isEmpty();
    assertThat(repair.holdingAfterRepair()).isEmpty();
  }

  /** The leadership fence counts from renewTime: read to the microsecond fabric8 writes. */
  @Test
  void theHolderAndItsRenewTimeAreReadAsTheElectorWroteThem() {
    ZonedDateTime renewed = ZonedDateTime.parse("2026-11-30T09:59:58.123456Z");
    new LeaseLock("operators", "lease", "replica-b").create(api.client,
        new LeaderElectionRecord("replica-b", Duration.ofSeconds(15), renewed, renewed, 0));
    assertThat(repair.holdingAfterRepair()).contains(new LeaseHolding("replica-b",
        Optional.of(renewed.toInstant())));
  }

  @Test
  void aReleasedLeaseNamesNoHolder() {
    store(Map.of("holderIdentity", "gone-replica", "leaseDurationSeconds", 15));
    assertThat(repair.holdingAfterRepair()).contains(new LeaseHolding("",
        Optional.of(clock.instant())));
  }
}
