package dev.operated.sample;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/sample-service.jar}) as a child process on 127.0.0.1 and a
 * free port, with its stdout and stderr kept in files of a temporary folder. The environment is the test's own minus
 * every variable the service or the OpenTelemetry SDK reads, plus what the test asks for.
 */
final class ServiceProcess implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Path TESTS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  /**
   * The JVM the service runs on: the image's (Java 25) when this machine has a Temurin 25 under
   * /usr/lib/jvm, as the build machines do; else the one running the tests.
   * {@code -Dsample.java=PATH} picks another.
   */
  static final Path JAVA = serviceJava();
  /**
   * The image's JVM flags (the pom's {@code image.jvm.*}, which Jib puts in the image), then the
   * tests' own: a small heap and the first JIT tier, for many short-lived processes. On the JVM
   * running the tests (no Java 25 found) a flag it does not know is ignored; on any other, the
   * image's, a flag it refuses fails the start, as it would fail the pod's.
   */
  static final List<String> JVM_FLAGS = jvmFlags();

  private final Process process;
  private final int port;
  private final Path stdout;
  private final Path stderr;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

  private ServiceProcess(Map<String, String> env) throws IOException {
    this.port = env.containsKey("PORT") ? Integer.parseInt(env.get("PORT")) : freePort();
    Path jar = Path.of(System.getProperty("sample.jar", "target/sample-service.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " does not exist: run the tests with "
          + "./mvnw -pl sample-service verify (the jar is built in the package phase)");
    }
    List<String> command = new ArrayList<>(List.of(JAVA.toString()));
    command.addAll(JVM_FLAGS);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("SAMPLE_")
        || name.startsWith("OPERATED_") || name.equals("PORT") || name.equals("BIND_ADDRESS")
        || name.equals("LOG_LEVEL") || name.startsWith("JAVA_TOOL_OPTIONS")
        || name.startsWith("JDK_JAVA_OPTIONS"));
    environment.put("BIND_ADDRESS", "127.0.0.1");
    environment.put("PORT", Integer.toString(port));
    environment.put("OTEL_TRACES_EXPORTER", "none");
    environment.putAll(env);
    // Files, not pipes: when a child exits, the JDK's process reaper drains and closes the pipe
    // under a reader thread, which then loses the last lines (the shutdown events) to "Stream
    // closed". A file keeps every line the process wrote.
    Path logs = Files.createTempDirectory("sample-service-");
    stdout = logs.resolve("stdout.log");
    stderr = logs.resolve("stderr.log");
    builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    process = builder.start();
  }

  private static List<String> jvmFlags() {
    List<String> flags = new ArrayList<>();
    if (JAVA.equals(TESTS_JAVA)) {
      flags.add("-XX:+IgnoreUnrecognizedVMOptions");
    }
    String image = System.getProperty("sample.image.jvmFlags", "").strip();
    if (!image.isEmpty()) {
      flags.addAll(List.of(image.split("\\s+")));
    }
    flags.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"));
    return List.copyOf(flags);
  }

  private static Path serviceJava() {
    String chosen = System.getProperty("sample.java");
    if (chosen != null) {
      return Path.of(chosen);
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (var jdks = Files.newDirectoryStream(jvms, "temurin-25*")) {
        for (Path jdk : jdks) {
          Path java = jdk.resolve("bin").resolve("java");
          if (Files.isExecutable(java)) {
            return java;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return TESTS_JAVA;
  }

  static ServiceProcess start(Map<String, String> env) {
    try {
      return new ServiceProcess(env);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the service and waits until it reports ready. */
  static ServiceProcess startReady(Map<String, String> env) {
    ServiceProcess service = start(env);
    try {
      service.awaitReady();
      return service;
    } catch (RuntimeException | Error e) {
      service.close();
      throw e;
    }
  }

  static Map<String, String> env(String... keyValues) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return port;
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(40));
  }

  HttpResponse<String> get(String pathAndQuery) {
    return send(request(pathAndQuery).GET().build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery) {
    return client.sendAsync(request(pathAndQuery).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The status of GET path, or -1 when the connection fails (not listening yet, or any more). */
  int status(String path) {
    try {
      return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  void awaitListening() {
    await("service listening on " + port).atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status(SampleServiceDefaults.LIVENESS_PATH) == 200 || !process.isAlive());
    assertAlive();
  }

  void awaitReady() {
    await("service ready on " + port).atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status(SampleServiceDefaults.READINESS_PATH) == 200 || !process.isAlive());
    assertAlive();
  }

  private void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError("the service exited with " + process.exitValue() + ":\n"
          + String.join("\n", stdout()) + "\n" + stderr());
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM, as the kubelet sends it (Process.destroy() is SIGTERM on Linux). */
  void sigterm() {
    process.destroy();
  }

  /** Waits for the exit; returns the exit code. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the service did not exit within " + timeout + "; output:\n"
            + String.join("\n", stdout()));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The complete lines written to stdout so far (a line still being written is left out). */
  List<String> stdout() {
    return completeLines(stdout);
  }

  String stderr() {
    return String.join("\n", completeLines(stderr));
  }

  private static List<String> completeLines(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every stdout line, parsed; fails on a line that is not one JSON object. */
  List<JsonNode> logs() {
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : stdout()) {
      parsed.add(parse(line));
    }
    return parsed;
  }

  static JsonNode parse(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        throw new AssertionError("not a JSON object: " + line);
      }
      return node;
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  /** The log events with the given {@code event} field. */
  List<JsonNode> events(String event) {
    return logs().stream().filter(node -> event.equals(node.path("event").asText())).toList();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
      Files.deleteIfExists(stdout.getParent());
    } catch (IOException e) {
      // a leftover temporary file is no reason to fail a test
    }
  }

  @Override
  public String toString() {
    return "sample-service on port " + port + (process.isAlive() ? "" : " (exited)");
  }
}
