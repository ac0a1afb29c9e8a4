package dev.operated.runtime;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything the running operator is configured with, validated ({@link SettingsParser}).
 *
 * @param watched           the namespaces whose OperatedServices are reconciled
 * @param ownNamespace      where the operator runs (the Lease lives there, and mode {@code own}
 *                          watches it); empty means the client's namespace (the service account's)
 * @param bindAddress       address of the HTTP endpoints (/livez, /readyz, /metrics)
 * @param httpPort          their port; 0 picks a free one (tests)
 * @param logLevel          root level of the JSON logs
 * @param leaderElection    one active operator among replicas through a Lease
 * @param leaseName         the Lease's name
 * @param identity          this replica's name in the Lease (the pod name)
 * @param perResourceMetrics series labelled by resource name: unbounded, so off by default
 * @param shutdownTimeout   budget after SIGTERM for stopping, releasing the lease and flushing
 * @param collectorImage    the collector sidecar's image; empty keeps the built-in default
 * @param collectorGateway  OTLP URL sidecars export to when a CR names none
 * @param lease             leader election timings
 * @param reconcileThreads  reconciles at once, and threads applying their dependents
 * @param watchTransport    how the client's watches reach the API server
 */
public record OperatorSettings(WatchedNamespaces watched, Optional<String> ownNamespace,
    String bindAddress, int httpPort, String logLevel, boolean leaderElection, String leaseName,
    String identity, boolean perResourceMetrics, Duration shutdownTimeout,
    Optional<String> collectorImage, Optional<String> collectorGateway, LeaseTimings lease,
    int reconcileThreads, WatchTransport watchTransport) {

  /**
   * The default of {@code --reconcile-threads}: a reconcile spends its time waiting on the API
   * server (an apply took some 140 ms while 1,000 services were being created), so the threads
   * that keep it busy are many times the cores. 32 applied 1,000 new services a fifth sooner than
   * 16; 64 no sooner than 32, and every thread holds a stack and buffers in a pod sized in MiB
   * (docs/benchmarks.md, "the twelfth round").
   */
  public static final int DEFAULT_RECONCILE_THREADS =
      Integer.parseInt(Setting.RECONCILE_THREADS.defaultValue());

  /** The default of {@code --watch-transport}: HTTP, as client-go watches (WatchTransport). */
  public static final WatchTransport DEFAULT_WATCH_TRANSPORT =
      WatchTransport.valueOf(Setting.WATCH_TRANSPORT.defaultValue().toUpperCase(Locale.ROOT));

  /** The settings before the thread count and the watch transport were: their defaults. */
  public OperatorSettings(WatchedNamespaces watched, Optional<String> ownNamespace,
      String bindAddress, int httpPort, String logLevel, boolean leaderElection, String leaseName,
      String identity, boolean perResourceMetrics, Duration shutdownTimeout,
      Optional<String> collectorImage, Optional<String> collectorGateway, LeaseTimings lease) {
    this(watched, ownNamespace, bindAddress, httpPort, logLevel, leaderElection, leaseName,
        identity, perResourceMetrics, shutdownTimeout, collectorImage, collectorGateway, lease,
        DEFAULT_RECONCILE_THREADS, DEFAULT_WATCH_TRANSPORT);
  }

  /**
   * client-go's defaults (15 s / 10 s / 2 s): a standby takes over at most a lease duration
   * after the leader dies, and at once when the leader stops cleanly (it releases the lease).
   */
  public record LeaseTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final LeaseTimings STANDARD = new LeaseTimings(Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  public OperatorSettings withLease(LeaseTimings timings) {
    return new OperatorSettings(watched, ownNamespace, bindAddress, httpPort, logLevel,
        leaderElection, leaseName, identity, perResourceMetrics, shutdownTimeout, collectorImage,
        collectorGateway, timings, reconcileThreads, watchTransport);
  }
}
