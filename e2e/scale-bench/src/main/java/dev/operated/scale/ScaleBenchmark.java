package dev.operated.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scale benchmark (docs/benchmarks.md, "Scale"): N services, first applied by a bare fabric8
 * client exactly as {@code operated render} prints them, then reconciled by the packaged operator
 * from their OperatedServices, each phase on a fresh embedded API server in its own JVM, the
 * operator in a third with a pod's flags. Writes {@code report.json} and a markdown row.
 */
@Command(name = "scale-bench", mixinStandardHelpOptions = true,
    description = "Measure the operator against a bare client on the embedded API server.")
public final class ScaleBenchmark implements java.util.concurrent.Callable<Integer> {

  static final String AGENT = "scale-bench";
  static final String OPERATED_SERVICE_API = "operated.dev/v1alpha1";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = {"-n", "--services"}, defaultValue = "100",
      description = "How many services (N). Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(names = "--example", defaultValue = "sample-service/deploy/operatedservice.yaml",
      description = "The OperatedService copied N times (the collector-sidecar example is "
          + "sample-service/deploy/operatedservice-full.yaml). Default: ${DEFAULT-VALUE}.")
  Path example;

  @Option(names = "--namespaces", defaultValue = "1",
      description = "Namespaces the services are spread over. Default: ${DEFAULT-VALUE}.")
  int namespaces;

  @Option(names = "--workers", defaultValue = "10",
      description = "Concurrent creates (and the bare client's concurrent applies). "
          + "Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(names = "--operator-java", description = "The java that runs the operator "
      + "(e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java). Default: this JVM's.")
  Path operatorJava;

  @Option(names = "--operator-jvm-options", defaultValue = "-XX:+UseSerialGC -XX:MaxRAM=512m",
      description = "The operator's JVM options, space-separated (system properties too). "
          + "Default: a 512 Mi pod's, ${DEFAULT-VALUE}.")
  String operatorJvmOptions;

  @Option(names = "--operator-jar", defaultValue = "operator/target/operated.jar",
      description = "The packaged operator. Default: ${DEFAULT-VALUE}.")
  Path operatorJar;

  @Option(names = "--operator-arg", description = "An argument after `run` (repeatable), "
      + "e.g. --operator-arg=--log-level=WARN.")
  List<String> operatorArgs = new ArrayList<>();

  @Option(names = "--operator-env", description = "An environment variable of the operator's "
      + "process (repeatable), e.g. --operator-env MALLOC_ARENA_MAX=2.")
  Map<String, String> operatorEnvironment = new LinkedHashMap<>();

  @Option(names = "--server-jvm-options", defaultValue = "",
      description = "The API server JVM's options, space-separated.")
  String serverJvmOptions;

  @Option(names = "--https", description = "Serve the API over TLS, with HTTP/2 for the clients "
      + "that negotiate it, as kube-apiserver does (default: plain HTTP/1.1).")
  boolean https;

  @Option(names = "--crds", defaultValue = "crds", description = "Default: ${DEFAULT-VALUE}.")
  Path crds;

  // a plain flag: picocli's negatable form of a true default ran the baseline anyway
  @Option(names = "--no-baseline",
      description = "Skip the bare-client phase: the operator only, no ratios.")
  boolean withoutBaseline;

  @Option(names = "--out", description = "Where report.json and the logs go. "
      + "Default: target/scale-bench/N-<time>.")
  Path out;

  @Option(names = "--append-to", description = "Append the markdown row to this file's "
      + "\"## Scale\" section (e.g. docs/benchmarks.md).")
  Path appendTo;

  @Option(names = "--label", defaultValue = "",
      description = "What this run is, for the markdown row (e.g. \"before: pruned pods\").")
  String label;

  @Option(names = "--timeout-seconds", defaultValue = "3600",
      description = "Longest wait for a phase's objects. Default: ${DEFAULT-VALUE}.")
  long timeoutSeconds;

  @Option(names = "--quiet-seconds", defaultValue = "3",
      description = "The operator is idle once it sent no request for this long. "
          + "Default: ${DEFAULT-VALUE}.")
  long quietSeconds;

  @Option(names = "--settle-seconds", defaultValue = "0",
      description = "Measure the operator's RSS and threads again after this long with nothing "
          + "to do (idle pool threads end after 60 s); 0 does not. Default: ${DEFAULT-VALUE}.")
  long settleSeconds;

  private String[] commandLine = new String[0];
  private Path directory;

  public static void main(String[] args) {
    quietLogging();
    ScaleBenchmark benchmark = new ScaleBenchmark();
    benchmark.commandLine = args;
    System.exit(new CommandLine(benchmark).execute(args));
  }

  /** Runs with these arguments in this JVM and returns the report (for the smoke test). */
  static ScaleReport run(String... args) throws Exception {
    ScaleBenchmark benchmark = new ScaleBenchmark();
    benchmark.commandLine = args;
    new CommandLine(benchmark).parseArgs(args);
    return benchmark.measure();
  }

  @Override
  public Integer call() throws Exception {
    ScaleReport report = measure();
    System.out.println(MarkdownReport.header());
    System.out.println(MarkdownReport.row(report, label));
    return 0;
  }

  ScaleReport measure() throws Exception {
    if (!Files.isRegularFile(operatorJar)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--operator-jar: "
          + operatorJar + " does not exist; build it with ./mvnw -B -pl operator -am package "
          + "-DskipTests, or name another jar");
    }
    directory = out != null ? out : Path.of("target", "scale-bench", services + "-"
        + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
            .format(Instant.now()));
    Files.createDirectories(directory);
    OperatorCommand operator = new OperatorCommand(operatorJava != null ? operatorJava
        : Path.of(System.getProperty("java.home"), "bin", "java"), split(operatorJvmOptions),
        operatorJar, operatorArgs, operatorEnvironment);
    String loadAtStart = loadAverage();
    progress("rendering " + services + " copies of " + example);
    ServiceSpecs specs = ServiceSpecs.of(example, services, namespaces, operator, directory);
    ScaleReport.Baseline bare = null;
    if (!withoutBaseline) {
      Path phase = Files.createDirectories(directory.resolve("baseline"));
      bare = baselinePhase(specs, phase);
    }
    Path phase = Files.createDirectories(directory.resolve("operator"));
    OperatorPhase operated = operatorPhase(specs, operator, phase);
    ScaleReport report = new ScaleReport(LocalDate.now(ZoneOffset.UTC).toString(), machine(),
        loadAtStart + " → " + loadAverage(), "bin/scale-bench " + String.join(" ", commandLine), services,
        example.getFileName().toString(), namespaces, workers,
        new ScaleReport.OperatorRun(operator.java().toString(), operator.jvmOptions(),
            operator.jar().toString(), operator.args(), operator.environment()),
        bare, operated.operated(), operated.resync(), new ScaleReport.Ratios(
            bare == null ? Double.NaN : round(operated.operated().allAppliedSeconds()
                / bare.allAppliedSeconds()),
            bare == null ? Double.NaN : round(operated.operated().allReadySeconds()
                / bare.allAvailableSeconds())));
    Files.writeString(directory.resolve("report.json"), JSON.writeValueAsString(report));
    progress("report: " + directory.resolve("report.json"));
    if (appendTo != null) {
      MarkdownReport.append(appendTo, report, label);
    }
    return report;
  }

  // ---- the bare client ----

  private ScaleReport.Baseline baselinePhase(ServiceSpecs specs, Path directory)
      throws Exception {
    progress("baseline: a fresh API server, the bare client applies what render printed");
    try (ServerProcess server = new ServerProcess(split(serverJvmOptions), crds, directory, https);
        KubernetesClient client = client(server, AGENT + "/baseline");
        KubernetesClient watcher = client(server, AGENT + "/watch")) {
      createNamespaces(client);
      try (ClusterWatch watch = new ClusterWatch(watcher, specs.renderedKinds())) {
        ServerReport before = server.report();
        long driverBefore = ownCpuNanos();
        Instant start = Instant.now();
        Map<String, Instant> started = new ConcurrentHashMap<>();
        inParallel(specs.rendered().entrySet(), service -> {
          started.put(service.getKey(), Instant.now());
          for (HasMetadata object : service.getValue()) {
            client.resource(object).fieldManager("operated").forceConflicts()
                .serverSideApply();
          }
        });
        List<String> rendered = specs.renderedKeys();
        require(watch, watch.awaitSeen(rendered, timeout()), "the bare client's objects to exist");
        long writesUntilApplied = server.report().since(before).count(RequestClass::mutating);
        double applied = latest(rendered, watch::seen, start);
        List<String> deployments = deployments(specs);
        require(watch, watch.awaitAvailable(deployments, timeout()),
            "the Deployments to be available");
        double available = latest(deployments, watch::available, start);
        List<Double> applyToAvailable = new ArrayList<>();
        specs.rendered().keySet().forEach(service -> applyToAvailable.add(seconds(
            started.get(service), watch.available(deploymentKey(service)))));
        ServerReport phase = server.report().since(before);
        long driver = ownCpuNanos() - driverBefore;
        ServerReport bare = phase.of(agent -> agent.startsWith(AGENT + "/baseline"));
        long requests = bare.count(kind -> true);
        progress(String.format("baseline: all applied after %.1f s, all available after %.1f s",
            applied, available));
        return new ScaleReport.Baseline(applied, writesUntilApplied, available,
            ScaleReport.Percentiles.of(applyToAvailable), requests, perService(requests),
            perService(bare.count(RequestClass::mutating)),
            cpu(phase.cpuNanos(), 0, driver));
      }
    }
  }

  // ---- the operator ----

  record OperatorPhase(ScaleReport.Operated operated, ScaleReport.IdleResync resync) {
  }

  private OperatorPhase operatorPhase(ServiceSpecs specs, OperatorCommand operator,
      Path directory) throws Exception {
    progress("operator: a fresh API server, the operator in its own JVM ("
        + String.join(" ", operator.jvmOptions()) + ")");
    try (ServerProcess server = new ServerProcess(split(serverJvmOptions), crds, directory, https);
        KubernetesClient client = client(server, AGENT + "/create");
        KubernetesClient watcher = client(server, AGENT + "/watch")) {
      createNamespaces(client);
      List<ClusterWatch.Kind> kinds = new ArrayList<>(specs.renderedKinds());
      kinds.add(new ClusterWatch.Kind(OPERATED_SERVICE_API, "OperatedService"));
      try (ClusterWatch watch = new ClusterWatch(watcher, kinds)) {
        ScaleReport.Operated operated;
        ProcessStats idle;
        try (OperatorProcess process = new OperatorProcess(operator, server.kubeconfig(),
            directory.resolve("operator.log"))) {
          process.awaitReady(Duration.ofMinutes(3));
          awaitQuiet(server);
          idle = process.stats();
          // typed before the clock starts, as the bare client's objects are
          Map<String, GenericKubernetesResource> toCreate = new LinkedHashMap<>();
          specs.services().forEach(service -> toCreate.put(ServiceSpecs.key(service),
              Serialization.unmarshal(service.toString(), GenericKubernetesResource.class)));
          ServerReport before = server.report();
          long driverBefore = ownCpuNanos();
          long operatorBefore = idle.cpuNanos();
          Instant start = Instant.now();
          Map<String, Instant> created = new ConcurrentHashMap<>();
          inParallel(toCreate.entrySet(), service -> {
            created.put(service.getKey(), Instant.now());
            client.resource(service.getValue()).create();
          });
          List<String> rendered = specs.renderedKeys();
          List<String> ready = specs.services().stream().map(service -> ClusterWatch.key(
              "OperatedService", service.path("metadata").path("namespace").asText(),
              service.path("metadata").path("name").asText())).toList();
          require(watch, watch.awaitSeen(rendered, timeout()), "the operator's objects to exist");
          long writesUntilApplied = server.report().since(before).count(RequestClass::mutating);
          double applied = latest(rendered, watch::seen, start);
          require(watch, watch.awaitReady(ready, timeout()), "every OperatedService to be Ready");
          double allReady = latest(ready, watch::ready, start);
          List<String> deployments = deployments(specs);
          require(watch, watch.awaitAvailable(deployments, timeout()),
              "the Deployments to be available");
          double available = latest(deployments, watch::available, start);
          List<Double> createToReady = new ArrayList<>();
          for (ObjectNode service : specs.services()) {
            createToReady.add(seconds(created.get(ServiceSpecs.key(service)),
                watch.ready(ClusterWatch.key("OperatedService", service.path("metadata")
                    .path("namespace").asText(), service.path("metadata").path("name")
                    .asText()))));
          }
          progress(String.format("operator: all applied after %.1f s, all Ready after %.1f s",
              applied, allReady));
          awaitQuiet(server);
          ServerReport phase = server.report().since(before);
          long driver = ownCpuNanos() - driverBefore;
          ProcessStats loaded = process.stats();
          long reconciles = process.reconciles();
          // before the histogram's full collection, which a pod between storms does not get
          ScaleReport.Settled settled = settled(process);
          String histogram = process.classHistogram();
          Files.writeString(directory.resolve("heap-histogram.txt"), histogram);
          long liveHeap = HeapHistogram.parse(histogram).liveKib();
          ServerReport mine = phase.of(ScaleBenchmark::operatorAgent);
          long requests = mine.count(kind -> true);
          ScaleReport.Memory memory = new ScaleReport.Memory(mib(idle.rssKib()), idle.threads(),
              mib(loaded.rssKib()), mib(loaded.rssAnonKib()), loaded.threads(), mib(liveHeap),
              round((double) liveHeap / services), round((double) loaded.rssKib() / services),
              settled);
          operated = new ScaleReport.Operated(applied, writesUntilApplied, allReady, available,
              ScaleReport.Percentiles.of(createToReady), reconciles, perService(reconciles),
              requests, perService(requests), perService(mine.count(RequestClass::mutating)),
              perService(mine.count(kind -> "operatedservices".equals(kind.resource())
                  && "status".equals(kind.subresource()) && kind.mutating())),
              perService(mine.count(kind -> "events".equals(kind.resource())
                  && kind.mutating())),
              byKind(mine), memory,
              cpu(phase.cpuNanos(), loaded.cpuNanos() - operatorBefore, driver));
        }
        progress("operator: restarted with " + services + " unchanged services");
        ServerReport beforeRestart = server.report();
        ScaleReport.IdleResync resync;
        try (OperatorProcess restarted = new OperatorProcess(operator, server.kubeconfig(),
            directory.resolve("operator-restarted.log"))) {
          restarted.awaitReady(Duration.ofMinutes(3));
          Instant deadline = Instant.now().plus(timeout());
          while (restarted.reconciles() < services && Instant.now().isBefore(deadline)) {
            OperatorProcess.pause(Duration.ofMillis(500));
          }
          awaitQuiet(server);
          long reconciles = restarted.reconciles();
          ServerReport mine = server.report().since(beforeRestart)
              .of(ScaleBenchmark::operatorAgent);
          long namedReads = mine.count(RequestClass::namedRead);
          resync = new ScaleReport.IdleResync(reconciles, mine.count(RequestClass::mutating),
              namedReads, mine.count(kind -> "list".equals(kind.verb())),
              mine.count(kind -> "watch".equals(kind.verb())),
              reconciles == 0 ? Double.NaN : round4((double) namedReads / reconciles),
              byKind(mine));
        }
        return new OperatorPhase(operated, resync);
      }
    }
  }

  /** The operator is whoever is not this benchmark (the server's controllers are not on HTTP). */
  static boolean operatorAgent(String userAgent) {
    return !userAgent.startsWith(AGENT + "/");
  }

  /** The operator after {@link #settleSeconds} more with nothing to do; null when 0. */
  private ScaleReport.Settled settled(OperatorProcess process) {
    if (settleSeconds <= 0) {
      return null;
    }
    progress("operator: settling for " + settleSeconds + " s");
    OperatorProcess.pause(Duration.ofSeconds(settleSeconds));
    ProcessStats stats = process.stats();
    return new ScaleReport.Settled(settleSeconds, mib(stats.rssKib()), mib(stats.rssAnonKib()),
        stats.threads());
  }

  /** Waits until no client has sent a request for {@link #quietSeconds}. */
  private void awaitQuiet(ServerProcess server) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(Math.max(60, quietSeconds * 10)));
    long last = server.report().count(kind -> operatorAgent(kind.userAgent()));
    while (Instant.now().isBefore(deadline)) {
      OperatorProcess.pause(Duration.ofSeconds(quietSeconds));
      long now = server.report().count(kind -> operatorAgent(kind.userAgent()));
      if (now == last) {
        return;
      }
      last = now;
    }
    progress("the operator was still sending requests after " + Duration.between(
        deadline.minus(Duration.ofSeconds(Math.max(60, quietSeconds * 10))), deadline)
        .toSeconds() + " s; counting anyway");
  }

  // ---- helpers ----

  private static Map<String, Long> byKind(ServerReport report) {
    Map<String, Long> kinds = new TreeMap<>();
    report.requests().forEach((kind, count) -> kinds.merge(kind.verb() + " " + kind.resource()
        + (kind.subresource() == null ? "" : "/" + kind.subresource()), count, Long::sum));
    return kinds;
  }

  private List<String> deployments(ServiceSpecs specs) {
    return specs.rendered().keySet().stream().map(ScaleBenchmark::deploymentKey).toList();
  }

  private static String deploymentKey(String service) {
    int slash = service.indexOf('/');
    return ClusterWatch.key("Deployment", service.substring(0, slash),
        service.substring(slash + 1));
  }

  private void createNamespaces(KubernetesClient client) {
    for (String namespace : ServiceSpecs.namespaces(namespaces)) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
          .endMetadata().build()).create();
    }
  }

  private static KubernetesClient client(ServerProcess server, String userAgent) {
    Config config = new ConfigBuilder(Config.fromKubeconfig(readKubeconfig(server)))
        .withUserAgent(userAgent)
        .withTrustCerts(true)
        // a cold server on a busy machine can take longer than fabric8's 10 s for one write
        .withRequestTimeout((int) Duration.ofMinutes(5).toMillis())
        .withConnectionTimeout((int) Duration.ofMinutes(1).toMillis())
        .withMaxConcurrentRequests(256)
        .withMaxConcurrentRequestsPerHost(256)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String readKubeconfig(ServerProcess server) {
    try {
      return Files.readString(server.kubeconfig());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + server.kubeconfig(), e);
    }
  }

  private <T> void inParallel(Collection<T> items, Consumer<T> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (T item : items) {
        done.add(pool.submit(() -> action.accept(item)));
      }
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }

  private void require(ClusterWatch watch, List<String> missing, String what) {
    if (!missing.isEmpty()) {
      List<WatchStream.Failing> failing = watch.failing();
      throw new IllegalStateException("timed out after " + timeout().toSeconds()
          + " s waiting for " + what + ": " + missing.size() + " missing, e.g. "
          + missing.subList(0, Math.min(5, missing.size()))
          + (failing.isEmpty() ? "" : "; the benchmark's own watches are failing: " + failing)
          + "; see the logs in " + directory);
    }
  }

  private static double latest(List<String> keys, java.util.function.Function<String, Instant>
      time, Instant start) {
    Instant last = start;
    for (String key : keys) {
      Instant at = time.apply(key);
      if (at.isAfter(last)) {
        last = at;
      }
    }
    return seconds(start, last);
  }

  private static double seconds(Instant from, Instant to) {
    return round(Duration.between(from, to).toMillis() / 1000.0);
  }

  private double perService(long count) {
    return round4((double) count / services);
  }

  private static ScaleReport.Cpu cpu(long server, long operator, long driver) {
    long total = server + operator + driver;
    return new ScaleReport.Cpu(round(server / 1e9), round(operator / 1e9), round(driver / 1e9),
        total == 0 ? Double.NaN : round4((double) server / total));
  }

  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double mib(long kib) {
    return round(kib / 1024.0);
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  static double round4(double value) {
    return Math.round(value * 10000) / 10000.0;
  }

  private static List<String> split(String options) {
    return Arrays.stream(options.trim().split("\\s+")).filter(Predicate.not(String::isEmpty))
        .toList();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String machine() {
    String model = "";
    try {
      model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name")).findFirst()
          .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("");
    } catch (IOException e) {
      // not Linux: the core count says enough
    }
    long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getTotalMemorySize();
    return Runtime.getRuntime().availableProcessors() + " cores " + model + ", "
        + Math.round(memory / (1024.0 * 1024 * 1024)) + " GiB";
  }

  /**
   * Our logging configuration, not the operator jar's (it is on the class path for the
   * validation classes the server runs), and without logback's own status lines; set before
   * the first logger exists.
   */
  static void quietLogging() {
    System.setProperty("logback.configurationFile", "scale-bench-logback.xml");
    System.setProperty("logback.statusListenerClass",
        "ch.qos.logback.core.status.NopStatusListener");
  }

  static void progress(String message) {
    System.err.println(DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC)
        .format(Instant.now()) + " " + message);
  }
}
