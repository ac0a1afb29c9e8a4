package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.operated.api.OperatedService;
import dev.operated.playground.ReadmeCommands.Command;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's cluster journey, verbatim, against the playground: the commands are read from the
 * README's "On a real cluster" and "Installing the operator with Helm" sections (never copied
 * here) and run in order, {@code kubectl} as the machine's kubectl with the playground's
 * kubeconfig in {@code KUBECONFIG}, {@code helm} through helm-java with the same arguments
 * ({@link HelmCli}). Each command must succeed, and what it prints is checked where it promises
 * something. Each section starts on a playground of its own, as each is a recipe of its own.
 */
class ReadmeJourneyTest {

  private static final Path REPO = LocalEndToEnd.REPO;
  private static final Path README = REPO.resolve("README.md");
  private static final String CRD = "operatedservices.operated.dev";
  private static final Duration READY = Duration.ofSeconds(120);
  /** The chart's ServiceAccount for the release {@code operated} in {@code operated}. */
  private static final String OPERATOR_USER = "system:serviceaccount:operated:operated";

  @Test
  void onARealCluster(@TempDir Path temp) throws Exception {
    String kubectl = kubectlOrSkip();
    try (Journey journey = new Journey(kubectl, temp, "on-a-real-cluster")) {
      for (Command command : ReadmeCommands.of(README, "On a real cluster")) {
        String output = journey.run(command);
        if (command.startsWith("kubectl", "get", "osvc")) {
          journey.sampleServiceBecomesReady();
          journey.getOsvcShowsReadyAndReason(command, output);
        }
        if (command.startsWith("kubectl", "explain")) {
          assertThat(output).as(command.line()).contains("KIND:       OperatedService",
              "FIELDS:", "shutdown\t<Object>", "drainSeconds\t<integer>", "image\t<string>");
        }
        if (command.startsWith("helm", "install")) {
          assertThat(output).contains("STATUS: deployed");
          assertThat(journey.client().apps().deployments().inNamespace("operated")
              .withName("operated").get()).as("the operator's Deployment").isNotNull();
        }
      }
      journey.aBadOperatedServiceIsRefusedNamingTheField(temp);
      journey.theReconcilingOperatorIsTheChartsProcess();
    }
  }

  @Test
  void installingTheOperatorWithHelm(@TempDir Path temp) throws Exception {
    String kubectl = kubectlOrSkip();
    try (Journey journey = new Journey(kubectl, temp, "helm")) {
      // What uninstall must leave: an OperatedService a team applied before.
      journey.cluster.apply(LocalEndToEnd.EXAMPLE, "default");
      int revision = 0;
      for (Command command : ReadmeCommands.of(README, "Installing the operator with Helm")) {
        List<String> before = journey.operatedServices();
        String output = journey.run(command);
        if (command.startsWith("helm", "install") || command.startsWith("helm", "upgrade")) {
          revision++;
          assertThat(output).contains("STATUS: deployed", "REVISION: " + revision);
        }
        if (command.startsWith("helm", "uninstall")) {
          assertThat(output).contains("release \"operated\" uninstalled");
          assertThat(journey.client().apps().deployments().inNamespace("operated")
              .withName("operated").get()).as("the operator's Deployment is gone").isNull();
          assertThat(journey.operatedServices()).as("helm uninstall leaves the OperatedServices")
              .isNotEmpty().containsExactlyElementsOf(before);
          assertThat(journey.client().apiextensions().v1().customResourceDefinitions()
              .withName(CRD).get()).as("and the CRD").isNotNull();
        }
        if (command.line().contains("watch.mode=list")) {
          assertThat(journey.client().rbac().roles().inNamespace("shop").list().getItems())
              .as("a Role in each watched namespace").isNotEmpty();
          assertThat(journey.client().apps().deployments().inNamespace("operated")
              .withName("operated").get().getSpec().getReplicas()).isEqualTo(2);
        }
        if (command.startsWith("kubectl", "delete", "-f", "crds/")) {
          assertThat(journey.client().apiextensions().v1().customResourceDefinitions()
              .withName(CRD).get()).isNull();
        }
      }
      assertThat(revision).as("the section installs and upgrades").isGreaterThanOrEqualTo(2);
    }
  }

