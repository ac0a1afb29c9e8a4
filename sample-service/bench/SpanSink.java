import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The benchmark's OTLP/HTTP trace receiver: answers every POST /v1/traces with 200 like a healthy
 * collector, after counting the spans in it. Spans are counted per request path, so that services
 * exporting at once to /v1/traces/a and /v1/traces/b are told apart: GET /count/a answers
 * "spans exports bytes" received on /v1/traces/a since the last GET /reset (GET /count: on
 * /v1/traces). A single-file program (java SpanSink.java PORT) with no dependencies, so that the
 * sink costs little CPU next to the service it measures: the request is walked at the protobuf
 * wire level (ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2,
 * ScopeSpans.spans = 2) without building any message object.
 */
public final class SpanSink {

  private static final int LENGTH_DELIMITED = 2;
  private static final String TRACES = "/v1/traces";
  private static final String COUNT = "/count";

  /** spans, exports and bytes received on one path */
  record Counts(AtomicLong spans, AtomicLong exports, AtomicLong bytes) {
    Counts() {
      this(new AtomicLong(), new AtomicLong(), new AtomicLong());
    }
  }

  private static final Map<String, Counts> counts = new ConcurrentHashMap<>();

  public static void main(String[] args) throws IOException {
    // the response is small: without TCP_NODELAY it could wait for the exporter's delayed ACK
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(
        new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 64);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(TRACES, SpanSink::export);
    server.createContext(COUNT, exchange -> {
      String name = exchange.getRequestURI().getPath().substring(COUNT.length());
      Counts received = counts.getOrDefault(TRACES + name, new Counts());
      answer(exchange, received.spans().get() + " " + received.exports().get() + " "
          + received.bytes().get() + "\n");
    });
    server.createContext("/reset", exchange -> {
      counts.clear();
      answer(exchange, "0 0 0\n");
    });
    server.start();
  }

  private static void export(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    Counts received = counts.computeIfAbsent(exchange.getRequestURI().getPath(),
        path -> new Counts());
    received.bytes().addAndGet(body.length);
    if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        body = in.readAllBytes();
      }
    }
    long spans = 0;
    for (Field resourceSpans : fields(body, 0, body.length, 1)) {
      for (Field scopeSpans : fields(body, resourceSpans.start, resourceSpans.end, 2)) {
        spans += count(body, scopeSpans.start, scopeSpans.end, 2);
      }
    }
    received.spans().addAndGet(spans);
    received.exports().incrementAndGet();
    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
    exchange.close();
  }

  private static void answer(HttpExchange exchange, String text) throws IOException {
    byte[] out = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, out.length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(out);
    }
  }

  record Field(int start, int end) {
  }

  /** The length-delimited fields numbered {@code number} in buf[from, to). */
  private static java.util.List<Field> fields(byte[] buf, int from, int to, int number) {
    java.util.List<Field> found = new java.util.ArrayList<>();
    walk(buf, from, to, number, found);
    return found;
  }

  private static long count(byte[] buf, int from, int to, int number) {
    return walk(buf, from, to, number, null);
  }

  private static long walk(byte[] buf, int from, int to, int number, java.util.List<Field> found) {
    int[] pos = {from};
    long matches = 0;
    while (pos[0] < to) {
      long tag = varint(buf, pos);
      int wireType = (int) (tag & 7);
      switch (wireType) {
        case 0 -> varint(buf, pos);
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case LENGTH_DELIMITED -> {
          int length = (int) varint(buf, pos);
          if ((tag >>> 3) == number) {
            matches++;
            if (found != null) {
              found.add(new Field(pos[0], pos[0] + length));
            }
          }
          pos[0] += length;
        }
        default -> throw new IllegalArgumentException("unexpected wire type " + wireType);
      }
    }
    return matches;
  }

  private static long varint(byte[] buf, int[] pos) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = buf[pos[0]++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }
}
