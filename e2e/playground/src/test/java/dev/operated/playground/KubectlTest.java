package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NAME;
import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine's real kubectl against the embedded API server running the example service, with
 * the playground's kubeconfig: what each command a user types prints. The tests run in order on
 * one cluster (starting the sample-service takes a while); the last deletes the service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlTest {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(150);

  @TempDir
  static Path work;
  private static Path kubectl;
  private static Path kubeconfig;
  private static LocalEndToEnd e2e;

  @BeforeAll
  static void start() throws IOException {
    Optional<Path> found = onPath("kubectl");
    Assumptions.assumeTrue(found.isPresent(), "no kubectl on the PATH: install kubectl (1.32 "
        + "or newer) to run the tests of what kubectl prints against the embedded API server");
    kubectl = found.get();
    e2e = new LocalEndToEnd(work.resolve("logs"), "1.33");
    e2e.applyExample(resource -> resource);
    e2e.awaitReady(2);
    kubeconfig = Playground.writeKubeconfig(e2e.cluster, work.resolve("run"));
  }

  @AfterAll
  static void stop() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @Test
  @Order(1)
  void getOperatedServicesShowsTheCrdsPrinterColumns() throws Exception {
    List<List<String>> table = table(ok("get", "osvc"));
    assertThat(table.get(0)).containsExactly("NAME", "READY", "REASON", "AGE");
    assertThat(table.get(1).subList(0, 3))
        .containsExactly(NAME, "2/2", "AllReplicasReady");
    assertThat(table.get(1).get(3)).matches("\\d+[sm].*");
  }

  @Test
  @Order(2)
  void getPodsShowsReadyStatusAndRestartsAsPrintPodComputesThem() throws Exception {
    List<List<String>> table = table(ok("get", "pods"));
    assertThat(table.get(0)).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
    assertThat(table).hasSize(3);
    for (List<String> row : table.subList(1, 3)) {
      assertThat(row.get(0)).startsWith(NAME + "-");
      // printPod's RESTARTS is the sum of the containers' restart counts (a loaded machine may
      // have had the kubelet restart one), then "(age ago)" of the last restart
      int restarts = e2e.cluster.client().pods().inNamespace(NS)
          .withName(row.get(0)).get().getStatus().getContainerStatuses().stream()
          .mapToInt(ContainerStatus::getRestartCount).sum();
      assertThat(row.subList(1, 4)).containsExactly("1/1", "Running", String.valueOf(restarts));
    }
    String wide = ok("get", "pods", "-o", "wide");
    assertThat(wide.lines().findFirst().orElseThrow())
        .contains("IP", "NODE", "NOMINATED NODE", "READINESS GATES");
    assertThat(wide).contains("embedded-node", "127.0.");
  }

  @Test
  @Order(3)
  void getDeploymentsReplicaSetsServicesAndEventsShowTheirColumns() throws Exception {
    List<List<String>> deployments = table(ok("get", "deployments"));
    assertThat(deployments.get(0))
        .containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
    assertThat(deployments.get(1).subList(0, 4)).containsExactly(NAME, "2/2", "2", "2");

    List<List<String>> replicaSets = table(ok("get", "replicasets"));
    assertThat(replicaSets.get(0))
        .containsExactly("NAME", "DESIRED", "CURRENT", "READY", "AGE");
    assertThat(replicaSets.get(1).subList(1, 4)).containsExactly("2", "2", "2");

    List<List<String>> services = table(ok("get", "services"));
    assertThat(services.get(0))
        .containsExactly("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
    assertThat(services.get(1).subList(0, 2)).containsExactly(NAME, "ClusterIP");
    assertThat(services.get(1).get(4)).isEqualTo("8080/TCP");

    String events = ok("get", "events");
    assertThat(events.lines().findFirst().orElseThrow())
        .matches("LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE");
    assertThat(events).contains("operatedservice/" + NAME).contains("AllReplicasReady");
  }

  @Test
  @Order(4)
  void describeListsTheEventsOfTheOperatedService() throws Exception {
    String description = ok("describe", "osvc", NAME);
    String events = description.substring(description.indexOf("Events:"));
    assertThat(events).doesNotContain("<none>").contains("AllReplicasReady")
        .contains("operated");
  }

  @Test
  @Order(5)
  void logsPrintsTheContainersLinesAndTailCutsThem() throws Exception {
    String pod = e2e.pods().get(0).getMetadata().getName();
    String all = ok("logs", pod);
    assertThat(all).contains("\"event\":\"ready\"");
    assertThat(all).isEqualTo(e2e.log(e2e.pods().get(0), "app"));
    String last = ok("logs", pod, "-c", "app", "--tail=1");
    assertThat(last.lines()).hasSize(1);
    assertThat(all.strip()).endsWith(last.strip());
    assertThat(ok("logs", "deploy/" + NAME, "--tail=1").lines()).hasSize(1);
    Run unknown = run("logs", pod, "-c", "nope");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.errors()).contains("container nope is not valid for pod " + pod);
  }

  @Test
  @Order(6)
  void rolloutRestartIsWatchedByGetWatchLogsFollowAndRolloutStatus() throws Exception {
    String oldPod = e2e.pods().get(0).getMetadata().getName();
    Process watch = start("get", "deployment", NAME, "--watch");
    Process follow = start("logs", "-f", oldPod, "--tail=1");
    try {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> outputOf(watch).lines().count() >= 2); // header and the current row
      long rowsBefore = outputOf(watch).lines().count();

      assertThat(ok("rollout", "restart", "deployment/" + NAME))
          .contains("deployment.apps/" + NAME + " restarted");
      String status = ok("rollout", "status", "deployment/" + NAME, "--timeout=120s");
      assertThat(status).contains("deployment \"" + NAME + "\" successfully rolled out");

      // get -w printed a row per change the rollout made to the Deployment
      assertThat(outputOf(watch).lines().count()).isGreaterThan(rowsBefore);
      // logs -f streamed the old pod's drain and ended by itself when the pod was gone
      assertThat(follow.waitFor(60, TimeUnit.SECONDS)).as("kubectl logs -f ended").isTrue();
      assertThat(outputOf(follow)).contains("\"event\":\"shutdown_started\"");
      assertThat(e2e.pods()).extracting(pod -> pod.getMetadata().getName())
          .doesNotContain(oldPod);
    } finally {
      watch.destroy();
      follow.destroy();
    }
  }

  @Test
  @Order(7)
  void scaleChangesTheReplicasOfADeployment() throws Exception {
    Path web = work.resolve("web.yaml");
    Files.writeString(web, String.join("\n",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web}",
        "spec:",
        "  replicas: 1",
        "  selector: {matchLabels: {app: web}}",
        "  template:",
        "    metadata: {labels: {app: web}}",
        "    spec: {containers: [{name: web, image: 'nginx:1.27'}]}", ""));
    // a manifest, not `kubectl create deployment`: kubectl's generators send protobuf, which
    // this server reads only for the kinds Helm writes
    assertThat(ok("create", "-f", web.toString()))
        .contains("deployment.apps/web created");
    assertThat(ok("scale", "deployment/web", "--replicas=3"))
        .contains("deployment.apps/web scaled");
    assertThat(ok("rollout", "status", "deployment/web", "--timeout=60s"))
        .contains("successfully rolled out");
    List<List<String>> table = table(ok("get", "deployment", "web"));
    assertThat(table.get(1).subList(0, 4)).containsExactly("web", "3/3", "3", "3");
    assertThat(table(ok("get", "pods", "-l", "app=web"))).hasSize(4);
  }

  @Test
  @Order(8)
  void fieldSelectorsFilterAsTheServerDoes() throws Exception {
    assertThat(table(ok("get", "pods", "--field-selector", "status.phase=Running,"
        + "spec.nodeName=embedded-node", "-l", "app=web"))).hasSize(4);
    assertThat(ok("get", "pods", "--field-selector", "status.phase!=Running"))
        .isEmpty();
    Run unsupported = run("get", "pods", "--field-selector", "spec.image=x");
    assertThat(unsupported.exitCode()).isNotZero();
    assertThat(unsupported.errors()).contains("field label not supported: spec.image");
  }

  @Test
  @Order(9)
  void deleteWaitsUntilTheOperatedServiceIsGone() throws Exception {
    assertThat(ok("delete", "osvc", NAME))
        .contains("operatedservice.operated.dev \"" + NAME + "\" deleted");
    assertThat(run("get", "osvc").errors()).contains("No resources found in " + NS);
    await().atMost(Duration.ofSeconds(60))
        .until(() -> run("get", "deployment", NAME).errors().contains("NotFound"));
  }

  // ---- running kubectl ----

  /** What a finished kubectl printed, on stdout and on stderr. */
  record Run(int exitCode, String output, String errors) {
  }

  private static String ok(String... arguments) throws Exception {
    Run run = run(arguments);
    assertThat(run.exitCode()).as("kubectl %s printed:%n%s%s", String.join(" ", arguments),
        run.output(), run.errors()).isZero();
    return run.output();
  }

  private static Run run(String... arguments) throws Exception {
    Process process = start(arguments);
    if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", arguments) + " did not finish in "
          + COMMAND_TIMEOUT + ": " + outputOf(process) + errorsOf(process));
    }
    return new Run(process.exitValue(), outputOf(process), errorsOf(process));
  }

  /** kubectl with the playground's kubeconfig and its own cache; stdout and stderr to files. */
  private static Process start(String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig",
        kubeconfig.toString(), "--cache-dir", work.resolve("kube-cache").toString(),
        "--namespace", NS));
    command.addAll(Arrays.asList(arguments));
    Path output = Files.createTempFile(work, "kubectl", ".out");
    Process process = new ProcessBuilder(command).redirectOutput(output.toFile())
        .redirectError(errorsFile(output).toFile()).start();
    OUTPUTS.put(process, output);
    return process;
  }

  private static final java.util.Map<Process, Path> OUTPUTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String outputOf(Process process) throws IOException {
    return read(OUTPUTS.get(process));
  }

  private static String errorsOf(Process process) throws IOException {
    return read(errorsFile(OUTPUTS.get(process)));
  }

  private static Path errorsFile(Path output) {
    return output.resolveSibling(output.getFileName() + ".err");
  }

  private static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** kubectl's table output, each line split on its column gaps. */
  private static List<List<String>> table(String output) {
    return output.lines().filter(line -> !line.isBlank())
        .map(line -> List.of(line.trim().split("\\s{2,}"))).toList();
  }

  private static Optional<Path> onPath(String executable) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, executable)).filter(Files::isExecutable).findFirst();
  }
}
