package dev.operated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code render | kubectl apply -f -} must apply the bytes the user wrote. CI containers often
 * run with LC_ALL=C, where a JVM writes non-ASCII characters as '?' unless told otherwise; the
 * CLI runs here in a child JVM under exactly that locale.
 */
class RenderEncodingTest {

  private static final String VALUE = "Grüße aus Köln, 東京 — naïve café ✓";

  @TempDir
  Path temp;

  @Test
  void renderWritesUtf8UnderTheCLocale() throws Exception {
    Path file = temp.resolve("service.yaml");
    Files.writeString(file, """
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec:
          image: orders:1
          env: [{name: GREETING, value: "%s"}]
        """.formatted(VALUE), StandardCharsets.UTF_8);

    Run run = runUnderCLocale("render", "-f", file.toString());

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    String stdout = new String(run.stdout(), StandardCharsets.UTF_8);
    assertThat(stdout).contains(VALUE).doesNotContain("?");
  }

  @Test
  void problemsAreWrittenInUtf8Too() throws Exception {
    Path file = temp.resolve("service.yaml");
    Files.writeString(file, """
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec: {image: orders:1, podLabels: {team: "Zürich Ops"}}
        """, StandardCharsets.UTF_8);

    Run run = runUnderCLocale("render", "-f", file.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr()).contains("'Zürich Ops' is not a valid label value");
  }

  private record Run(int exitCode, byte[] stdout, String stderr) {
  }

  /**
   * LC_ALL=C for the child. Java 17 takes its default charset from the locale, which
   * -Dfile.encoding states explicitly; from Java 18 the default is UTF-8 but COMPAT restores
   * the locale's, and stdout.encoding (read from Java 19) is the console's.
   */
  private static Run runUnderCLocale(String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xmx256m"));
    if (Runtime.version().feature() >= 18) {
      command.add("-Dfile.encoding=COMPAT");
      command.add("-Dstdout.encoding=US-ASCII");
      command.add("-Dstderr.encoding=US-ASCII");
    } else {
      command.add("-Dfile.encoding=ANSI_X3.4-1968");
      command.add("-Dsun.stdout.encoding=ANSI_X3.4-1968");
      command.add("-Dsun.stderr.encoding=ANSI_X3.4-1968");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        "dev.operated.cli.OperatedCli"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LC_ALL", "C");
    builder.environment().put("LANG", "C");
    Process process = builder.start();
    CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> all(
        process.getInputStream()));
    CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> all(
        process.getErrorStream()));
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("render finished").isTrue();
    return new Run(process.exitValue(), stdout.get(),
        new String(stderr.get(), StandardCharsets.UTF_8));
  }

  private static byte[] all(InputStream in) {
    try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