  private static String kubectlOrSkip() {
    Optional<String> kubectl = Arrays.stream(System.getenv().getOrDefault("PATH", "")
        .split(File.pathSeparator)).map(dir -> new File(dir, "kubectl"))
        .filter(File::canExecute).map(File::getPath).findFirst();
    assumeTrue(kubectl.isPresent(), "no kubectl on the PATH: the README journey runs the "
        + "machine's kubectl (CI installs one; see .ci/run)");
    assumeTrue(Files.isRegularFile(LocalEndToEnd.SAMPLE_JAR), LocalEndToEnd.SAMPLE_JAR
        + " is missing: build with ./mvnw -B verify");
    assumeTrue(Files.isRegularFile(LocalEndToEnd.OPERATOR_JAR), LocalEndToEnd.OPERATOR_JAR
        + " is missing: build with ./mvnw -B verify");
    return kubectl.get();
  }

  /** One playground and the user's tools pointed at it. */
  private static final class Journey implements AutoCloseable {
    final LocalCluster cluster;
    private final String kubectl;
    private final Path kubeconfig;
    private final Path cache;
    private final HelmCli helm;
    /** What a user would have seen, kept in target/ for the record. */
    private final StringBuilder transcript = new StringBuilder();
    private final Path transcriptFile;

    Journey(String kubectl, Path temp, String name) throws IOException {
      this.kubectl = kubectl;
      this.transcriptFile = REPO.resolve("e2e/playground/target/readme-journey-" + name + ".txt");
      // no operator in this JVM: the one reconciling is the one helm install deploys, run by
      // the local node as a process of the operator jar, as the chart's ServiceAccount
      this.cluster = LocalCluster.start(REPO, LocalNodeSettings.forSampleService(
          LocalEndToEnd.SAMPLE_JAR, temp.resolve("logs")).withOperator(LocalEndToEnd.OPERATOR_JAR),
          "1.33", LocalCluster.InProcessOperator.NONE);
      // the kubeconfig the playground prints for its user: the admin's token, over HTTPS
      this.kubeconfig = Playground.writeKubeconfig(cluster, temp);
      this.cache = temp.resolve("kube-cache");
      this.helm = new HelmCli(kubeconfig, REPO);
    }

    KubernetesClient client() {
      return cluster.client();
    }

    /** Runs a README command, prints it as a transcript, and fails when it fails. */
    String run(Command command) throws IOException, InterruptedException {
      String output = switch (command.program()) {
        case "kubectl" -> kubectl(command);
        case "helm" -> helm.run(command.arguments());
        default -> throw new IllegalArgumentException("the README command `" + command.line()
            + "` is neither kubectl nor helm; the journey runs only those");
      };
      record(command.line(), output);
      return output;
    }

    private String kubectl(Command command) throws IOException, InterruptedException {
      List<String> words = new ArrayList<>(command.words());
      words.set(0, kubectl);
      Path out = Files.createTempFile(cache.getParent(), "kubectl", ".out");
      ProcessBuilder builder = new ProcessBuilder(words).directory(REPO.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile());
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      builder.environment().put("KUBECACHEDIR", cache.toString());
      Process process = builder.start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("`" + command.line() + "` did not finish within 120 s");
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as("`%s` printed:%n%s", command.line(), output).isZero();
      return output;
    }

    List<String> operatedServices() {
      if (client().apiextensions().v1().customResourceDefinitions().withName(CRD).get() == null) {
        return List.of();
      }
      return client().resources(OperatedService.class).inAnyNamespace().list().getItems()
          .stream().map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
          .sorted().toList();
    }

    void sampleServiceBecomesReady() {
      await("the README's OperatedService Ready").atMost(READY).pollInterval(Duration.ofSeconds(1))
          .untilAsserted(() -> {
            OperatedService service = client().resources(OperatedService.class)
                .inNamespace("default").withName("sample-service").get();
            assertThat(service.getStatus()).isNotNull();
            var ready = service.getStatus().condition("Ready");
            assertThat(ready.map(c -> c.getStatus())).as("Ready: %s",
                ready.map(c -> c.getReason() + ": " + c.getMessage()).orElse("no condition yet"))
                .hasValue("True");
          });
    }

