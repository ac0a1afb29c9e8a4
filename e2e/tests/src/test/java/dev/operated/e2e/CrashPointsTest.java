package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.RequestFaults;
import dev.operated.cluster.WatchAction;
import dev.operated.cluster.WatchControl;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.reconciler.StoppedInformers;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchTransport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sieve's intermediate states (OSDI 2022): the operator crashes right after each of its writes
 * while it creates a service, switches its telemetry to the collector sidecar, or scales it down
 * to one replica, and a fresh instance takes over. Oracles, against a run without the crash on
 * the same cluster: the same end state (every owned object's spec), and no object created or
 * deleted more often (what existed at the crash keeps its uid, nothing the undisturbed run
 * keeps is deleted).
 */
class CrashPointsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(45);
  /** A bound on the writes one change takes; the run without a crash says how many it took. */
  private static final int MOST_WRITES = 12;

  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  /** What a user changes, from the service as it runs after the sample's first apply. */
  enum Change {
    CREATE(null),
    SWITCH_TELEMETRY_TO_THE_SIDECAR(resource -> {
      resource.setSpec(resource.getSpec().withTelemetry(Examples.load(Examples.FULL)
          .getSpec().telemetry()));
      return resource;
    }),
    SCALE_DOWN_TO_ONE(resource -> {
      resource.setSpec(resource.getSpec().withReplicas(1));
      return resource;
    });

    final UnaryOperator<OperatedService> edit;

    Change(UnaryOperator<OperatedService> edit) {
      this.edit = edit;
    }
  }

  @BeforeAll
  static void startCluster() {
    cluster = TestClusters.withCrds().start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stopCluster() {
    client.close();
    cluster.close();
  }

  static Stream<Arguments> crashPoints() {
    return Stream.of(Change.values()).flatMap(change ->
        Stream.iterate(1, n -> n <= MOST_WRITES, n -> n + 1).map(n -> Arguments.of(change, n)));
  }

  @ParameterizedTest(name = "{0}, crash after write {1}")
  @MethodSource("crashPoints")
  void aFreshInstanceAfterACrashConvergesToTheUndisturbedEndState(Change change, int crashAfter)
      throws Exception {
    Run undisturbed = UNDISTURBED.computeIfAbsent(change, c -> run(c, 0, false));
    Assumptions.assumeTrue(crashAfter <= undisturbed.writes(),
        () -> change + " takes " + undisturbed.writes() + " writes: no crash point after write "
            + crashAfter);
    Run crashed = run(change, crashAfter, true);

    assertThat(crashed.endState()).isEqualTo(undisturbed.endState());
    assertThat(crashed.deletes()).as("objects deleted").isEqualTo(undisturbed.deletes());
    crashed.uidsAtCrash().forEach((object, uid) -> {
      String end = crashed.endUids().get(object);
      assertThat(end == null || end.equals(uid)).as("%s recreated after the crash", object)
          .isTrue();
    });
  }

  /**
   * The harness restarts an instance whose cache is lost as the kubelet restarts the operator's
   * container: here its OperatedService watch fails as it opens. CI once lost a run to such a
   * failure read before the operator's start had returned (the restart found no operator to stop,
   * and the instance kept the one whose informer had stopped); this test does not replay that
   * ordering (here the failure arrives after the start returns), only that the instance recovers.
   */
  @Test
  void anInstanceWhoseCacheIsLostAsItStartsStillReconciles() {
    String namespace = "lost-as-it-starts-" + RUNS.incrementAndGet();
    TestClusters.createNamespaces(client, namespace);
    Examples.apply(client, Examples.SAMPLE, namespace);
    String agent = namespace + "-operator";
    cluster.watches().failNextWatchAsItOpens(
        WatchControl.watchesOf("operatedservices").and(WatchControl.watchesBy(agent)));

    // the fault is a WebSocket's (a close code only a client may send)
    try (Instance instance = new Instance(agent, WatchTransport.WEBSOCKET)) {
      awaitReady(namespace);
    }
    assertThat(cluster.watches().log()).anyMatch(action ->
        action.type() == WatchAction.Type.FAILED_AS_IT_OPENED
            && agent.equals(action.watch().userAgent()));
  }

  private static final java.util.concurrent.atomic.AtomicInteger RUNS =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final Map<Change, Run> UNDISTURBED = new java.util.EnumMap<>(Change.class);

  /** The change in a namespace of its own, with or without a crash after that many writes. */
  private Run run(Change change, int crashAfter, boolean crash) {
    String namespace = (change.name() + (crash ? "-crash-" + crashAfter : "")
        + "-" + RUNS.incrementAndGet()).toLowerCase().replace('_', '-');
    TestClusters.createNamespaces(client, namespace);
    if (change != Change.CREATE) {
      try (Instance before = new Instance(namespace + "-before")) {
        Examples.apply(client, Examples.SAMPLE, namespace);
        awaitReady(namespace);
      }
    }
    String agent = namespace + "-operator";
    RequestFaults.Rule crashPoint = crash
        // counted as writesIn counts them: the writes in this namespace, not access reviews
        ? cluster.faults().cutOffAfter(crashAfter, RequestFaults.from(agent).and(request ->
            request.path().contains("/namespaces/" + namespace + "/")), RequestFaults.from(agent))
        : null;
    Map<String, String> uidsAtCrash = Map.of();
    try (Instance first = new Instance(agent)) {
      apply(change, namespace);
      if (crash) {
        // How many writes a change takes varies with timing (a status seen once or twice on
        // the way): a run that is done before this crash point has none.
        await().atMost(TIMEOUT).until(() -> writesIn(namespace, agent) >= crashAfter
            || isReady(namespace));
        Assumptions.assumeTrue(writesIn(namespace, agent) >= crashAfter,
            () -> "this run of " + change + " was done after " + writesIn(namespace, agent)
                + " writes");
        uidsAtCrash = ownedUids(namespace);
      } else {
        awaitReady(namespace);
      }
    }
    int writes = writesIn(namespace, agent);
    if (crash) {
      crashPoint.lift();
      try (Instance fresh = new Instance(namespace + "-fresh")) {
        awaitReady(namespace);
      }
    }
    return new Run(writes, endState(namespace), deletesIn(namespace), uidsAtCrash,
        ownedUids(namespace));
  }

  private static void apply(Change change, String namespace) {
    if (change == Change.CREATE) {
      Examples.apply(client, Examples.SAMPLE, namespace);
    } else {
      Examples.apply(client, Examples.SAMPLE, namespace, change.edit);
    }
  }

  private static void awaitReady(String namespace) {
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(isReady(namespace))
        .as(() -> "Ready at the observed generation; the service now: " + Serialization.asJson(
            client.resources(OperatedService.class).inNamespace(namespace)
                .withName("sample-service").get()))
        .isTrue());
  }

  private static boolean isReady(String namespace) {
    OperatedService resource = client.resources(OperatedService.class).inNamespace(namespace)
        .withName("sample-service").get();
    return resource != null && resource.getStatus() != null
        && resource.getMetadata().getGeneration().equals(resource.getStatus()
            .observedGeneration())
        && resource.getStatus().condition("Ready")
            .map(ready -> "True".equals(ready.getStatus())).orElse(false);
  }

  private static int writesIn(String namespace, String agent) {
    return (int) cluster.requests().all().stream()
        .filter(request -> agent.equals(request.userAgent()) && request.mutating()
            && request.fault() == null && request.path().contains("/namespaces/" + namespace + "/"))
        .count();
  }

  /**
   * Deletes the API server carried out: not a crashed process's refused retries, nor a 404 for
   * an object already gone (a reconcile that ran before the watch reported the first delete).
   */
  private static long deletesIn(String namespace) {
    return cluster.requests().all().stream()
        .filter(request -> "DELETE".equals(request.method()) && request.fault() == null
            && request.code() >= 200 && request.code() < 300
            && request.path().contains("/namespaces/" + namespace + "/")
            && request.userAgent() != null && request.userAgent().startsWith(namespace))
        .count();
  }

  private static List<HasMetadata> owned(String namespace) {
    return Stream.of(
        client.apps().deployments().inNamespace(namespace).list().getItems().stream(),
        client.services().inNamespace(namespace).list().getItems().stream(),
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems()
            .stream(),
        client.configMaps().inNamespace(namespace).list().getItems().stream())
        .flatMap(s -> s.map(HasMetadata.class::cast))
        .filter(object -> object.getMetadata().getOwnerReferences() != null
            && !object.getMetadata().getOwnerReferences().isEmpty())
        .toList();
  }

  private static Map<String, String> ownedUids(String namespace) {
    Map<String, String> uids = new TreeMap<>();
    owned(namespace).forEach(object -> uids.put(object.getKind() + "/"
        + object.getMetadata().getName(), object.getMetadata().getUid()));
    return uids;
  }

  /** Each owned object's spec (data for a ConfigMap), with the namespace taken out. */
  private static Map<String, String> endState(String namespace) {
    Map<String, String> state = new TreeMap<>();
    for (HasMetadata object : owned(namespace)) {
      Map<String, Object> fields = Serialization.jsonMapper().convertValue(object, Map.class);
      Object spec = fields.containsKey("spec") ? fields.get("spec") : fields.get("data");
      if (spec instanceof Map<?, ?> specFields) {
        specFields.remove("clusterIP");
        specFields.remove("clusterIPs");
      }
      state.put(object.getKind() + "/" + object.getMetadata().getName(),
          Serialization.asJson(spec).replace(namespace, "NAMESPACE"));
    }
    return state;
  }

  private record Run(int writes, Map<String, String> endState, long deletes,
      Map<String, String> uidsAtCrash, Map<String, String> endUids) {
  }

  /** One operator process, told apart by its user agent in the request log. */
  private static final class Instance implements AutoCloseable {
    private final KubernetesClient operatorClient;
    private volatile Operator operator;
    private volatile boolean closed;

    /** An instance watching as production does (the settings' default transport). */
    Instance(String userAgent) {
      this(userAgent, OperatorSettings.DEFAULT_WATCH_TRANSPORT);
    }

    Instance(String userAgent, WatchTransport watches) {
      operatorClient = OperatorClient.forConfig(new ConfigBuilder(cluster.config())
          .withUserAgent(userAgent).build(), watches);
      startLikeTheKubeletWould();
    }

    /**
     * JOSDK stops when an informer's first list fails (a dropped connection will do), and the
     * kubelet starts the container again; so does this, a bounded number of times. An informer
     * that stops later leaves a stale cache, on which the operator's runtime exits to be started
     * again ({@code OperatorRuntime}'s lost-cache exit); so does this instance (seen in CI: a
     * Deployment watch event the client could not read, and a watch that failed as it opened).
     * An informer that stops while its operator starts has the operator restarted once the start
     * returns (CI once lost a whole run to restarting at once: the restart found no operator, and
     * the instance kept the stopped one; and once more to failing that start instead, whose
     * reconciles had already written up to the crash point). A closed instance starts nothing.
     */
    private void startLikeTheKubeletWould() {
      await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
        if (closed) {
          return null;
        }
        StartAttempt attempt = new StartAttempt();
        Operator fresh = OperatedOperator.create(operatorClient, Clock.systemUTC(),
            configuration -> configuration.withCacheSyncTimeout(Duration.ofSeconds(10))
                .withInformerStoppedHandler(new StoppedInformers(() ->
                    attempt.cacheLost(this::restartAfterALostCache))));
        try {
          fresh.start();
          // adopted and made the instance's operator at once: a restart that ends later is
          // for a later loss, and a closed instance starts nothing
          boolean lostWhileStarting;
          synchronized (this) {
            if (closed) {
              fresh.stop();
              return null;
            }
            lostWhileStarting = attempt.adopt(fresh);
            operator = fresh;
          }
          if (lostWhileStarting) {
            restartAfterALostCache(fresh);
          }
          return fresh;
        } catch (RuntimeException e) {
          fresh.stop();
          throw e;
        }
      }, started -> true);
    }

    /** On a thread of its own: the informer's thread, or the start's, must not wait for it. */
    private void restartAfterALostCache(Operator lost) {
      new Thread(() -> {
        lost.stop();
        startLikeTheKubeletWould();
      }, "restart-after-lost-cache").start();
    }

    @Override
    public void close() {
      synchronized (this) {
        closed = true;
      }
      operator.stop();
      operatorClient.close();
    }
  }

  /**
   * One start of an operator: a cache lost before or after the start returned restarts the
   * started operator, once.
   */
  private static final class StartAttempt {
    private Operator adopted;
    private boolean lostWhileStarting;
    /** Each informer that stops says so: the operator is restarted once. */
    private boolean restarted;

    /**
     * Whether a cache was lost before the start returned: then the started operator is restarted
     * as one that lost it later is. Failing the start instead is no restart: its reconciles
     * may already have written up to the crash point, after which the same client gets nothing
     * but 503s, as a crashed process would.
     */
    synchronized boolean adopt(Operator started) {
      adopted = started;
      if (lostWhileStarting) {
        restarted = true;
        return true;
      }
      return false;
    }

    void cacheLost(Consumer<Operator> restart) {
      Operator lost;
      synchronized (this) {
        lost = adopted;
        if (lost == null) {
          lostWhileStarting = true;
          return;
        }
        if (restarted) {
          return;
        }
        restarted = true;
      }
      restart.accept(lost);
    }
  }
}
