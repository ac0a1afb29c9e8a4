package dev.operated.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Leader election seen from the operator's own HTTP client, where it cannot be bypassed.
 *
 * <p>A fence: a replica writes only while it leads and the Lease names it. JOSDK keeps its
 * reconcilers running after a lost lease until the process has stopped them, and a reconcile in
 * flight would otherwise write beside the new leader; from the moment the lease is lost every
 * write (other than the Lease's own and access reviews) is refused here, before it leaves the
 * process. "Lost" is the earlier of two moments: the elector giving up (its renew deadline), and
 * a read of the Lease, every retry period, finding another holder in it. The second closes the
 * window in which a replica whose Lease was taken over (by an elector with a skewed clock, or by
 * hand) still thinks it leads until its renew deadline.
 *
 * <p>A heartbeat: the elector asks for the Lease every retry period, leader or standby. When it
 * has not asked for longer than {@link #silenceLimit} the elector has died (an exception ends
 * fabric8's elector loop for good, and a standby gets no callback for it), so the replica would
 * never lead again: liveness then fails and the kubelet restarts it.
 */
final class LeadershipGuard implements Interceptor {

  private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
  private static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/";

  private final String leases;
  private final String identity;
  private final Clock clock;
  private final Duration silenceLimit;
  private volatile boolean leading;
  private volatile boolean namedInLease;
  private volatile Instant lastLeaseRequest;
  private volatile Supplier<Optional<String>> holderBeforeLeaseRead = Optional::empty;

  LeadershipGuard(String namespace, String identity, OperatorSettings.LeaseTimings timings,
      Clock clock) {
    this.leases = "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases";
    this.identity = identity;
    this.clock = clock;
    // a renewal may hang for a request timeout before the next one: twice the lease is ample
    this.silenceLimit = timings.leaseDuration().multipliedBy(2);
    this.lastLeaseRequest = clock.instant();
  }

  /**
   * A client of the same API server whose every request passes this guard, reading objects as
   * {@code client} does (the operator's reads no managedFields) with the operator's HTTP client.
   */
  KubernetesClient guard(KubernetesClient client) {
    return OperatorClient.builder().withConfig(client.getConfiguration())
        .withKubernetesSerialization(client.getKubernetesSerialization())
        .withHttpClientBuilderConsumer(builder ->
            builder.addOrReplaceInterceptor("operated-leadership", this))
        .build();
  }

  /**
   * Runs before every read of the Lease, on the elector's thread: repairs a malformed Lease (see
   * MalformedLeaseRepair) and says which replica it names, if it could be read.
   */
  void beforeLeaseRead(Supplier<Optional<String>> holder) {
    this.holderBeforeLeaseRead = holder;
  }

  void leadershipChanged(boolean nowLeading) {
    // the elector has just written the Lease with this replica as its holder
    namedInLease = nowLeading;
    leading = nowLeading;
  }

  boolean electorAlive() {
    return Duration.between(lastLeaseRequest, clock.instant()).compareTo(silenceLimit) <= 0;
  }

  Duration silenceLimit() {
    return silenceLimit;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String path = request.uri().getPath();
    if (path.startsWith(leases)) {
      lastLeaseRequest = clock.instant();
      if ("GET".equals(request.method())) {
        holderBeforeLeaseRead.get().ifPresent(holder -> namedInLease = identity.equals(holder));
      }
      return;
    }
    if (!(leading && namedInLease) && !READS.contains(request.method())
        && !path.startsWith(ACCESS_REVIEWS)) {
      throw new KubernetesClientException("not writing " + request.method() + " " + path
          + ": this replica does not hold the lease (another replica leads)");
    }
  }
}
