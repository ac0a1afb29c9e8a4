package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The machine's kubectl against an embedded cluster, with a kubeconfig and cache of its own. */
final class Kubectl {

  /** What one command printed (stdout and stderr together) and its exit status. */
  record Result(int exitCode, String output) {
  }

  private final String executable;
  private final Path kubeconfig;
  private final Path cacheDir;
  private final Path workDir;

  private Kubectl(String executable, Path kubeconfig, Path cacheDir, Path workDir) {
    this.executable = executable;
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
    this.workDir = workDir;
  }

  /** kubectl on the PATH, if any. */
  static Optional<String> onPath() {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(dir -> new File(dir, "kubectl")).filter(File::canExecute).map(File::getPath)
        .findFirst();
  }

  static Kubectl against(EmbeddedCluster cluster, String executable, Path temp, Path workDir)
      throws IOException {
    return against(cluster, executable, temp, workDir, null);
  }

  /**
   * @param token the bearer token kubectl sends, or null for none; kubectl sends credentials
   *     only over TLS ({@link EmbeddedCluster.Builder#https}), over http it is anonymous
   */
  static Kubectl against(EmbeddedCluster cluster, String executable, Path temp, Path workDir,
      String token) throws IOException {
    Path kubeconfig = temp.resolve("kubeconfig");
    Files.writeString(kubeconfig, Serialization.asYaml(new ConfigBuilder()
        .addNewCluster().withName("embedded").withNewCluster()
          .withServer(cluster.config().getMasterUrl())
          // fabric8's mock certificate is self-signed; over http this is ignored
          .withInsecureSkipTlsVerify(cluster.config().getMasterUrl().startsWith("https:") ? true
              : null).endCluster().endCluster()
        .addNewUser().withName("embedded").withNewUser().withToken(token).endUser().endUser()
        .addNewContext().withName("embedded").withNewContext().withCluster("embedded")
          .withUser("embedded").withNamespace("default").endContext().endContext()
        .withCurrentContext("embedded").build()));
    return new Kubectl(executable, kubeconfig, temp.resolve("cache"), workDir);
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(executable, "--kubeconfig",
        kubeconfig.toString(), "--cache-dir", cacheDir.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(cacheDir.getParent(), "kubectl", ".out");
    Process process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish "
          + "within 60 s; it printed:\n" + Files.readString(out, StandardCharsets.UTF_8));
    }
    return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
