package dev.operated.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP receiver on 127.0.0.1: POST /v1/traces, decoded with the official OpenTelemetry
 * proto classes, answered like a collector (200 and an empty ExportTraceServiceResponse).
 */
final class FakeCollector implements AutoCloseable {

  /** A received span with the resource it came with. */
  record ReceivedSpan(Span span, Resource resource) {
    String traceId() {
      return hex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return hex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return hex(span.getParentSpanId().toByteArray());
    }

    String name() {
      return span.getName();
    }

    Optional<AnyValue> attribute(String key) {
      return find(span.getAttributesList(), key);
    }

    Optional<AnyValue> resourceAttribute(String key) {
      return find(resource.getAttributesList(), key);
    }

    private static Optional<AnyValue> find(List<KeyValue> attributes, String key) {
      return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue)
          .findFirst();
    }
  }

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

  FakeCollector() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/v1/traces", this::traces);
    server.start();
  }

  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  private void traces(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      InputStream body = exchange.getRequestBody();
      if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        body = new GZIPInputStream(body);
      }
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
      for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
        for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
          for (Span span : scopeSpans.getSpansList()) {
            spans.add(new ReceivedSpan(span, resourceSpans.getResource()));
          }
        }
      }
      byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
      if (response.length > 0) {
        exchange.getResponseBody().write(response);
      }
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
