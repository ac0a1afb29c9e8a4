package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.CollectorDefaults;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.Operator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorRuntimeTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private MockApiServer api;

  @BeforeEach
  void startApiServer() {
    api = new MockApiServer();
    api.createNamespaces("shop", "operators");
  }

  @AfterEach
  void stopApiServer() {
    api.close();
  }

  static OperatorSettings settings(boolean leaderElection, String identity) {
    return new OperatorSettings(new WatchedNamespaces.All(), Optional.of("operators"),
        "127.0.0.1", 0, "INFO", leaderElection, "operated-test-lease", identity, false,
        Duration.ofSeconds(10), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
  }

  @Test
  void readinessFollowsStartAndShutdownWhileLivenessStaysUp() throws IOException {
    OperatorHealth health = new OperatorHealth(false, () -> true);
    Operator operator = OperatedOperator.create(api.client, Clock.systemUTC(),
        CollectorDefaults.standard(), Set.of("shop"), MockApiServer.WITHOUT_SSA);
    try (HealthServer server = HealthServer.start("127.0.0.1", 0, health, () -> "")) {
      Http http = new Http(server.port());
      assertThat(http.status("/livez")).isEqualTo(200);
      assertThat(http.get("/readyz").statusCode()).isEqualTo(503);

      health.operatorCreated(operator);
      assertThat(http.get("/readyz").body()).contains("\"started\":false");
      operator.start();
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);

      assertThat(health.shutdownBegun()).isTrue();
      assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
      assertThat(http.get("/readyz").body()).contains("\"shuttingDown\":true");
      assertThat(http.status("/livez")).isEqualTo(200);
    } finally {
      operator.stop();
    }
  }

  /** kubebuilder's rule: a standby with synced caches is ready, so a rolling update can proceed. */
  @Test
  void aStandbyIsReadyAndAReplicaWhoseElectorDiedIsNotLive() throws IOException {
    AtomicBoolean electorAlive = new AtomicBoolean(true);
    OperatorHealth health = new OperatorHealth(true, electorAlive::get);
    Operator operator = OperatedOperator.create(api.client, Clock.systemUTC(),
        CollectorDefaults.standard(), Set.of("shop"), MockApiServer.WITHOUT_SSA);
    try (HealthServer server = HealthServer.start("127.0.0.1", 0, health, () -> "")) {
      Http http = new Http(server.port());
      health.operatorCreated(operator);
      operator.start();
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      assertThat(http.get("/readyz").body()).contains("\"leader\":false");
      assertThat(http.status("/livez")).isEqualTo(200);

      electorAlive.set(false);
      assertThat(http.get("/livez").statusCode()).isEqualTo(503);
      assertThat(http.get("/livez").body()).contains("leaderElector");
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
    } finally {
      operator.stop();
    }
  }

  /**
   * With leader election the operator's client does not retry a request itself (LeadershipGuard:
   * each attempt must pass the fence on its caller's thread), so an informer's first list that
   * the API server throttles (429, as it does when many controllers restart at once) must be
   * retried by the informer: fabric8's default handler retries only after the informer has
   * started, and JOSDK's stopOnInformerErrorDuringStartup stopped the operator with it.
   */
  @Test
  void aThrottledFirstListDoesNotStopALeaderElectedOperator() {
    api.refuse("GET", "/api/v1/pods", 1, new StatusBuilder().withCode(429)
        .withReason("TooManyRequests").withMessage("too many requests, please try again later")
        .build());
    api.refuse("GET", "/apis/apps/v1/deployments", 1, new StatusBuilder().withCode(503)
        .withReason("ServiceUnavailable").withMessage("the server is currently unable to "
            + "handle the request").build());

    try (OperatorRuntime runtime = OperatorRuntime.start(settings(true, "throttled"),
        api.client, Clock.systemUTC(), code -> { }, MockApiServer.WITHOUT_SSA)) {
      assertThat(api.refusalsPending()).as("both lists were refused once").isZero();
      await().atMost(TIMEOUT).until(() -> runtime.health().ready().ok());
    }
  }

  /**
   * controller-runtime's manager gives up on caches that have not synced within its cache sync
   * timeout; so does the runtime, naming them, where JOSDK would return from start with the
   * informer still retrying a list that the API server keeps refusing.
   */
  @Test
  void aListRefusedForGoodEndsTheStartNamingTheCache() {
    api.refuse("GET", "/api/v1/pods", 1_000_000, new StatusBuilder().withCode(403)
        .withReason("Forbidden").withMessage("pods is forbidden: User \"system:serviceaccount:"
            + "operators:operated\" cannot list resource \"pods\" in API group \"\" at the "
            + "cluster scope").build());

    assertThatThrownBy(() -> OperatorRuntime.start(settings(true, "forbidden"), api.client,
        Clock.systemUTC(), code -> { }, MockApiServer.WITHOUT_SSA.andThen(configuration ->
            configuration.withCacheSyncTimeout(Duration.ofSeconds(3)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pods")
        .hasMessageContaining("did not sync within 3 s");
  }

  /**
   * With leader election the wait ends before the fence closes: JOSDK's stop shuts the executor
   * the elector renews on, so no renewal comes after it (renew deadline 10 s less a retry period
   * of 2 s), however long the shutdown budget.
   */
  @Test
  void aLeaderWaitsForItsReconcilesOnlyWhileItsWritesArePassed() {
    OperatorSettings generous = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of("operators"), "127.0.0.1", 0, "INFO", true, "operated-test-lease", "a",
        false, Duration.ofSeconds(300), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
    assertThat(OperatorRuntime.reconcilesToFinish(generous)).isEqualTo(Duration.ofSeconds(8));
    assertThat(OperatorRuntime.reconcilesToFinish(settings(true, "a")))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(OperatorRuntime.reconcilesToFinish(new OperatorSettings(new WatchedNamespaces
        .All(), Optional.of("operators"), "127.0.0.1", 0, "INFO", false, "operated-test-lease",
        "a", false, Duration.ofSeconds(300), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD))).isEqualTo(Duration.ofSeconds(150));
  }

  /** On SIGTERM the reconciles in flight get half the shutdown budget to finish, not zero. */
  @Test
  void aStopWaitsForTheReconcilesInFlight() {
    try (OperatorRuntime runtime = OperatorRuntime.start(settings(false, "solo"), api.client,
        Clock.systemUTC(), code -> { }, MockApiServer.WITHOUT_SSA)) {
      assertThat(runtime.operator().getConfigurationService().reconciliationTerminationTimeout())
          .isEqualTo(Duration.ofSeconds(5));
    }
  }

  @Test
  void metricsCountReconcilesWithoutPerResourceSeries() {
    try (OperatorRuntime runtime = OperatorRuntime.start(settings(false, "solo"), api.client,
        Clock.systemUTC(), code -> { }, MockApiServer.WITHOUT_SSA)) {
      Http http = new Http(runtime.httpPort());
      assertThat(http.status("/readyz")).isEqualTo(200);

      api.client.resource(new OperatedService("shop", "orders", new OperatedServiceSpec(
          "orders:1", 2, null, null, null, null, null, null, null, null, null, null))).create();
      await().atMost(TIMEOUT).until(() -> api.client.apps().deployments().inNamespace("shop")
          .withName("orders").get() != null);

      await().atMost(TIMEOUT).untilAsserted(() -> {
        String metrics = http.get("/metrics").body();
        assertThat(counter(metrics, "operator_sdk_reconciliations_success_total"))
            .isGreaterThanOrEqualTo(1);
        assertThat(metrics).contains("jvm_memory_used_bytes").contains("process_cpu_usage")
            .contains("process_uptime_seconds");
        // bounded cardinality: no label carries the resource's name
        assertThat(metrics).doesNotContain("name=\"orders\"");
      });
      Deployment deployment = api.client.apps().deployments().inNamespace("shop")
          .withName("orders").get();
      assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    }
  }

  /**
   * JOSDK reconciles and applies on the runtime's pools (ReconcilePools), whose idle threads end,
   * not on its fixed pools, which keep every thread a storm started.
   */
  @Test
  void reconcilesAndDependentsRunOnThePoolsWhoseIdleThreadsEnd() {
    // an earlier test's runtime may have left pool threads that have not idled out yet
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    try (OperatorRuntime runtime = OperatorRuntime.start(settings(false, "pools"), api.client,
        Clock.systemUTC(), code -> { }, MockApiServer.WITHOUT_SSA)) {
      api.client.resource(new OperatedService("shop", "orders", new OperatedServiceSpec(
          "orders:1", 2, null, null, null, null, null, null, null, null, null, null))).create();
      await().atMost(TIMEOUT).until(() -> api.client.apps().deployments().inNamespace("shop")
          .withName("orders").get() != null);

      // JOSDK renames a thread to ReconcilerExecutor-<controller>-<id> while it reconciles and
      // gives the pool's name back afterwards, so the names are read between reconciles.
      await().atMost(TIMEOUT).untilAsserted(() ->
          assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> !before.contains(t))
              .extracting(Thread::getName)
              .anyMatch(name -> name.startsWith("operated-reconcile-"))
              .anyMatch(name -> name.startsWith("operated-dependent-")));
    }
  }

  /**
   * An informer that fabric8 stops for good after its sync (here on a watch event its typed
   * model cannot read: a word for the status's observedGeneration, which only a server without
   * schema validation stores; a spec is read leniently on purpose) leaves a cache that no longer
   * follows the cluster. The runtime exits through its own exit, code 1, as for a lost lease:
   * not JOSDK's System.exit from the informer's thread, which would have ended this test's JVM.
   */
  @Test
  void anInformerStoppedForGoodAfterItsSyncEndsTheProcessThroughItsOwnExit() {
    List<Integer> exits = new CopyOnWriteArrayList<>();
    try (OperatorRuntime runtime = OperatorRuntime.start(settings(false, "solo"), api.client,
        Clock.systemUTC(), exits::add, MockApiServer.WITHOUT_SSA)) {
      assertThat(runtime.health().ready().ok()).isTrue();

      storeAnOperatedServiceItsModelCannotRead();

      await().atMost(TIMEOUT).until(() -> !exits.isEmpty());
      assertThat(exits).containsExactly(1);
      assertThat(runtime.health().ready().details()).containsEntry("eventSourcesHealthy", false);
    }
  }

  /** Tests that run the operator without the runtime keep their JVM: the cache loss is logged. */
  @Test
  void anOperatorWithoutTheRuntimeReportsALostCacheAndLeavesTheProcessAlone() {
    Operator operator = OperatedOperator.create(api.client, Clock.systemUTC(),
        MockApiServer.WITHOUT_SSA);
    try {
      operator.start();
      storeAnOperatedServiceItsModelCannotRead();
      await().atMost(TIMEOUT).until(() -> !operator.getRuntimeInfo().allEventSourcesAreHealthy());
    } finally {
      operator.stop();
    }
  }

  private void storeAnOperatedServiceItsModelCannotRead() {
    GenericKubernetesResource unreadable = new GenericKubernetesResourceBuilder()
        .withApiVersion("operated.dev/v1alpha1").withKind("OperatedService")
        .withNewMetadata().withName("unreadable").withNamespace("shop").endMetadata()
        .addToAdditionalProperties("spec", Map.of("image", "orders:1")).build();
    var services = api.client.genericKubernetesResources("operated.dev/v1alpha1",
        "OperatedService").inNamespace("shop");
    services.resource(unreadable).create();
    // the status subresource: a create drops what it carries
    unreadable.setAdditionalProperty("status", Map.of("observedGeneration", "many"));
    services.resource(unreadable).updateStatus();
  }

  @Test
  void aRegularStopIsNotALostCache() {
    List<Integer> exits = new CopyOnWriteArrayList<>();
    OperatorRuntime.start(settings(false, "solo"), api.client, Clock.systemUTC(), exits::add,
        MockApiServer.WITHOUT_SSA).close();
    assertThat(exits).isEmpty();
  }

  /** Sums a Prometheus counter over its label sets. */
  static double counter(String exposition, String name) {
    Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
        .matcher(exposition);
    double sum = 0;
    boolean found = false;
    while (matcher.find()) {
      sum += Double.parseDouble(matcher.group(2));
      found = true;
    }
    return found ? sum : -1;
  }
}
