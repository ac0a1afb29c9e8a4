package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operators against one API server: fabric8's CRUD mock, whose Lease updates honour
 * resourceVersion, so fabric8's LeaseLock works against it as against a real server. (The
 * embedded API server of e2e/embedded-cluster is not a dependency of this module; this test
 * needs nothing it adds.)
 */
class LeaderElectionTest {

  private static final OperatorSettings.LeaseTimings FAST = new OperatorSettings.LeaseTimings(
      Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(250));

  private MockApiServer api;
  private final List<OperatorRuntime> runtimes = new CopyOnWriteArrayList<>();
  private final List<Integer> exits = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startApiServer() {
    api = new MockApiServer();
  }

  @AfterEach
  void stop() {
    runtimes.forEach(OperatorRuntime::shutdown);
    api.close();
  }

  private OperatorRuntime start(String identity) {
    OperatorRuntime runtime = OperatorRuntime.start(
        OperatorRuntimeTest.settings(true, identity).withLease(FAST),
        api.client, Clock.systemUTC(), exits::add, MockApiServer.WITHOUT_SSA);
    runtimes.add(runtime);
    return runtime;
  }

  private String holder() {
    Lease lease = api.client.resources(Lease.class).inNamespace("operators")
        .withName("operated-test-lease").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  /**
   * SIGTERM while the API server answers the Lease late: the elector's release and the
   * operator's each wait out a request timeout, and the kubelet's SIGKILL (the chart gives the
   * pod the shutdown timeout plus 5 s) came before "operator stopped". Each step now ends by the
   * shutdown timeout.
   */
  @Test
  void aShutdownWhileTheLeaseAnswersLateEndsWithinItsTimeout() {
    OperatorRuntime leader = start("replica-a");
    await().atMost(Duration.ofSeconds(20)).until(() -> leader.health().leading());
    String leases = "/apis/coordination.k8s.io/v1/namespaces/operators/leases";
    for (String method : List.of("GET", "PUT", "PATCH")) {
      api.delay(method, leases, 100, Duration.ofSeconds(60));
    }

    long started = System.nanoTime();
    leader.shutdown();

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Duration timeout = OperatorRuntimeTest.settings(true, "replica-a").shutdownTimeout();
    // the delays are 60 s; what follows the API steps (closing tracing, the HTTP server, the
    // client) gets a few seconds on a loaded machine
    assertThat(took).isLessThan(timeout.plusSeconds(3));
  }

  @Test
  void oneLeadsTheStandbyIsLiveAndReadyAndTakesOverWhenTheLeaderStops() {
    OperatorRuntime first = start("replica-a");
    await().atMost(Duration.ofSeconds(20)).until(() -> first.health().leading());
    OperatorRuntime second = start("replica-b");
    Http firstHttp = new Http(first.httpPort());
    Http secondHttp = new Http(second.httpPort());

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(firstHttp.status("/readyz")).isEqualTo(200);
      assertThat(secondHttp.get("/readyz").body()).contains("\"leader\":false");
    });
    assertThat(secondHttp.status("/readyz")).as("a standby is ready to take over").isEqualTo(200);
    assertThat(secondHttp.status("/livez")).isEqualTo(200);
    assertThat(holder()).isEqualTo("replica-a");

    first.shutdown();
    // released on shutdown, so the standby need not wait out the lease duration; timed from the
    // end of the shutdown, whose own length a loaded machine decides
    long stoppedAt = System.nanoTime();
    assertThat(holder()).as("the Lease released by the stopped leader")
        .isIn(null, "", "replica-b");
    await().atMost(FAST.leaseDuration().plusSeconds(10)).until(() -> second.health().leading());
    Duration takeover = Duration.ofNanos(System.nanoTime() - stoppedAt);
    assertThat(takeover).isLessThan(FAST.leaseDuration().plusSeconds(2));
    await().atMost(Duration.ofSeconds(5)).until(() -> secondHttp.status("/readyz") == 200);
    assertThat(holder()).isEqualTo("replica-b");
    assertThat(exits).as("nobody lost the lease uncleanly").isEmpty();
  }
}
