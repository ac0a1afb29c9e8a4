package dev.operated.runtime;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import dev.operated.desired.CollectorDefaults;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.reconciler.StartupWarmup;
import dev.operated.reconciler.StoppedInformers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as a service: its HTTP endpoints, metrics, tracing, leader election and the
 * shutdown sequence around JOSDK's {@link Operator}. {@code operated run} starts one; tests start
 * one against a mock API server.
 *
 * <p>Start: endpoints first (live at once, not ready), then the operator (caches synced; the
 * leader also starts reconciling). Shutdown, once, within the shutdown timeout: not ready, stop
 * the reconcilers and informers, release the Lease, flush telemetry, close the endpoints.
 */
public final class OperatorRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);
  /** Kept from the shutdown's steps for flushing the telemetry. */
  private static final Duration FLUSH_RESERVE = Duration.ofSeconds(1);

  private final OperatorSettings settings;
  private final KubernetesClient client;
  private final Optional<LeadershipGuard> leadership;
  private final OperatorHealth health;
  private final OperatorMetrics metrics;
  private final Tracing tracing;
  private final HealthServer server;
  private final Operator operator;
  private final String namespace;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private OperatorRuntime(OperatorSettings settings, KubernetesClient client, Clock clock,
      IntConsumer exit, Consumer<ConfigurationServiceOverrider> overrides) {
    this.settings = settings;
    this.namespace = settings.ownNamespace().orElseGet(() -> client.getNamespace() == null
        ? "default" : client.getNamespace());
    leadership = settings.leaderElection()
        ? Optional.of(new LeadershipGuard(namespace, settings.identity(), settings.lease(), clock))
        : Optional.empty();
    this.client = leadership.map(guard -> guard.guard(client)).orElse(client);
    // the repair reads and writes through the caller's client: the guard calls it
    leadership.ifPresent(guard -> guard.beforeLeaseRead(new MalformedLeaseRepair(client,
        namespace, settings.leaseName(), clock)::holdingAfterRepair));
    health = new OperatorHealth(settings.leaderElection(),
        () -> leadership.map(LeadershipGuard::electorAlive).orElse(true));
    metrics = new OperatorMetrics(settings.perResourceMetrics());
    tracing = Tracing.fromEnvironment();
    try {
      server = HealthServer.start(settings.bindAddress(), settings.httpPort(), health,
          metrics::scrape);
    } catch (IOException e) {
      tracing.close();
      throw new UncheckedIOException("cannot serve health and metrics on "
          + settings.bindAddress() + ":" + settings.httpPort() + " (" + e.getMessage()
          + "); give a free port with --http-port (OPERATED_HTTP_PORT)", e);
    }
    operator = OperatedOperator.create(this.client, clock, collectorDefaults(settings),
        settings.watched().forJosdk(namespace), configuration -> {
          configuration.withMetrics(new ReconcileTracing(metrics.josdkMetrics(), tracing.tracer()));
          // hook: pools sized for the pod (OperatorSettings.DEFAULT_RECONCILE_THREADS) whose
          // threads end when idle (ReconcilePools)
          configuration.withConcurrentReconciliationThreads(settings.reconcileThreads())
              .withConcurrentWorkflowExecutorThreads(settings.reconcileThreads())
              .withExecutorService(ReconcilePools.reconciles(settings.reconcileThreads()))
              .withWorkflowExecutorService(ReconcilePools.dependents(settings.reconcileThreads()))
              .withReconciliationTerminationTimeout(reconcilesToFinish(settings));
          if (settings.leaderElection()) {
            configuration.withLeaderElectionConfiguration(leaderElection(exit));
          }
          // a stale cache is not fixed by waiting: a restart lists everything afresh
          configuration.withInformerStoppedHandler(new StoppedInformers(() -> exitToRestart(
              exit, "cache-lost", "exiting so that the pod restarts with fresh caches")))
              // hook: an informer's first list retries (429, 5xx, a reset) as client-go's
              // reflector does; what still has not synced when start returns ends it (start)
              .withStopOnInformerErrorDuringStartup(false);
          overrides.accept(configuration);
        });
    health.operatorCreated(operator);
    metrics.josdkMetrics().bind(operator, () -> !settings.leaderElection() || health.leading(),
        !this.client.getConfiguration().isOnlyHttpWatches());
  }

  /**
   * Starts the runtime and the operator; returns once the caches are synced.
   *
   * @param exit      how the process ends when leadership is lost (System::exit in production)
   * @param overrides applied last; only tests pass anything (SSA off against the mock server)
   */
  public static OperatorRuntime start(OperatorSettings settings, KubernetesClient client,
      Clock clock, IntConsumer exit, Consumer<ConfigurationServiceOverrider> overrides) {
    OperatorRuntime runtime = new OperatorRuntime(settings, client, clock, exit, overrides);
    runtime.warmUp();
    try {
      runtime.operator.start();
      runtime.requireSyncedCaches();
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    LOG.info("operator started", keyValue("event", "started"),
        keyValue("watchNamespaces", settings.watched().asSetting()),
        keyValue("namespace", runtime.namespace),
        keyValue("leaderElection", settings.leaderElection()),
        keyValue("httpPort", runtime.httpPort()));
    return runtime;
  }

  /**
   * controller-runtime's manager: caches that have not synced within the cache sync timeout end
   * the start, naming them. JOSDK, told not to stop on a failed first list, returns from start
   * after that timeout with the informer still retrying; a permission that is missing or a CRD
   * that is not installed does not come by waiting, and a pod that restarts says so louder than
   * one that stays unready.
   */
  private void requireSyncedCaches() {
    Map<String, Set<String>> unsynced = StalledEventSources.of(operator.getRuntimeInfo());
    if (!unsynced.isEmpty()) {
      throw new IllegalStateException("the caches of " + unsynced + " did not sync within "
          + operator.getConfigurationService().cacheSyncTimeout().toSeconds() + " s: the API "
          + "server's answers to their lists are logged above (a 403 names a missing "
          + "permission, a 404 a CRD that is not installed)");
    }
  }

  /** Before the informers start, so that ready also means the first reconcile runs warm. */
  private void warmUp() {
    long started = System.nanoTime();
    try {
      int rounds = StartupWarmup.run(client.getKubernetesSerialization());
      LOG.info("warmed up", keyValue("event", "warmed-up"), keyValue("rounds", rounds),
          keyValue("millis", (System.nanoTime() - started) / 1_000_000));
    } catch (RuntimeException e) {
      // only slower first reconciles: not a reason to stay down
      LOG.warn("the warm-up failed; the first reconciles run cold", e);
    }
  }

  static CollectorDefaults collectorDefaults(OperatorSettings settings) {
    CollectorDefaults standard = CollectorDefaults.standard();
    CollectorDefaults withImage = settings.collectorImage()
        .map(image -> new CollectorDefaults(image, standard.resources(), standard.gateway(),
            standard.flushSeconds(), standard.sleepHelperImage()))
        .orElse(standard);
    return settings.collectorGateway().map(withImage::withGateway).orElse(withImage);
  }

  private LeaderElectionConfiguration leaderElection(IntConsumer exit) {
    OperatorSettings.LeaseTimings timings = settings.lease();
    LeaderCallbacks callbacks = new LeaderCallbacks(
        () -> {
          leadership.ifPresent(guard -> guard.leadershipChanged(true));
          health.leadershipChanged(true);
          LOG.info("leading", keyValue("event", "leading"), keyValue("lease", settings.leaseName()));
        },
        () -> {
          leadership.ifPresent(guard -> guard.leadershipChanged(false));
          health.leadershipChanged(false);
          // JOSDK keeps its reconcilers running after a lost lease when told not to exit, so
          // exiting is ours to do: another replica leads now, and two must never write.
          exitToRestart(exit, "leadership-lost", "lost the lease " + settings.leaseName()
              + " to another replica; exiting so that the pod restarts as a standby");
        },
        leader -> LOG.info("the leader is now {}", leader, keyValue("event", "new-leader"),
            keyValue("leader", leader)));
    // exitOnStopLeading false: JOSDK would call System.exit from inside our shutdown sequence
    return new LeaderElectionConfiguration(settings.leaseName(), namespace,
        timings.leaseDuration(), timings.renewDeadline(), timings.retryPeriod(),
        settings.identity(), callbacks, false);
  }

  /**
   * Exits 1 through the process's shutdown, unless it is already shutting down. Not on the
   * caller's thread (the elector's, an informer's): the shutdown hook stops them and waits.
   */
  private void exitToRestart(IntConsumer exit, String event, String why) {
    if (!health.shuttingDown()) {
      LOG.error(why, keyValue("event", event));
      new Thread(() -> exit.accept(1), "operated-" + event).start();
    }
  }

  public int httpPort() {
    return server.port();
  }

  public OperatorHealth health() {
    return health;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  public Operator operator() {
    return operator;
  }

  /**
   * How long a stop waits for the reconciles in flight: half the shutdown budget, the rest for
   * the Lease and the telemetry. JOSDK's default, zero, interrupted them halfway through
   * applying a service's objects on every rollout of the operator.
   *
   * <p>With leader election, at most the renew deadline less a retry period: JOSDK's stop shuts
   * the executor its elector renews on ({@code ExecutorServiceManager.stop} takes the caching
   * executor down beside the reconcile pool), so from then on nothing renews the Lease and the
   * fence closes a renew deadline after the last renewal, at most a retry period before the stop.
   * A longer wait would hold the Lease past that without a write allowed, and keep the standby
   * from leading until the lease runs out instead of at the release.
   */
  static Duration reconcilesToFinish(OperatorSettings settings) {
    Duration half = settings.shutdownTimeout().dividedBy(2);
    if (!settings.leaderElection()) {
      return half;
    }
    Duration fenceOpen = settings.lease().renewDeadline().minus(settings.lease().retryPeriod());
    return half.compareTo(fenceOpen) <= 0 ? half : fenceOpen;
  }

  /** Blocks until {@link #shutdown()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** The shutdown sequence; later calls wait for the first to finish (bounded). */
  public void shutdown() {
    if (!health.shutdownBegun()) {
      awaitQuietly(settings.shutdownTimeout());
      return;
    }
    Instant deadline = Instant.now().plus(settings.shutdownTimeout());
    // the steps that talk to the API server stop a second early, for the telemetry's flush
    Instant stepsDeadline = deadline.minus(FLUSH_RESERVE);
    LOG.info("shutting down", keyValue("event", "stopping"));
    boolean wasLeading = health.leading();
    within(stepsDeadline, "stopping the operator", () -> {
      operator.stop();
      return true;
    });
    boolean released = settings.leaderElection() && wasLeading
        && within(stepsDeadline, "releasing the Lease", () -> LeaseRelease.release(client,
            namespace, settings.leaseName(), settings.identity()));
    boolean flushed = tracing.shutdown(remaining(deadline));
    server.close();
    metrics.close();
    if (leadership.isPresent()) {
      client.close(); // the guarded client is ours; the one we were given is the caller's
    }
    LOG.info("operator stopped", keyValue("event", "stopped"),
        keyValue("leaseReleased", released), keyValue("telemetryFlushed", flushed));
    stopped.countDown();
  }

  /**
   * Runs a step of the shutdown until {@code deadline}, then goes on without it: with the API
   * server unreachable, the elector's release and the Lease's each wait out request timeouts,
   * and the kubelet's SIGKILL would come before "operator stopped" and the telemetry's flush.
   * False when the step failed or ran out of time.
   */
  private static boolean within(Instant deadline, String step, Callable<Boolean> action) {
    FutureTask<Boolean> task = new FutureTask<>(action);
    Thread thread = new Thread(task, "operated-shutdown");
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(remaining(deadline).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("{} did not finish within the shutdown timeout; going on without it", step);
    } catch (ExecutionException e) {
      LOG.warn("{} failed: {}", step, e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private void awaitQuietly(Duration timeout) {
    try {
      stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Duration remaining(Instant deadline) {
    Duration left = Duration.between(Instant.now(), deadline);
    return left.isNegative() ? Duration.ofMillis(1) : left;
  }

  @Override
  public void close() {
    shutdown();
  }
}
