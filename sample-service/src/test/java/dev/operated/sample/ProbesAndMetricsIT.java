package dev.operated.sample;

import static dev.operated.sample.ServiceProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Start-up probes, the Prometheus exposition and the fault switch, on the real process. */
class ProbesAndMetricsIT {

  /** A sample line of the text format: name, optional labels, a number (and optional timestamp). */
  private static final Pattern SAMPLE = Pattern.compile(
      "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
          + "(-?[0-9.]+(E[-+]?[0-9]+)?|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

  @Test
  void readinessIs503UntilStartupFinishedWhileLivenessIs200() {
    // the warm-up outlasts the first requests to a cold JVM on a loaded machine
    try (ServiceProcess service = ServiceProcess.start(env("SAMPLE_WARMUP_MS", "6000"))) {
      service.awaitListening();

      HttpResponse<String> ready = service.get(SampleServiceDefaults.READINESS_PATH);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("starting");
      assertThat(service.status(SampleServiceDefaults.LIVENESS_PATH)).isEqualTo(200);

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> service.status(SampleServiceDefaults.READINESS_PATH) == 200);
      assertThat(service.get(SampleServiceDefaults.READINESS_PATH).body()).contains("ready");
      assertThat(service.events("ready")).singleElement()
          .satisfies(event -> assertThat(event.path("startup.ms").asLong()).isPositive());
    }
  }

