package dev.operated.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoints on one port: {@code /livez}, {@code /readyz} (JSON bodies with
 * the reasons) and {@code /metrics} (Prometheus text). Two threads: probes and scrapes are rare
 * and cheap, and a stuck scrape must not hold the probes back.
 */
public final class HealthServer implements AutoCloseable {

  public static final String LIVENESS_PATH = "/livez";
  public static final String READINESS_PATH = "/readyz";
  public static final String METRICS_PATH = "/metrics";

  /**
   * Seconds a client may take to send its request line and headers ({@code
   * sun.net.httpserver.maxReqTime}). The JDK's default is forever: two clients that stop
   * mid-request (a scrape speaking TLS to this plain port sends a ClientHello with no line end)
   * held both threads, and the kubelet's probes timed out until it restarted the operator. Five
   * seconds cost a probe at most one failure. A setting given on the command line wins; the JDK
   * reads it once, when its first server starts.
   */
  static final String MAX_REQUEST_SECONDS = "5";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;

  private HealthServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static HealthServer start(String bindAddress, int port, OperatorHealth health,
      Supplier<String> metrics) throws IOException {
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
    server.createContext(LIVENESS_PATH, exchange -> check(exchange, health.live()));
    server.createContext(READINESS_PATH, exchange -> check(exchange, health.ready()));
    server.createContext(METRICS_PATH, exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/", exchange -> respond(exchange, 404, "text/plain; charset=utf-8",
        "not found: try " + LIVENESS_PATH + ", " + READINESS_PATH + " or " + METRICS_PATH + "\n"));
    ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "operated-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.start();
    return new HealthServer(server, executor);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void check(HttpExchange exchange, OperatorHealth.Check check) throws IOException {
    String body;
    try {
      body = JSON.writeValueAsString(check.details()) + "\n";
    } catch (JsonProcessingException e) {
      body = "{}\n";
    }
    respond(exchange, check.ok() ? 200 : 503, "application/json", body);
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
