package dev.operated.cli;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import dev.operated.runtime.InvalidSettingsException;
import dev.operated.runtime.LogLevels;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.PanicHook;
import dev.operated.runtime.Setting;
import dev.operated.runtime.SettingsParser;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * Runs the operator against the current kubeconfig context, or in-cluster configuration. Every
 * flag has an environment variable behind it (what the Helm chart sets); the flag wins. Values
 * are read as text and validated together by {@link SettingsParser}, so each bad one is named
 * with its flag, its variable and the fix.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the operator against the current kubeconfig context (or the in-cluster "
        + "service account). Serves /livez, /readyz and /metrics. Exits 0 after SIGTERM, 2 on "
        + "invalid settings, 1 when it cannot start.")
public final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Spec
  CommandSpec command;

  @Option(names = "--watch-namespaces", paramLabel = "all|own|NS[,NS...]",
      description = "Namespaces to reconcile in. Env OPERATED_WATCH_NAMESPACES; default all.")
  String watchNamespaces;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "The operator's own namespace (Lease, mode own). Env OPERATED_NAMESPACE; "
          + "default: the service account's.")
  String namespace;

  @Option(names = "--bind-address", paramLabel = "IP",
      description = "Address of the HTTP endpoints. Env OPERATED_BIND_ADDRESS; default 0.0.0.0.")
  String bindAddress;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "Port of /livez, /readyz, /metrics. Env OPERATED_HTTP_PORT; default 8080.")
  String httpPort;

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "TRACE, DEBUG, INFO, WARN or ERROR. Env OPERATED_LOG_LEVEL; default INFO.")
  String logLevel;

  @Option(names = "--leader-election", paramLabel = "true|false",
      description = "One active replica through a Lease. Env OPERATED_LEADER_ELECTION; "
          + "default false.")
  String leaderElection;

  @Option(names = "--lease-name", paramLabel = "NAME",
      description = "The Lease's name. Env OPERATED_LEASE_NAME; default operated-operator-lease.")
  String leaseName;

  @Option(names = "--identity", paramLabel = "NAME",
      description = "This replica in the Lease. Env OPERATED_POD_NAME; default the host name.")
  String identity;

  @Option(names = "--per-resource-metrics", paramLabel = "true|false",
      description = "Label metrics by resource (unbounded series). Env "
          + "OPERATED_PER_RESOURCE_METRICS; default false.")
  String perResourceMetrics;

  @Option(names = "--shutdown-timeout-seconds", paramLabel = "SECONDS",
      description = "Budget after SIGTERM. Env OPERATED_SHUTDOWN_TIMEOUT_SECONDS; default 20.")
  String shutdownTimeoutSeconds;

  @Option(names = "--collector-image", paramLabel = "IMAGE",
      description = "Collector sidecar image. Env OPERATED_COLLECTOR_IMAGE; default built in.")
  String collectorImage;

  @Option(names = "--collector-gateway", paramLabel = "URL",
      description = "OTLP URL sidecars export to by default. Env OPERATED_COLLECTOR_GATEWAY.")
  String collectorGateway;

  @Override
  public Integer call() throws InterruptedException {
    OperatorSettings settings;
    try {
      settings = SettingsParser.parse(flags(), System.getenv());
    } catch (InvalidSettingsException e) {
      command.commandLine().getErr().println("run: " + e.getMessage());
      command.commandLine().getErr().flush();
      return 2;
    }
    LogLevels.apply(settings.logLevel());
    PanicHook.install();
    CountDownLatch signalled = new CountDownLatch(1);
    // A signal handler rather than only a shutdown hook: the shutdown runs while everything
    // still works and the process then exits 0 instead of 143 (as the sample-service does).
    // sun.misc.Signal stays exported from jdk.unsupported for exactly this (JEP 260).
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        LOG.info("SIG{} received", signal.getName(), keyValue("event", "signal"),
            keyValue("signal", signal.getName()));
        signalled.countDown();
      });
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorRuntime runtime;
    try {
      runtime = OperatorRuntime.start(settings, client, Clock.systemUTC(), System::exit,
          configuration -> { });
    } catch (RuntimeException e) {
      LOG.error("the operator could not start: {}", e.getMessage(),
          keyValue("event", "start-failed"), e);
      client.close();
      return 1;
    }
    // System.exit from elsewhere (a fatal panic, a lost lease) still stops the operator cleanly
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.shutdown();
      client.close();
    }, "operated-shutdown"));
    signalled.await();
    runtime.shutdown();
    client.close();
    return 0;
  }

  private Map<Setting, String> flags() {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    put(flags, Setting.WATCH_NAMESPACES, watchNamespaces);
    put(flags, Setting.NAMESPACE, namespace);
    put(flags, Setting.BIND_ADDRESS, bindAddress);
    put(flags, Setting.HTTP_PORT, httpPort);
    put(flags, Setting.LOG_LEVEL, logLevel);
    put(flags, Setting.LEADER_ELECTION, leaderElection);
    put(flags, Setting.LEASE_NAME, leaseName);
    put(flags, Setting.IDENTITY, identity);
    put(flags, Setting.PER_RESOURCE_METRICS, perResourceMetrics);
    put(flags, Setting.SHUTDOWN_TIMEOUT_SECONDS, shutdownTimeoutSeconds);
    put(flags, Setting.COLLECTOR_IMAGE, collectorImage);
    put(flags, Setting.COLLECTOR_GATEWAY, collectorGateway);
    return flags;
  }

  private static void put(Map<Setting, String> flags, Setting setting, String value) {
    if (value != null) {
      flags.put(setting, value);
    }
  }
}