  /**
   * Requests held by a slow dependency take at most {@link HttpApp#APPLICATION_WORKERS} workers:
   * the probes are still answered (within the 5 s the status check waits, while the slow
   * requests take 8 s), and requests over the bound get a 503 at once instead of a place in the
   * queue in front of the kubelet's liveness probe.
   */
  @Test
  void probesAreAnsweredWhileSlowRequestsHoldEveryWorkerTheyMay() {
    try (ServiceProcess service = ServiceProcess.startReady(env("SAMPLE_FAULTS_ENABLED", "true"))) {
      List<CompletableFuture<HttpResponse<String>>> slow = IntStream
          .range(0, HttpApp.WORKERS + 8).mapToObj(i -> service.getAsync("/fault/slow?ms=8000"))
          .toList();
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> service.events("fault_slow_started").size()
              == HttpApp.APPLICATION_WORKERS);

      assertThat(service.status(SampleServiceDefaults.LIVENESS_PATH)).isEqualTo(200);
      assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(200);
      HttpResponse<String> refused = service.get("/items/7");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

      List<Integer> answers = slow.stream().map(CompletableFuture::join)
          .map(HttpResponse::statusCode).toList();
      assertThat(answers).filteredOn(status -> status == 200)
          .hasSize(HttpApp.APPLICATION_WORKERS);
      assertThat(answers).filteredOn(status -> status == 503)
          .hasSize(HttpApp.WORKERS + 8 - HttpApp.APPLICATION_WORKERS);
      assertThat(service.get("/items/7").statusCode()).as("once they are done").isEqualTo(200);
    }
  }

  /**
   * A client that sends part of a request and stops holds a worker until the server's request
   * time runs out ({@code sun.net.httpserver.maxReqTime}; the JDK's default is forever, the
   * service's 30 s, a value given on the command line wins: 1 s here). Then the probes are
   * answered again although more clients stalled than there are workers.
   */
  @Test
  void clientsThatStopMidRequestFreeTheirWorkers() throws IOException {
    try (ServiceProcess service = ServiceProcess.startReady(env("JAVA_TOOL_OPTIONS",
        "-Dsun.net.httpserver.maxReqTime=1"))) {
      List<Socket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < HttpApp.WORKERS + 8; i++) {
          Socket socket = new Socket(InetAddress.getLoopbackAddress(), service.port());
          socket.getOutputStream().write("GET /items/1 HTTP/1.1\r\n"
              .getBytes(StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          stalled.add(socket);
        }
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
            .until(() -> service.status(SampleServiceDefaults.LIVENESS_PATH) == 200);
      } finally {
        for (Socket socket : stalled) {
          socket.close();
        }
      }
    }
  }

  /** HEAD is GET without the body: a load balancer's health check, answered without a warning. */
  @Test
  void headIsAnsweredAsGetWithoutTheBody() {
    try (ServiceProcess service = ServiceProcess.startReady(env())) {
      HttpResponse<String> live = service.send(service.request(SampleServiceDefaults.LIVENESS_PATH)
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.body()).isEmpty();
      HttpResponse<String> item = service.send(service.request("/items/7")
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(item.statusCode()).isEqualTo(200);
      HttpResponse<String> delete = service.send(service.request("/items/7").DELETE().build());
      assertThat(delete.statusCode()).isEqualTo(405);
      assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD");
      assertThat(service.stderr()).doesNotContain("HEAD request");
      assertThat(service.logs()).noneSatisfy(line -> assertThat(line.path("level").asText())
          .isEqualTo("WARN"));
    }
  }

  @Test
  void metricsAreValidPrometheusTextWithRouteTemplatesAndJvmMetrics() {
    try (ServiceProcess service = ServiceProcess.startReady(env())) {
      assertThat(service.get("/items/7").statusCode()).isEqualTo(200);
      assertThat(service.get("/items/8").statusCode()).isEqualTo(200);
      assertThat(service.get("/items/123456").statusCode()).isEqualTo(404);
      assertThat(service.get("/items/bad%20id").statusCode()).isEqualTo(400);
      assertThat(service.get("/no/such/path").statusCode()).isEqualTo(404);
      assertThat(service.send(service.request("/items/7")
          .DELETE().build()).statusCode()).isEqualTo(405);

      HttpResponse<String> scrape = service.get(SampleServiceDefaults.METRICS_PATH);
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      List<String> lines = scrape.body().lines().filter(line -> !line.isBlank()).toList();
      assertThat(lines).allSatisfy(line -> assertThat(
          SAMPLE.matcher(line).matches() || COMMENT.matcher(line).matches())
          .as("a valid exposition line: %s", line).isTrue());

      assertThat(lines).contains("# TYPE http_server_requests_seconds histogram");
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("http_server_requests_seconds_count{")
          .contains("method=\"GET\"", "uri=\"/items/{id}\"", "status=\"200\"",
              "outcome=\"SUCCESS\"")
          .endsWith(" 2"));
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("http_server_requests_seconds_count{")
          .contains("uri=\"/items/{id}\"", "status=\"404\"", "outcome=\"CLIENT_ERROR\""));
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("http_server_requests_seconds_count{")
          .contains("uri=\"/items/{id}\"", "status=\"405\"", "method=\"DELETE\""));
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("http_server_requests_seconds_bucket{")
          .contains("uri=\"/items/{id}\"", "le=\"+Inf\""));
      // the latency objectives' boundaries, which the chart's latency alert names exactly
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("http_server_requests_seconds_bucket{")
          .contains("uri=\"/items/{id}\"", "le=\"0.5\""));
      assertThat(lines).anySatisfy(line -> assertThat(line)
          .startsWith("http_server_requests_seconds_count{")
          .contains("uri=\"NOT_FOUND\"", "status=\"404\""));
      // routes are templates: a raw path never becomes a label value
      assertThat(scrape.body()).doesNotContain("uri=\"/items/7\"", "uri=\"/items/123456\"",
          "/no/such/path");

      for (String jvmMetric : List.of("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
          "jvm_classes_loaded_classes", "process_uptime_seconds", "process_cpu_usage",
          "process_files_open_files")) {
        assertThat(lines).as(jvmMetric).anySatisfy(line -> assertThat(line).startsWith(jvmMetric));
      }

      HttpResponse<String> openMetrics = service.send(service.request("/metrics")
          .header("Accept", "application/openmetrics-text; version=1.0.0").GET().build());
      assertThat(openMetrics.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("application/openmetrics-text"));
      assertThat(openMetrics.body()).contains("http_server_requests_seconds_count{")
          .endsWith("# EOF\n");

      // every stdout line is one JSON object
      assertThat(service.logs()).isNotEmpty();
    }
  }

  /**
   * In a pod the JVM sizes its heap from the container's memory limit, which {@code -XX:MaxRAM}
   * stands in for here. Without the image's {@code -XX:InitialRAMPercentage} the heap starts at
   * 1/64 of it (8 MiB of the example's 512 Mi) and Serial's young generation, sized from it, is
   * collected every few milliseconds under load.
   */
  @Test
  void theImagesFlagsCommitTheWholeHeapFromTheStartInAPodSizedJvm() {
    try (ServiceProcess service = ServiceProcess.startReady(
        env("JAVA_TOOL_OPTIONS", "-XX:MaxRAM=512m"))) {
      String exposition = service.get(SampleServiceDefaults.METRICS_PATH).body();

      assertThat(heapBytes(exposition, "jvm_memory_committed_bytes"))
          .isGreaterThan(0.8 * heapBytes(exposition, "jvm_memory_max_bytes"));
    }
  }

  /** The sum of one JVM memory gauge over the heap's pools. */
  private static double heapBytes(String exposition, String gauge) {
    return exposition.lines()
        .filter(line -> line.startsWith(gauge + "{") && line.contains("area=\"heap\""))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void faultEndpointsAre404UnlessEnabled() {
    try (ServiceProcess service = ServiceProcess.startReady(env())) {
      for (String fault : List.of("/fault/panic", "/fault/background-panic", "/fault/slow?ms=1",
          "/fault/fatal", "/fault/unready")) {
        assertThat(service.get(fault).statusCode()).as(fault).isEqualTo(404);
      }
      assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(200);
      assertThat(service.events("panic")).isEmpty();
      assertThat(service.events("listening")).singleElement()
          .satisfies(event -> assertThat(event.path("faults.enabled").asBoolean()).isFalse());
    }
  }

  @Test
  void theUnreadyFaultFailsReadinessForAWhileAndLeavesLivenessAlone() {
    try (ServiceProcess service = ServiceProcess.startReady(env("SAMPLE_FAULTS_ENABLED", "true"))) {
      assertThat(service.get("/fault/unready?seconds=2").statusCode()).isEqualTo(200);

      assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(503);
      assertThat(service.status(SampleServiceDefaults.LIVENESS_PATH)).isEqualTo(200);
      assertThat(service.get("/items/1").statusCode()).as("still serving").isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> service.status(SampleServiceDefaults.READINESS_PATH) == 200);
      assertThat(service.get("/fault/unready?seconds=-1").statusCode()).isEqualTo(400);
    }
  }
}
