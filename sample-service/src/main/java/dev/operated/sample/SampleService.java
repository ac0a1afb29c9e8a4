package dev.operated.sample;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The sample workload: a small HTTP service that keeps the operational contract. Startup, the
 * SIGTERM drain and the exit are all here, in order; the pieces are in the other classes of this
 * package.
 *
 * <pre>
 * start:    listen (live 200, ready 503) -> warm up -> ready 200
 * SIGTERM:  ready 503 at once -> keep serving for OPERATED_DRAIN_SECONDS -> stop accepting ->
 *           finish in-flight requests and flush telemetry within OPERATED_SHUTDOWN_TIMEOUT_SECONDS
 *           -> stop logging -> exit 0
 * </pre>
 */
public final class SampleService {

  /** EX_CONFIG: an environment variable holds a value the service cannot run with. */
  static final int EXIT_CONFIG = 78;
  /** The service could not start (e.g. the port is taken). */
  static final int EXIT_STARTUP = 1;
  /** Floor for the telemetry flush when in-flight requests used up the shutdown timeout. */
  static final Duration MIN_FLUSH = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(SampleService.class);

  private final Config config;
  private final Panics panics;
  private final Lifecycle lifecycle = new Lifecycle();
  private final CountDownLatch shutdownRequested = new CountDownLatch(1);
  private final AtomicBoolean signalled = new AtomicBoolean();
  private volatile long signalledAt;
  private volatile String signalName = "";

  SampleService(Config config, Panics panics) {
    this.config = config;
    this.panics = panics;
  }

  public static void main(String[] args) {
    Logging.init();
    Panics panics = Panics.install();
    Config config;
    try {
      config = Config.fromEnv(System.getenv());
    } catch (Config.ConfigException e) {
      exit(invalidConfiguration(e.getMessage(),
          e.problems().stream().map(Config.Problem::variable).toList()));
      return;
    }
    Logging.setLevel(config.logLevel());
    exit(new SampleService(config, panics).run());
  }

  private static void exit(int code) {
    Logging.stop();
    System.exit(code);
  }

  private static int invalidConfiguration(String message, Object variables) {
    LOG.atError().addKeyValue("event", "invalid_configuration")
        .addKeyValue("variables", variables).log(message);
    return EXIT_CONFIG;
  }

  /** Runs until SIGTERM (or SIGINT) and a completed shutdown; returns the exit code. */
  int run() {
    installSignalHandlers();
    Telemetry telemetry;
    try {
      telemetry = Telemetry.fromEnvironment();
    } catch (RuntimeException e) {
      // autoconfigure refuses invalid OTEL_* values with a message that names the property
      return invalidConfiguration("invalid OpenTelemetry configuration (OTEL_* variables): "
          + e.getMessage(), "OTEL_*");
    }
    panics.attach(telemetry, lifecycle);
    Metrics metrics = new Metrics();
    Handlers handlers = new Handlers(lifecycle, metrics,
        new Inventory(telemetry.propagator()));
    HttpApp app = new HttpApp(handlers.router(config.faultsEnabled()), metrics, telemetry, panics,
        config.requestInstrumentation(), lifecycle::shuttingDown);
    try {
      app.start(config.bindAddress(), config.port());
    } catch (IOException | RuntimeException e) {
      LOG.atError().addKeyValue("event", "startup_failed")
          .log("cannot listen on {}:{} ({}): free the port or set {} / {}", config.bindAddress(),
              config.port(), e.toString(), SampleServiceDefaults.ENV_PORT,
              SampleServiceDefaults.ENV_BIND_ADDRESS);
      telemetry.shutdown(MIN_FLUSH);
      return EXIT_STARTUP;
    }
    LOG.atInfo().addKeyValue("event", "listening")
        .addKeyValue("server.address", config.bindAddress())
        .addKeyValue("server.port", app.address().getPort())
        .addKeyValue("drain.seconds", config.drain().toSeconds())
        .addKeyValue("shutdown.timeout.seconds", config.shutdownTimeout().toSeconds())
        .addKeyValue("faults.enabled", config.faultsEnabled())
        .addKeyValue("request.instrumentation", config.requestInstrumentation())
        .log("listening on {}:{}; ready once warmed up", config.bindAddress(),
            app.address().getPort());

    warmUp();
    lifecycle.ready(true);
    if (lifecycle.ready()) {
      long startupMillis = System.currentTimeMillis()
          - ManagementFactory.getRuntimeMXBean().getStartTime();
      LOG.atInfo().addKeyValue("event", "ready").addKeyValue("startup.ms", startupMillis)
          .log("ready {} ms after the JVM started", startupMillis);
    }

    awaitShutdownRequest();
    return shutdown(app, metrics, telemetry);
  }

