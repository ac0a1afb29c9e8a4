package dev.operated.playground.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stand-in's reading of OTLP, against what the OpenTelemetry SDK's exporter sends. */
class OtlpSpansTest {

  @Test
  void readsTheNameOfEverySpanTheSdksHttpExporterSends() throws Exception {
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 4);
    server.createContext("/v1/traces", exchange -> {
      bodies.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces")
            .build()))
        .build()) {
      Tracer tracer = provider.get("test");
      tracer.spanBuilder("GET /items/{id}").setAttribute("http.route", "/items/{id}")
          .startSpan().end();
      tracer.spanBuilder("ünïcode").startSpan().end();
      provider.forceFlush().join(10, TimeUnit.SECONDS);
    } finally {
      server.stop(0);
    }

    assertThat(bodies.stream().flatMap(body -> OtlpSpans.names(body).stream()))
        .containsExactlyInAnyOrder("GET /items/{id}", "ünïcode");
  }

  @Test
  void aTruncatedRequestIsRefusedNotMiscounted() {
    // resource_spans (field 1, length-delimited) announcing 5 bytes, with 1 there
    assertThatThrownBy(() -> OtlpSpans.names(new byte[] {0x0a, 0x05, 0x12}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
  }

  @Test
  void theProxyCountsARequestByTheFirstSegmentOfItsPath() {
    assertThat(MeshProxyStandIn.firstSegment("GET /items/7 HTTP/1.0\r\n".getBytes()))
        .isEqualTo("/items");
    assertThat(MeshProxyStandIn.firstSegment("GET /readyz?x=1 HTTP/1.1\r\n".getBytes()))
        .isEqualTo("/readyz");
    assertThat(MeshProxyStandIn.firstSegment("garbage".getBytes())).isEqualTo("?");
  }
}
