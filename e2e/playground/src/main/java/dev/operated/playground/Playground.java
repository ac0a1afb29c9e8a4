package dev.operated.playground;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The no-cluster playground: an embedded API server with a local node, the CRD, the operator,
 * and the example OperatedService running as real sample-service processes behind a Service
 * address on this machine. Prints each status transition, then what was rolled out and what to
 * try; stops everything on Ctrl-C.
 */
@Command(name = "playground", mixinStandardHelpOptions = true,
    description = "Run Operated and the sample-service on this machine, no cluster needed.")
public final class Playground implements Callable<Integer> {

  static final String NAMESPACE = "default";
  static final Duration PROPAGATION = Duration.ofSeconds(1);

  @Spec
  CommandSpec command;

  @Option(names = "--once", description = "Exit 0 as soon as the service is Ready (non-zero "
      + "with the reason if it is not within --timeout), instead of staying up.")
  boolean once;

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
      description = "The OperatedService to run. Default: sample-service/deploy/"
          + "operatedservice.yaml")
  Path manifest;

  @Option(names = "--kubernetes-version", defaultValue = "1.33", paramLabel = "X.Y",
      description = "The version the API server reports. Default: ${DEFAULT-VALUE}.")
  String kubernetesVersion;

  @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
      description = "How long to wait for Ready. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  public static void main(String[] args) {
    // Before anything logs: the framework's logs go to a file, the console is the user's.
    System.setProperty("logback.configurationFile", "playground-logback.xml");
    repositoryRootIfAny().ifPresent(root -> System.setProperty("OPERATED_PLAYGROUND_LOG",
        root.resolve("e2e/playground/target/run/operator.log").toString()));
    SLF4JBridgeHandler.removeHandlersForRootLogger(); // the mock server logs through JUL
    SLF4JBridgeHandler.install();
    System.exit(new CommandLine(new Playground()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = command.commandLine().getOut();
    Optional<Path> root = repositoryRootIfAny();
    if (root.isEmpty()) {
      command.commandLine().getErr().println("playground: run it from the repository's folder "
          + "(no crds/ and sample-service/ in " + Path.of("").toAbsolutePath() + " or above)");
      return 2;
    }
    Path repo = root.get();
    Path jar = repo.resolve("sample-service/target/sample-service.jar");
    if (!Files.isRegularFile(jar)) {
      command.commandLine().getErr().println("playground: " + jar + " is missing; build first: "
          + "./mvnw -B -q -DskipTests package");
      return 2;
    }
    Path run = repo.resolve("e2e/playground/target/run");
    Path example = manifest != null ? manifest
        : repo.resolve("sample-service/deploy/operatedservice.yaml");
    if (!Files.isReadable(example)) {
      command.commandLine().getErr().println("playground: cannot read " + example
          + ": give an OperatedService manifest with -f");
      return 2;
    }
    long start = System.nanoTime();
    LocalNodeSettings settings = LocalNodeSettings.forSampleService(jar, run.resolve("logs"));
    out.printf("Starting an embedded Kubernetes %s API server with a local node (%s) ...%n",
        kubernetesVersion, settings.addressing() == PodAddressing.PORT_PER_POD
            ? "pods on 127.0.0.1, a host port each" : "pods on addresses of their own, 127.0.10.x");
    out.flush();
    LocalCluster cluster = LocalCluster.start(repo, settings, kubernetesVersion);
    Thread cleanup = new Thread(cluster::close, "playground-stop");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      cluster.createNamespace(NAMESPACE);
      OperatedService applied;
      try {
        applied = FaultEndpointsSwitch.apply(cluster.client(), Files.readAllBytes(example),
            NAMESPACE);
      } catch (IllegalArgumentException e) {
        command.commandLine().getErr().println("playground: " + example + ": " + e.getMessage());
        return 2;
      }
      String name = applied.getMetadata().getName();
      out.printf("Applied %s (%s %s %s/%s; the playground turns "
          + "on its fault endpoints).%nWaiting for Ready; every status change is printed:%n",
          example.getFileName(), HasMetadata.getApiVersion(OperatedService.class),
          HasMetadata.getKind(OperatedService.class), NAMESPACE, name);
      out.flush();
      Condition ready = awaitReady(cluster, name, out, start);
      if (!"True".equals(ready == null ? null : ready.getStatus())) {
        command.commandLine().getErr().printf("playground: %s is not Ready after %ds: %s%n",
            name, timeoutSeconds, ready == null ? "no status yet"
                : ready.getReason() + ": " + ready.getMessage());
        return 1;
      }
      printRollout(cluster, name, out);
      if (once) {
        return 0;
      }
      ServiceFront front = cluster.front(NAMESPACE, name, PROPAGATION);
      Path kubeconfig = discoveryServed(cluster) ? writeKubeconfig(cluster, run) : null;
      printWhatToTry(front, kubeconfig, name, run.resolve("logs"), out);
      new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook stops everything
      return 0;
    } finally {
      if (once) {
        Runtime.getRuntime().removeShutdownHook(cleanup);
        cluster.close();
      }
    }
  }

  /** Prints a line per status change until Ready or the timeout; returns the last Ready. */
  private Condition awaitReady(LocalCluster cluster, String name, PrintWriter out, long start)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    String last = null;
    Condition ready = null;
    while (System.nanoTime() < deadline) {
      OperatedService current = cluster.client().resources(OperatedService.class)
          .inNamespace(NAMESPACE).withName(name).get();
      if (current != null && current.getStatus() != null) {
        ready = current.getStatus().condition("Ready").orElse(null);
        Condition progressing = current.getStatus().condition("Progressing").orElse(null);
        String line = String.format("READY %-5s %-28s PROGRESSING %-5s %s",
            current.getStatus().ready(), describe(ready), progressing == null ? "-"
                : progressing.getStatus(), ready == null ? "" : ready.getMessage());
        if (!Objects.equals(line, last)) {
          out.printf("[%5.1fs] %s%n", (System.nanoTime() - start) / 1e9, line);
          out.flush();
          last = line;
        }
        if (ready != null && "True".equals(ready.getStatus())) {
          return ready;
        }
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    return ready;
  }

  private static String describe(Condition condition) {
    return condition == null ? "-" : condition.getStatus() + "/" + condition.getReason();
  }

  private static void printRollout(LocalCluster cluster, String name, PrintWriter out) {
    Deployment deployment = cluster.client().apps().deployments().inNamespace(NAMESPACE)
        .withName(name).get();
    var pod = deployment.getSpec().getTemplate().getSpec();
    Container app = pod.getContainers().get(0);
    out.println();
    out.printf("What the operator rolled out (kubectl get deployment %s -o yaml):%n", name);
    out.printf("  image            %s, %d replicas%n", app.getImage(),
        deployment.getSpec().getReplicas());
    out.printf("  startup probe    %s%n", probe(app.getStartupProbe()));
    out.printf("  readiness probe  %s%n", probe(app.getReadinessProbe()));
    out.printf("  liveness probe   %s%n", probe(app.getLivenessProbe()));
    var preStop = app.getLifecycle() == null ? null : app.getLifecycle().getPreStop();
    out.printf("  preStop          %s%n", preStop == null ? "none (the app drains itself)"
        : preStop.getSleep() != null ? "sleep " + preStop.getSleep().getSeconds() + "s (kubelet)"
        : "exec " + preStop.getExec().getCommand());
    out.printf("  grace period     %ds%n", pod.getTerminationGracePeriodSeconds());
    for (EnvVar variable : app.getEnv()) {
      if (variable.getName().startsWith("OTEL_") || variable.getName().startsWith("OPERATED_")) {
        out.printf("  env              %s=%s%n", variable.getName(),
            variable.getValue() != null ? variable.getValue()
                : "(" + variable.getValueFrom().getFieldRef().getFieldPath() + ")");
      }
    }
    out.flush();
  }

  private static String probe(Probe probe) {
    if (probe == null) {
      return "none";
    }
    IntOrString port = probe.getHttpGet().getPort();
    return "GET " + probe.getHttpGet().getPath() + " on port "
        + (port.getIntVal() != null ? port.getIntVal().toString() : port.getStrVal()) + " every "
        + probe.getPeriodSeconds() + "s, " + probe.getFailureThreshold() + " failures";
  }

  /** kubectl finds resources through discovery; without it, it cannot talk to this server. */
  private static boolean discoveryServed(LocalCluster cluster) {
    try {
      var resources = cluster.client().getApiResources(
          HasMetadata.getApiVersion(OperatedService.class));
      return resources != null && resources.getResources().stream()
          .anyMatch(resource -> HasMetadata.getPlural(OperatedService.class)
              .equals(resource.getName()));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A kubeconfig for this cluster, as a user's: kubectl and Helm read it unchanged. */
  static Path writeKubeconfig(LocalCluster cluster, Path run) throws IOException {
    Files.createDirectories(run);
    Path file = run.resolve("kubeconfig");
    Config config = cluster.apiServer().config();
    io.fabric8.kubernetes.api.model.Config kubeconfig = new io.fabric8.kubernetes.api.model
        .ConfigBuilder()
        .addNewCluster().withName("playground").withNewCluster()
          .withServer(config.getMasterUrl()).withInsecureSkipTlsVerify(true).endCluster()
        .endCluster()
        // the admin user (system:masters): the API server authorizes with RBAC
        .addNewUser().withName("playground").withNewUser()
          .withToken(cluster.apiServer().adminToken()).endUser().endUser()
        .addNewContext().withName("playground").withNewContext().withCluster("playground")
          .withUser("playground").withNamespace(NAMESPACE).endContext().endContext()
        .withCurrentContext("playground")
        .build();
    Files.writeString(file, Serialization.asYaml(kubeconfig));
    return file;
  }

  private static void printWhatToTry(ServiceFront front, Path kubeconfig, String name,
      Path logs, PrintWriter out) {
    String base = "http://127.0.0.1:" + front.port();
    out.println();
    out.printf("Service %s is at %s (traffic spread over the ready pods, as kube-proxy does).%n",
        name, base);
    out.println("Try:");
    out.printf("  curl %s/items/42%n", base);
    out.printf("  curl %s/metrics%n", base);
    out.printf("  curl %s/fault/panic               # a request that panics: 500, one event%n",
        base);
    out.printf("  curl %s/fault/slow?ms=3000%n", base);
    if (kubeconfig != null) {
      out.printf("  export KUBECONFIG=%s%n", kubeconfig.toAbsolutePath());
      out.println("  kubectl get osvc,deploy,pods            # READY, REASON, STATUS as on a cluster");
      out.printf("  kubectl describe osvc %s     # its conditions and Events%n", name);
      out.printf("  kubectl logs -f deploy/%s%n", name);
      out.printf("  kubectl rollout restart deploy/%s && kubectl rollout status deploy/%s%n",
          name, name);
    } else {
      out.println("  (kubectl needs API discovery, which the embedded API server does not serve"
          + " yet; the pods' state is in the logs below)");
    }
    out.printf("  tail -f %s/*_app.log              # the pods' JSON logs%n", logs);
    out.println("Ctrl-C stops the operator, the API server and every pod process.");
    out.flush();
  }

  /** The working directory or the nearest parent with crds/ and sample-service/. */
  private static Optional<Path> repositoryRootIfAny() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("crds"))
          && Files.isDirectory(dir.resolve("sample-service"))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }
}