    /**
     * The README promises {@code NAME READY REASON AGE}: the server's Table of the CRD's printer
     * columns.
     */
    void getOsvcShowsReadyAndReason(Command command, String output) throws Exception {
      await("`" + command.line() + "` shows READY and REASON").atMost(READY)
          .untilAsserted(() -> {
            String again = kubectl(command);
            assertThat(again.lines().findFirst().orElse("")).contains("NAME", "READY", "REASON",
                "AGE");
            // READY is .status.ready (the example asks for 2 replicas), REASON the Ready reason
            assertThat(again).containsPattern("sample-service\\s+2/2\\s+\\S+\\s+\\S+");
          });
    }

    /**
     * A copy of the example with {@code spec.replicas} a string is refused at
     * {@code kubectl apply}, naming the field: kubectl leaves validation to the server, since its
     * OpenAPI says it validates ({@code fieldValidation}), and the server's admission refuses it.
     */
    void aBadOperatedServiceIsRefusedNamingTheField(Path temp) throws Exception {
      Path bad = temp.resolve("bad-operatedservice.yaml");
      String example = Files.readString(LocalEndToEnd.EXAMPLE);
      assertThat(example).contains("replicas: 2");
      Files.writeString(bad, example.replace("name: sample-service", "name: bad-replicas")
          .replace("replicas: 2", "replicas: two"));
      ProcessBuilder builder = new ProcessBuilder(kubectl, "apply", "-f", bad.toString())
          .directory(REPO.toFile()).redirectErrorStream(true);
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      builder.environment().put("KUBECACHEDIR", cache.toString());
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      record("kubectl apply -f bad-operatedservice.yaml", output);
      assertThat(process.exitValue()).as(output).isNotZero();
      assertThat(output).contains("spec.replicas");
      assertThat(client().resources(OperatedService.class).inNamespace("default")
          .withName("bad-replicas").get()).isNull();
    }

    /**
     * The OperatedService was reconciled by the chart's Deployment: there is no operator in
     * this JVM ({@link LocalCluster.InProcessOperator#NONE}), the operator pod is a live process
     * on the local node that started as the release's operator, the status was written by the
     * operator's field manager, and nothing the chart's ServiceAccount asked for was refused
     * under the chart's RBAC.
     */
    void theReconcilingOperatorIsTheChartsProcess() throws IOException {
      List<Pod> pods = client().pods().inNamespace("operated")
          .withLabel("app.kubernetes.io/component", "operator").list().getItems();
      assertThat(pods).as("the chart's operator pod").hasSize(1);
      Pod pod = pods.get(0);
      assertThat(cluster.node().process("operated", pod.getMetadata().getName(), "operator"))
          .as("the operator container runs as a process").isPresent();
      String log = Files.readString(cluster.node().logOf(pod, "operator"));
      note("the operator pod's log ends:\n" + String.join("\n", log.lines()
          .skip(Math.max(0, log.lines().count() - 3)).toList()));
      assertThat(log).as("the operator process started in the release's namespace")
          .contains("\"event\":\"started\"", "\"namespace\":\"operated\"");
      OperatedService service = client().resources(OperatedService.class)
          .inNamespace("default").withName("sample-service").get();
      assertThat(service.getMetadata().getManagedFields())
          .as("the status is the operator's (field manager operated)")
          .anyMatch(entry -> "operated".equals(entry.getManager())
              && "status".equals(entry.getSubresource()));
      assertThat(cluster.apiServer().accessRefusals()).as("requests refused")
          .noneMatch(refusal -> refusal.user().equals(OPERATOR_USER));
    }

    private void record(String line, String output) {
      String entry = "$ " + line + "\n" + output.stripTrailing() + "\n";
      System.out.print(entry);
      transcript.append(entry);
    }

    private void note(String text) {
      System.out.println("(" + text + ")");
      transcript.append("(").append(text).append(")\n");
    }

    @Override
    public void close() throws IOException {
      cluster.close();
      Files.createDirectories(transcriptFile.getParent());
      Files.writeString(transcriptFile, transcript);
    }
  }
}
