package dev.operated.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.operated.api.OperatedService;
import dev.operated.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/kubectl-operated} found by a real kubectl on the PATH, as {@code kubectl operated},
 * with a kubeconfig whose context points at fabric8's mock API server. Skipped where no kubectl
 * is on the PATH. Runs after {@code package}: the plugin runs the packaged jar.
 */
class KubectlPluginIT {

  private static final Path REPO = OperatedJarIT.REPO;

  @TempDir
  Path workDir;

  private MockApiServer api;
  private Path kubeconfig;

  @BeforeEach
  void startApiServer() throws IOException {
    assumeTrue(kubectl() != null, "kubectl is not on the PATH: the plugin cannot be exercised");
    api = new MockApiServer("1.33");
    // the context's namespace is the plugin's default, as it is kubectl's
    kubeconfig = workDir.resolve("kubeconfig");
    Files.writeString(kubeconfig, Serialization.asYaml(new ConfigBuilder()
        .addNewCluster().withName("mock").withNewCluster().withServer(api.url()).endCluster()
        .endCluster()
        .addNewUser().withName("nobody").withNewUser().endUser().endUser()
        .addNewContext().withName("mock").withNewContext().withCluster("mock").withUser("nobody")
        .withNamespace("shop").endContext().endContext()
        .withCurrentContext("mock")
        .build()));
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void explainsABudgetFromTheKubeconfigsContext() throws Exception {
    api.client.resource(Serialization.unmarshal("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders, namespace: shop}
        spec:
          image: orders:1.4.2
          shutdown: {drainSeconds: 3, timeoutSeconds: 12}
        """, OperatedService.class)).create();

    Run run = kubectl("operated", "explain-budget", "orders");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("operatedservice shop/orders on Kubernetes 1.33")
        .contains("preStop sleep 3s run by the kubelet")
        .contains("drain 3s + app shutdown 12s = 15s, + 2s margin = 17s (computed)");
    assertThat(run.err()).as("only errors reach the terminal").isEmpty();
  }

  @Test
  void aMissingServiceFailsNamingIt() throws Exception {
    Run run = kubectl("operated", "explain-budget", "payments", "-n", "billing");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.err()).contains("operatedservice billing/payments not found");
  }

  @Test
  void rendersAFileRelativeToTheCurrentDirectory() throws Exception {
    Files.copy(REPO.resolve("sample-service/deploy/operatedservice.yaml"),
        workDir.resolve("service.yaml"));

    Run run = kubectl("operated", "render", "-f", "service.yaml", "--kubernetes-version", "1.28");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo(Files.readString(
        REPO.resolve("operator/src/test/resources/golden/operatedservice@1.28.yaml")));
  }

  @Test
  void refusesToRunTheOperator() throws Exception {
    Run run = kubectl("operated", "run");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown command 'run'").contains("helm install");
  }

  record Run(int exitCode, String out, String err) {
  }

  private Run kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(kubectl().toString());
    command.addAll(List.of(args));
    Path out = workDir.resolve("stdout");
    Path err = workDir.resolve("stderr");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("OPERATED_") || name.startsWith("KUBERNETES_")
        || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS"));
    env.put("PATH", REPO.resolve("bin").toAbsolutePath().normalize() + File.pathSeparator
        + env.getOrDefault("PATH", ""));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits within 60 s").isTrue();
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static Path kubectl() {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(directory, "kubectl");
      if (!directory.isEmpty() && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
