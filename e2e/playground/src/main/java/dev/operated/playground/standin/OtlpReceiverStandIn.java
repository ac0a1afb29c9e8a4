package dev.operated.playground.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import sun.misc.Signal;

/**
 * The collector sidecar's stand-in on the local node: a real OTLP receiver (HTTP/protobuf, the
 * protocol and port the operator wires the app to, {@code POST /v1/traces} on 4318) and the
 * collector's health_check extension on 13133, both on the pod's address. It counts the spans it
 * receives, by name, and prints them when it stops, so a test can compare them with the requests
 * the app served. It stops as the collector does on SIGTERM: no new exports, the ones in progress
 * answered, exit 0.
 */
public final class OtlpReceiverStandIn {

  public static final int OTLP_HTTP_PORT = 4318;
  public static final int HEALTH_PORT = 13133;
  /** The line a test reads: {@code otlp-receiver stopped: 12 spans in 3 exports}. */
  public static final String STOPPED = "otlp-receiver stopped: ";
  public static final String SPANS_NAMED = "otlp-receiver spans named ";

  private final Map<String, Integer> spansByName = new TreeMap<>();
  private final AtomicInteger exports = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  public static void main(String[] args) throws Exception {
    new OtlpReceiverStandIn().run(System.getenv().getOrDefault("BIND_ADDRESS", "127.0.0.1"));
  }

  private void run(String address) throws IOException, InterruptedException {
    ExecutorService workers = Executors.newFixedThreadPool(4);
    HttpServer otlp = HttpServer.create(new InetSocketAddress(address, OTLP_HTTP_PORT), 64);
    otlp.setExecutor(workers);
    otlp.createContext("/v1/traces", this::traces);
    // metrics and logs are not exported by the app; accepted and dropped if they are
    otlp.createContext("/v1/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      respond(exchange, 200);
    });
    HttpServer health = HttpServer.create(new InetSocketAddress(address, HEALTH_PORT), 16);
    health.createContext("/", exchange -> respond(exchange, stopping ? 503 : 200));
    Object done = new Object();
    Signal.handle(new Signal("TERM"), signal -> {
      synchronized (done) {
        stopping = true;
        done.notifyAll();
      }
    });
    otlp.start();
    health.start();
    System.out.println("otlp-receiver listening on " + address + ":" + OTLP_HTTP_PORT);
    synchronized (done) {
      while (!stopping) {
        done.wait();
      }
    }
    // the exports in progress are answered; the listening socket goes with stop
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    otlp.stop(0);
    health.stop(0);
    workers.shutdown();
    synchronized (spansByName) {
      int total = spansByName.values().stream().mapToInt(Integer::intValue).sum();
      System.out.println(STOPPED + total + " spans in " + exports.get() + " exports");
      spansByName.forEach((name, count) -> System.out.println(SPANS_NAMED + "\"" + name + "\": "
          + count));
    }
    System.out.flush();
    System.exit(0);
  }

  private void traces(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try {
      if (stopping) {
        exchange.getRequestBody().readAllBytes();
        respond(exchange, 503);
        return;
      }
      byte[] body;
      try (InputStream in = "gzip".equalsIgnoreCase(
          exchange.getRequestHeaders().getFirst("Content-Encoding"))
          ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      List<String> names;
      try {
        names = OtlpSpans.names(body);
      } catch (IllegalArgumentException e) {
        System.out.println("otlp-receiver refused an export: " + e.getMessage());
        respond(exchange, 400);
        return;
      }
      synchronized (spansByName) {
        names.forEach(name -> spansByName.merge(name, 1, Integer::sum));
      }
      System.out.println("otlp-receiver export " + exports.incrementAndGet() + ": "
          + names.size() + " spans");
      // an empty ExportTraceServiceResponse: everything accepted
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      respond(exchange, 200);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private static void respond(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }
}
