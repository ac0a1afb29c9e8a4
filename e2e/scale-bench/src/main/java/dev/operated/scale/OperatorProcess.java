package dev.operated.scale;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code java [JVM options] -jar operated.jar run}) in its own JVM, as a
 * pod runs it, pointed at the benchmark's server by {@code KUBECONFIG}; its log goes to a file.
 */
final class OperatorProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int port;
  private final Path java;

  OperatorProcess(OperatorCommand operator, Path kubeconfig, Path log) throws IOException {
    this.java = operator.java();
    this.port = freePort();
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(operator.jvmOptions());
    command.add("-jar");
    command.add(operator.jar().toAbsolutePath().toString());
    command.add("run");
    command.add("--http-port=" + port);
    command.add("--bind-address=127.0.0.1");
    command.addAll(operator.args());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(operator.environment());
    builder.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    this.process = builder.start();
  }

  long pid() {
    return process.pid();
  }

  /** Waits until {@code /readyz} answers 200: the informers have synced. */
  void awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited with " + process.exitValue()
            + " before it was ready; see its log");
      }
      if (get("/readyz").map(answer -> answer.statusCode() == 200).orElse(false)) {
        return;
      }
      pause(Duration.ofMillis(200));
    }
    throw new IllegalStateException("the operator was not ready after " + timeout);
  }

  /** Reconciles started, from JOSDK's counter on {@code /metrics}. */
  long reconciles() {
    String metrics = get("/metrics").map(HttpResponse::body).orElse("");
    long total = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("operator_sdk_reconciliations_started_total")) {
        total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  /**
   * What the heap holds, class by class ({@code jcmd PID GC.class_histogram}, which collects
   * first): where the bytes per service go, and the live heap ({@link HeapHistogram}).
   */
  String classHistogram() {
    return run(tool("jcmd"), String.valueOf(pid()), "GC.class_histogram");
  }

  ProcessStats stats() {
    return ProcessStats.of(pid());
  }

  private Path tool(String name) {
    Path sibling = java.toAbsolutePath().getParent().resolve(name);
    return sibling.toFile().canExecute() ? sibling : Path.of(name);
  }

  /** Runs a JDK tool to its end (at most a minute) and answers what it printed. */
  static String run(Path tool, String... args) {
    List<String> command = new ArrayList<>();
    command.add(tool.toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + tool + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Optional<HttpResponse<String>> get(String path) {
    try {
      return Optional.of(HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** SIGTERM, as the kubelet stops a pod; SIGKILL if it has not exited after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
