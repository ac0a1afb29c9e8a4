package dev.operated.runtime;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs a Lease no elector would write, before the elector reads it.
 *
 * <p>fabric8's elector cannot read a Lease without {@code leaseDurationSeconds},
 * {@code acquireTime} or {@code renewTime}: {@code LeaseLock.toRecord} unboxes the duration and
 * {@code LeaderElectionRecord} requires both times, and the NullPointerException ends the
 * elector's loop for good ({@code Utils.scheduleWithVariableRate} completes it exceptionally). A
 * standby then never leads, a leader stops leading, and a restarted replica dies the same way: a
 * crash loop, with no replica leading, for as long as that Lease stays. Anyone allowed to write
 * Leases can store one (a hand edit, a tool, an older chart).
 *
 * <p>client-go reads the same Lease as expired: {@code LeaseSpecToLeaderElectionRecord}
 * (tools/leaderelection/resourcelock/leaselock.go) takes a missing duration as 0, and a lease is
 * only valid for its duration after it was observed, so a standby takes it on its next retry. It
 * is repaired to what that reading means: released, as an elector releases a lease (no holder,
 * one second, now), written with the resourceVersion it was read at, so a takeover or another
 * replica's repair in between wins and nothing is overwritten.
 */
final class MalformedLeaseRepair {

  private static final Logger LOG = LoggerFactory.getLogger(MalformedLeaseRepair.class);
  /** metav1.MicroTime's wire format (RFC 3339 with microseconds), as fabric8 writes it. */
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Clock clock;

  /** @param client a client whose requests do not pass the leadership guard (it calls this) */
  MalformedLeaseRepair(KubernetesClient client, String namespace, String name, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.clock = clock;
  }

  /** @return what was wrong with the Lease, if it had to be repaired */
  Optional<String> repairIfMalformed() {
    return inspect().problem();
  }

  /**
   * The Lease as read just before the elector reads it, after a repair if one was needed; empty
   * when there is no Lease or it could not be read.
   */
  Optional<LeaseHolding> holdingAfterRepair() {
    return inspect().holding();
  }

  /**
   * Who holds a Lease and when it was last renewed, by the holder's clock ({@code renewTime};
   * empty when it has none).
   */
  record LeaseHolding(String holder, Optional<Instant> renewedAt) {
  }

  private record Inspection(Optional<String> problem, Optional<LeaseHolding> holding) {
  }

  private Inspection inspect() {
    try {
      GenericKubernetesResource lease = client.genericKubernetesResources("coordination.k8s.io/v1",
          "Lease").inNamespace(namespace).withName(name).get();
      if (lease == null) {
        return new Inspection(Optional.empty(), Optional.empty()); // the elector creates it
      }
      Optional<String> problem = problem(lease);
      if (problem.isEmpty()) {
        return new Inspection(problem, holdingOf(lease.getAdditionalProperties().get("spec")));
      }
      Map<String, Object> released = released(lease.getAdditionalProperties().get("spec"));
      lease.setAdditionalProperty("spec", released);
      client.genericKubernetesResources("coordination.k8s.io/v1", "Lease")
          .inNamespace(namespace).resource(lease).update();
      LOG.warn("the Lease {}/{} could not be read by a leader elector ({}); released it so that "
          + "a replica takes it over", namespace, name, problem.get());
      return new Inspection(problem, holdingOf(released));
    } catch (KubernetesClientException e) {
      // a conflict: someone wrote it meanwhile; anything else: the elector's own read reports it
      LOG.debug("could not check or repair the Lease {}/{}: {}", namespace, name, e.getMessage());
      return new Inspection(Optional.empty(), Optional.empty());
    }
  }

  private static Optional<LeaseHolding> holdingOf(Object spec) {
    Map<?, ?> fields = spec instanceof Map<?, ?> map ? map : Map.of();
    String holder = fields.get("holderIdentity") instanceof String identity ? identity : "";
    return Optional.of(new LeaseHolding(holder, renewedAt(fields.get("renewTime"))));
  }

  private static Optional<Instant> renewedAt(Object renewTime) {
    if (!(renewTime instanceof String text)) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * What a fabric8 elector cannot read in this Lease, if anything: decoded as its
   * {@code LeaseLock} decodes it (a time in a form fabric8's MicroTime reader refuses fails
   * here too), then the fields {@code toRecord} and {@code LeaderElectionRecord} require.
   */
  static Optional<String> problem(GenericKubernetesResource stored) {
    Lease lease;
    try {
      lease = Serialization.unmarshal(Serialization.asJson(stored), Lease.class);
    } catch (RuntimeException e) {
      return Optional.of("it cannot be decoded: " + e.getMessage());
    }
    LeaseSpec spec = lease.getSpec();
    if (spec == null) {
      return Optional.of("spec is missing");
    }
    if (spec.getLeaseDurationSeconds() == null) {
      return Optional.of("spec.leaseDurationSeconds is missing");
    }
    if (spec.getAcquireTime() == null) {
      return Optional.of("spec.acquireTime is missing");
    }
    if (spec.getRenewTime() == null) {
      return Optional.of("spec.renewTime is missing");
    }
    return Optional.empty();
  }

  private Map<String, Object> released(Object spec) {
    String now = MICRO_TIME.format(ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC));
    Map<String, Object> released = new LinkedHashMap<>();
    released.put("leaseDurationSeconds", 1);
    released.put("acquireTime", now);
    released.put("renewTime", now);
    Object transitions = spec instanceof Map<?, ?> fields ? fields.get("leaseTransitions") : null;
    released.put("leaseTransitions", transitions instanceof Number number ? number.intValue() : 0);
    return released;
  }
}
