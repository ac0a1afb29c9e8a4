package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubeconfig the playground prints is a user's: the API server authorizes with RBAC over
 * HTTPS, the kubeconfig carries the admin user's token, and a stock kubectl reads
 * OperatedServices and Deployments with it; with a token the server did not issue kubectl is
 * refused with 401, as on a cluster.
 */
class PlaygroundKubeconfigTest {

  @TempDir
  Path temp;

  @Test
  void kubectlWithThePlaygroundsKubeconfigIsAuthorizedAndWithAnotherTokenIsNot()
      throws Exception {
    File kubectl = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(dir -> new File(dir, "kubectl")).filter(File::canExecute).findFirst().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not on the PATH");
    try (LocalEndToEnd e2e = new LocalEndToEnd(temp.resolve("logs"), "1.33")) {
      e2e.applyExample(UnaryOperator.identity());
      Path kubeconfig = Playground.writeKubeconfig(e2e.cluster, temp.resolve("run"));

      Result osvc = run(kubectl, kubeconfig, "get", "osvc", "-n", LocalEndToEnd.NS, "-o",
          "name");
      assertThat(osvc.exit()).as(osvc.out() + "\nrefused: "
          + e2e.cluster.apiServer().accessRefusals()).isZero();
      assertThat(osvc.out()).contains("operatedservice.operated.dev/sample-service");
      Result deployments = run(kubectl, kubeconfig, "get", "deployments", "-A", "-o", "name");
      assertThat(deployments.exit()).as(deployments.out()).isZero();

      Path stranger = temp.resolve("stranger-kubeconfig");
      Files.writeString(stranger, Files.readAllLines(kubeconfig).stream()
          .map(line -> line.strip().startsWith("token:") ? "    token: not-a-token-of-ours" : line)
          .reduce("", (text, line) -> text + line + "\n"));
      Result refused = run(kubectl, stranger, "get", "osvc", "-n", LocalEndToEnd.NS);
      assertThat(refused.exit()).isNotZero();
      assertThat(refused.out()).contains("You must be logged in to the server (Unauthorized)");
    }
  }

  private record Result(int exit, String out) {
  }

  private Result run(File kubectl, Path kubeconfig, String... args) throws IOException,
      InterruptedException {
    List<String> command = new ArrayList<>(List.of(kubectl.getPath(), "--kubeconfig",
        kubeconfig.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(temp, "kubectl-", ".txt");
    // no terminal, so kubectl never waits for one
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl finished").isTrue();
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