  /** Stands for the work a real service does before it can serve (caches, connections, ...). */
  private void warmUp() {
    if (!config.warmup().isZero()) {
      try {
        shutdownRequested.await(config.warmup().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void awaitShutdownRequest() {
    boolean requested = false;
    while (!requested) {
      try {
        shutdownRequested.await();
        requested = true;
      } catch (InterruptedException e) {
        // nothing interrupts main on purpose; keep waiting for the signal
      }
    }
  }

  private int shutdown(HttpApp app, Metrics metrics, Telemetry telemetry) {
    Duration drain = config.drain();
    Duration timeout = config.shutdownTimeout();
    LOG.atInfo().addKeyValue("event", "shutdown_started").addKeyValue("signal", signalName)
        .addKeyValue("drain.seconds", drain.toSeconds())
        .addKeyValue("shutdown.timeout.seconds", timeout.toSeconds())
        .log("SIG{}: not ready; serving on for the {}s drain", signalName, drain.toSeconds());
    long drainEnd = signalledAt + drain.toNanos();
    sleepUntil(drainEnd);

    lifecycle.stopping();
    long deadline = System.nanoTime() + timeout.toNanos();
    LOG.atInfo().addKeyValue("event", "drain_finished").addKeyValue("in_flight", app.inFlight())
        .log("drain over: no new connections; waiting up to {}s for {} requests in flight",
            timeout.toSeconds(), app.inFlight());
    int abandoned = app.stop(timeout);
    if (abandoned > 0) {
      LOG.atWarn().addKeyValue("event", "shutdown_timeout").addKeyValue("in_flight", abandoned)
          .log("{} requests still in flight after {}s; abandoning them", abandoned,
              timeout.toSeconds());
    }

    metrics.close();
    Duration flushBudget = Duration.ofNanos(Math.max(MIN_FLUSH.toNanos(),
        deadline - System.nanoTime()));
    boolean flushed = telemetry.shutdown(flushBudget);
    if (!flushed) {
      LOG.atWarn().addKeyValue("event", "telemetry_flush_incomplete")
          .log("telemetry not fully flushed within {} ms (collector down or slow?)",
              flushBudget.toMillis());
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalledAt);
    LOG.atInfo().addKeyValue("event", "shutdown_complete")
        .addKeyValue("shutdown.ms", elapsedMillis)
        .log("stopped {} ms after SIG{}; exiting", elapsedMillis, signalName);
    return 0;
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        // the drain is a promise to the load balancers: keep it
      }
    }
  }

  /**
   * SIGTERM and SIGINT start the graceful shutdown. A signal handler (rather than a JVM shutdown
   * hook) lets the process drain while everything still works and then exit with status 0 instead
   * of 143. sun.misc.Signal is in the jdk.unsupported module, which stays exported for exactly
   * this kind of use (JEP 260).
   */
  private void installSignalHandlers() {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> onSignal(signal.getName()));
    }
  }

  private void onSignal(String name) {
    if (signalled.compareAndSet(false, true)) {
      signalledAt = System.nanoTime();
      signalName = name;
      lifecycle.draining(); // readiness is 503 from this moment
      shutdownRequested.countDown();
    } else {
      LOG.atInfo().addKeyValue("event", "signal_ignored").addKeyValue("signal", name)
          .log("SIG{} ignored: already shutting down", name);
    }
  }
}
