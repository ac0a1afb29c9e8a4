package dev.operated.runtime;

import dev.operated.runtime.MalformedLeaseRepair.LeaseHolding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Leader election seen from the operator's own HTTP client, where it cannot be bypassed.
 *
 * <p>A fence: a replica writes only while it leads, the Lease names it, and its last renewal the
 * Lease shows is younger than the renew deadline. JOSDK keeps its reconcilers running after a
 * lost lease until the process has stopped them, and a reconcile in flight would otherwise write
 * beside the new leader; from the moment the lease may be lost every write (other than the
 * Lease's own and access reviews) is refused here, before it leaves the process. "May be lost" is
 * the earliest of three moments:
 * <ul>
 *   <li>the elector giving up (its renew deadline);</li>
 *   <li>a read of the Lease, every retry period, finding another holder in it: a replica whose
 *       Lease was taken over (by an elector with a skewed clock, or by hand) would otherwise think
 *       it leads until its renew deadline;</li>
 *   <li>the renew deadline passing since the renewTime of this replica's last renewal as that read
 *       found it stored. A standby takes the Lease once renewTime plus the lease duration has
 *       passed (fabric8's {@code LeaderElector.canBecomeLeader}), but fabric8's leader counts its
 *       deadline from when its last renewal <em>returned</em> ({@code renewWithTimeout}) and only
 *       looks between two renewals: with renewals answered late, or an elector thread starved, it
 *       still leads after the standby has taken over. Counted from renewTime, the fence closes
 *       the lease duration less the renew deadline before any standby may lead, which is the
 *       margin for writes already on the wire. renewTime is stamped by this process's elector
 *       with the system clock: the guard's clock must be that clock.</li>
 * </ul>
 * A write finding the last read of the Lease older than the retry period reads it first: the
 * elector's reads run on a shared executor that a busy process may hold back, and a takeover by
 * hand leaves no margin, so how soon writes stop after one must not depend on when the elector
 * next gets a thread. While the Lease can be read, every write is then preceded by a read of it
 * at most one retry period old: writes stop within one retry period of a takeover being stored.
 *
 * <p>A heartbeat: the elector asks for the Lease every retry period, leader or standby. When it
 * has not asked for longer than {@link #silenceLimit} since its first request, and is not in the
 * middle of a read, the elector has died (an exception ends
 * fabric8's elector loop for good, and a standby gets no callback for it), so the replica would
 * never lead again: liveness then fails and the kubelet restarts it.
 */
final class LeadershipGuard implements Interceptor {

  private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
  private static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/";

  private final String leases;
  private final String identity;
  private final Clock clock;
  private final Duration renewDeadline;
  private final Duration retryPeriod;
  private final Duration silenceLimit;
  private volatile boolean leading;
  private volatile boolean namedInLease;
  private volatile Instant renewedAt = Instant.MIN;
  /** When the Lease was last read (the read's start): what this replica knows is that old. */
  private volatile Instant leaseReadAt = Instant.MIN;
  /** When a writer's read of the Lease last ended, read or not. */
  private volatile Instant writerReadEndedAt = Instant.MIN;
  /**
   * When the elector last asked for the Lease; null before its first request, which JOSDK makes
   * only once every cache has synced (minutes on a large cluster, and no sign of a dead elector).
   */
  private volatile Instant lastLeaseRequest;
  /** A read of the Lease (and its repair) is running: slow while the API server is, not silent. */
  private volatile boolean leaseReadRunning;
  private volatile Supplier<Optional<LeaseHolding>> leaseBeforeRead = Optional::empty;
  /**
   * The path of the master URL ("/k8s/clusters/c-1" behind Rancher's proxy, "" usually): the API's
   * paths come after it, and the Lease is told from a write by what follows.
   */
  private volatile String apiPathPrefix = "";

  LeadershipGuard(String namespace, String identity, OperatorSettings.LeaseTimings timings,
      Clock clock) {
    this.leases = "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases";
    this.identity = identity;
    this.clock = clock;
    this.renewDeadline = timings.renewDeadline();
    this.retryPeriod = timings.retryPeriod();
    // a renewal may hang for a request timeout before the next one: twice the lease is ample
    this.silenceLimit = timings.leaseDuration().multipliedBy(2);
  }

  /**
   * A client of the same API server whose every request passes this guard, reading objects as
   * {@code client} does (the operator's reads no managedFields) with the operator's HTTP client.
   *
   * <p>It does not retry a failed request itself: fabric8 runs a retry, and the interceptors
   * again, on its one shared scheduler thread, where a refusal thrown here was lost
   * ({@code AsyncUtils.retryWithExponentialBackoff} drops what the scheduled attempt throws) and
   * the caller waited for good, and where a read of the Lease would hold every timer of the
   * client. A failure goes back to its caller instead, on whose thread each attempt passes the
   * fence: JOSDK retries the reconcile, the elector its next period, an informer its list.
   */
  KubernetesClient guard(KubernetesClient client) {
    apiPathPrefix = pathPrefix(client.getConfiguration().getMasterUrl());
    Config noRetries = new ConfigBuilder(client.getConfiguration())
        .withRequestRetryBackoffLimit(0).build();
    return OperatorClient.builder().withConfig(noRetries)
        .withKubernetesSerialization(client.getKubernetesSerialization())
        .withHttpClientBuilderConsumer(builder -> {
          OperatorClient.configureHttp(builder);
          builder.addOrReplaceInterceptor("operated-leadership", this);
        })
        .build();
  }

  /**
   * Runs before every read of the Lease, on the elector's thread (and on a writer's, when the
   * last read is older than a retry period): repairs a malformed Lease (see
   * MalformedLeaseRepair) and says who holds it and since when, if it could be read.
   */
  void beforeLeaseRead(Supplier<Optional<LeaseHolding>> lease) {
    this.leaseBeforeRead = lease;
  }

  void leadershipChanged(boolean nowLeading) {
    // the elector has just written the Lease with this replica as its holder; when it was stamped
    // is read back from the Lease (until then, or if it cannot be read, nothing is written)
    namedInLease = nowLeading;
    leading = nowLeading;
    if (nowLeading) {
      readLease();
    }
  }

  /** On the elector's thread and on writers': one at a time, so no older read wins. */
  private synchronized void readLease() {
    Instant asked = clock.instant();
    leaseBeforeRead.get().ifPresent(lease -> {
      namedInLease = identity.equals(lease.holder());
      // a renewTime ahead of this clock (written by hand) grants no more than one stamped now
      renewedAt = namedInLease ? lease.renewedAt().map(at -> at.isAfter(asked) ? asked : at)
          .orElse(Instant.MIN) : Instant.MIN;
      leaseReadAt = asked;
    });
  }

  /**
   * One read for the writers that find the last one stale at the same moment, and while the
   * Lease cannot be read, one a retry period (each may take the client's retries): the writers
   * go on by the renewTime last read, which the renew deadline closes.
   */
  private void readLeaseIfOlderThanARetryPeriod() {
    // checked before the lock too: most writes find a fresh read and need not wait for it
    if (readWithinARetryPeriod()) {
      return;
    }
    synchronized (this) {
      if (!readWithinARetryPeriod()) {
        readLease();
        writerReadEndedAt = clock.instant();
      }
    }
  }

  private boolean readWithinARetryPeriod() {
    Instant now = clock.instant();
    return now.isBefore(leaseReadAt.plus(retryPeriod))
        || now.isBefore(writerReadEndedAt.plus(retryPeriod));
  }

  boolean electorAlive() {
    Instant last = lastLeaseRequest;
    return last == null || leaseReadRunning
        || Duration.between(last, clock.instant()).compareTo(silenceLimit) <= 0;
  }

  Duration silenceLimit() {
    return silenceLimit;
  }

  private static String pathPrefix(String masterUrl) {
    String path = masterUrl == null ? null : URI.create(masterUrl).getPath();
    return path == null ? "" : path.replaceAll("/+$", "");
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String path = request.uri().getPath();
    String prefix = apiPathPrefix;
    if (!prefix.isEmpty() && path.startsWith(prefix + "/")) {
      path = path.substring(prefix.length());
    }
    if (path.startsWith(leases)) {
      lastLeaseRequest = clock.instant();
      if ("GET".equals(request.method())) {
        leaseReadRunning = true;
        try {
          readLease();
        } finally {
          leaseReadRunning = false;
          lastLeaseRequest = clock.instant();
        }
      }
      return;
    }
    if (READS.contains(request.method()) || path.startsWith(ACCESS_REVIEWS)) {
      return;
    }
    if (leading) {
      readLeaseIfOlderThanARetryPeriod();
    }
    if (!(leading && namedInLease)) {
      throw new KubernetesClientException("not writing " + request.method() + " " + path
          + ": this replica does not hold the lease (another replica leads)");
    }
    Instant renewed = renewedAt;
    if (!clock.instant().isBefore(renewed.plus(renewDeadline))) {
      throw new KubernetesClientException("not writing " + request.method() + " " + path
          + ": this replica's lease was last renewed "
          + (renewed.equals(Instant.MIN) ? "at a time not yet read back" : "at " + renewed)
          + ", the renew deadline of " + renewDeadline.toSeconds() + " s ago or more; another "
          + "replica may take the lease now (renewals are late or failing)");
    }
  }
}
