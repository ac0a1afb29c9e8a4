package dev.operated.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Leader election seen from the operator's own HTTP client, where it cannot be bypassed.
 *
 * <p>A fence: a replica writes only while it leads. JOSDK keeps its reconcilers running after a
 * lost lease until the process has stopped them, and a reconcile in flight would otherwise write
 * beside the new leader; from the moment the lease is lost every write (other than the Lease's own
 * and access reviews) is refused here, before it leaves the process.
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
  private final Clock clock;
  private final Duration silenceLimit;
  private volatile boolean leading;
  private volatile Instant lastLeaseRequest;
  private volatile Runnable beforeLeaseRead = () -> { };

  LeadershipGuard(String namespace, OperatorSettings.LeaseTimings timings, Clock clock) {
    this.leases = "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases";
    this.clock = clock;
    // a renewal may hang for a request timeout before the next one: twice the lease is ample
    this.silenceLimit = timings.leaseDuration().multipliedBy(2);
    this.lastLeaseRequest = clock.instant();
  }

  /** A client of the same API server whose every request passes this guard. */
  KubernetesClient guard(KubernetesClient client) {
    return new KubernetesClientBuilder().withConfig(client.getConfiguration())
        .withHttpClientBuilderConsumer(builder ->
            builder.addOrReplaceInterceptor("operated-leadership", this))
        .build();
  }

  /** Runs before every read of the Lease, on the elector's thread (see MalformedLeaseRepair). */
  void beforeLeaseRead(Runnable check) {
    this.beforeLeaseRead = check;
  }

  void leadershipChanged(boolean nowLeading) {
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
        beforeLeaseRead.run(); // hook: a malformed Lease repaired before the elector reads it
      }
      return;
    }
    if (!leading && !READS.contains(request.method()) && !path.startsWith(ACCESS_REVIEWS)) {
      throw new KubernetesClientException("not writing " + request.method() + " " + path
          + ": this replica does not hold the lease (another replica leads)");
    }
  }
}
