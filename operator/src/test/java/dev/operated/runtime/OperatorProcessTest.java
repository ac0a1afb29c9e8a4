package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.operated.testing.MockApiServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code operated run} as a child process, configured only through the environment as the chart
 * configures it, against the mock API server of this JVM; SIGTERM as the kubelet sends it. The
 * child's production configuration keeps server-side apply, which the mock lacks, so no
 * OperatedService is created here: this test is about the process's life, not reconciles.
 */
class OperatorProcessTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path logs;

  private MockApiServer api;
  private Process process;

  @BeforeEach
  void startApiServer() {
    api = new MockApiServer();
    api.createNamespaces("shop", "operators");
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    api.close();
  }

  @Test
  void startsReadyAndStopsCleanlyOnSigterm() throws Exception {
    int port = freePort();
    Path stderr = logs.resolve("stderr.log");
    Http http = startReady(port, stderr);
    assertThat(http.get("/metrics").body()).contains("jvm_threads_live_threads");

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits within 30 s").isTrue();

    assertThat(process.exitValue()).as(() -> read(stderr)).isZero();
    List<JsonNode> events = events(stderr);
    assertThat(events).extracting(event -> event.path("event").asText())
        .containsSubsequence("started", "signal", "stopping", "stopped");
    JsonNode stopped = events.stream().filter(e -> "stopped".equals(e.path("event").asText()))
        .findFirst().orElseThrow();
    assertThat(stopped.path("telemetryFlushed").asBoolean()).isTrue();
    assertThat(events).noneMatch(event -> "ERROR".equals(event.path("level").asText()));
  }

  /**
   * A client that stops in the middle of its request (a request line without its end, as a TLS
   * ClientHello sent to this plain port is) must not hold a worker for good: with both of the
   * health port's threads held, the kubelet's liveness probe times out until the pod restarts.
   * In a process of its own, because the JDK reads its server settings once per JVM.
   */
  @Test
  void clientsThatStopMidRequestDoNotHoldTheProbesBack() throws Exception {
    int port = freePort();
    Http http = startReady(port, logs.resolve("stderr.log"));

    try (Socket first = stalled(port); Socket second = stalled(port)) {
      await("livez while two clients stall").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)).until(() -> http.status("/livez") == 200);
      assertThat(first.getInputStream().read()).as("the server closed the stalled connection")
          .isEqualTo(-1);
    }
  }

  /** {@code operated run} started and ready on {@code port}, its stderr in that file. */
  private Http startReady(int port, Path stderr) throws IOException {
    process = start(port, stderr, Map.of());
    Http http = new Http(port);
    await("the operator ready on " + port).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> http.status("/readyz") == 200 || !process.isAlive());
    assertThat(process.isAlive()).as(() -> "exited early:\n" + read(stderr)).isTrue();
    return http;
  }

  private static Socket stalled(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    out.write("GET /met".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  @Test
  void refusesBadEnvironmentAtStartNamingTheVariable() throws Exception {
    Path stderr = logs.resolve("stderr.log");
    process = start(freePort(), stderr, Map.of("OPERATED_WATCH_NAMESPACES", "Shop"));
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(read(stderr)).contains("--watch-namespaces (OPERATED_WATCH_NAMESPACES) is 'Shop' "
        + "(from OPERATED_WATCH_NAMESPACES)");
  }

  private Process start(int port, Path stderr, Map<String, String> extraEnv) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.operated.cli.OperatedCli", "run");
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("OPERATED_") || name.startsWith("OTEL_")
        || name.startsWith("KUBERNETES_") || name.equals("KUBECONFIG")
        || name.startsWith("JAVA_TOOL_OPTIONS") || name.startsWith("JDK_JAVA_OPTIONS"));
    env.put("KUBERNETES_MASTER", api.url());
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBERNETES_NAMESPACE", "operators");
    env.put("OPERATED_BIND_ADDRESS", "127.0.0.1");
    env.put("OPERATED_HTTP_PORT", Integer.toString(port));
    env.put("OPERATED_WATCH_NAMESPACES", "shop");
    // fabric8's mock server serves watches only as WebSockets: without this the operator's
    // informers never sync and it never gets ready, so the setting is shown to reach the client
    env.put("OPERATED_WATCH_TRANSPORT", "websocket");
    env.putAll(extraEnv);
    // Files, not pipes: when the child exits, the JDK's process reaper drains and closes a pipe
    // under its reader, which then loses the last lines (the shutdown events).
    builder.redirectOutput(logs.resolve("stdout.log").toFile()).redirectError(stderr.toFile());
    return builder.start();
  }

  private static List<JsonNode> events(Path file) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("{")) {
        events.add(JSON.readTree(line));
      }
    }
    return events;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
