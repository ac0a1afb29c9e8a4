package dev.operated.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.operated.sample.FakeCollector.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spans reach an OTLP receiver; the incoming traceparent is kept; logs carry the same ids. */
class TracingIT {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";
  private static final String PANIC_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String OTHER_TRACE_ID = "1bf7651916cd43dd8448eb211c80319d";

  @Test
  void spansOfARequestReachTheCollectorWithTheIncomingTraceContextAndTheLogsCarryTheIds() {
    try (FakeCollector collector = new FakeCollector();
        ServiceProcess service = ServiceProcess.startReady(Map.of(
            "SAMPLE_FAULTS_ENABLED", "true",
            "LOG_LEVEL", "DEBUG",
            "OTEL_TRACES_EXPORTER", "otlp",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
            "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
            "OTEL_BSP_SCHEDULE_DELAY", "100",
            "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test"))) {

      HttpResponse<String> response = service.send(service.request("/items/42")
          .header("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01")
          .header("baggage", "tenant=acme").GET().build());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("{\"id\":\"42\",\"name\":\"item-42\",\"stock\":94}");

      await().atMost(Duration.ofSeconds(10))
          .until(() -> !spansOf(collector, TRACE_ID).isEmpty());
      // one span per request: the in-process inventory lookup is recorded on it, not a span of
      // its own (Inventory)
      List<ReceivedSpan> spans = spansOf(collector, TRACE_ID);
      assertThat(spans).hasSize(1);
      ReceivedSpan server = spans.get(0);
      assertThat(server.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);

      assertThat(server.name()).isEqualTo("GET /items/{id}");
      assertThat(server.parentSpanId()).isEqualTo(PARENT_SPAN_ID);
      assertThat(server.attribute("http.route").orElseThrow().getStringValue())
          .isEqualTo("/items/{id}");
      assertThat(server.attribute("http.request.method").orElseThrow().getStringValue())
          .isEqualTo("GET");
      assertThat(server.attribute("url.path").orElseThrow().getStringValue())
          .isEqualTo("/items/42");
      assertThat(server.attribute("http.response.status_code").orElseThrow().getIntValue())
          .isEqualTo(200);
      assertThat(server.resourceAttribute("service.name").orElseThrow().getStringValue())
          .isEqualTo("sample-service");
      assertThat(server.resourceAttribute("deployment.environment.name").orElseThrow()
          .getStringValue()).isEqualTo("test");

      assertThat(server.attribute("app.item.id").orElseThrow().getStringValue()).isEqualTo("42");
      assertThat(server.attribute("app.item.found").orElseThrow().getBoolValue()).isTrue();

      JsonNode lookup = service.events("item_lookup").stream()
          .filter(event -> event.path("item.id").asText().equals("42")).findFirst().orElseThrow();
      assertThat(lookup.path("trace_id").asText()).isEqualTo(TRACE_ID);
      assertThat(lookup.path("span_id").asText()).isEqualTo(server.spanId());
      // the downstream call carries the trace and the caller's baggage on (W3C Baggage)
      JsonNode call = service.events("inventory_call").stream()
          .filter(event -> event.path("trace_id").asText().equals(TRACE_ID)).findFirst()
          .orElseThrow();
      assertThat(call.path("propagated").asText()).isEqualTo("baggage,traceparent");

      // a method the conventions do not know names no span: "_OTHER", the original beside it
      service.send(service.request("/items/42").header("traceparent", "00-" + OTHER_TRACE_ID
          + "-" + PARENT_SPAN_ID + "-01").method("FROB", HttpRequest.BodyPublishers.noBody())
          .build());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> !spansOf(collector, OTHER_TRACE_ID).isEmpty());
      ReceivedSpan other = spansOf(collector, OTHER_TRACE_ID).get(0);
      assertThat(other.name()).isEqualTo("HTTP");
      assertThat(other.attribute("http.request.method").orElseThrow().getStringValue())
          .isEqualTo("_OTHER");
      assertThat(other.attribute("http.request.method_original").orElseThrow().getStringValue())
          .isEqualTo("FROB");

      // probes and scrapes are not traced
      service.get(SampleServiceDefaults.METRICS_PATH);
      service.get(SampleServiceDefaults.LIVENESS_PATH);
      assertThat(collector.spans()).noneSatisfy(span -> assertThat(span.name())
          .containsAnyOf("/readyz", "/livez", "/metrics"));
    }
  }

  @Test
  void aPanickingRequestHasAnErrorSpanAndItsPanicEventCarriesTheTraceId() {
    try (FakeCollector collector = new FakeCollector();
        ServiceProcess service = ServiceProcess.startReady(Map.of(
            "SAMPLE_FAULTS_ENABLED", "true",
            "OTEL_TRACES_EXPORTER", "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
            "OTEL_BSP_SCHEDULE_DELAY", "100"))) {

      HttpResponse<String> response = service.send(service.request("/fault/panic")
          .header("traceparent", "00-" + PANIC_TRACE_ID + "-" + PARENT_SPAN_ID + "-01")
          .GET().build());
      assertThat(response.statusCode()).isEqualTo(500);

      await().atMost(Duration.ofSeconds(10))
          .until(() -> !spansOf(collector, PANIC_TRACE_ID).isEmpty());
      ReceivedSpan server = spansOf(collector, PANIC_TRACE_ID).get(0);
      assertThat(server.name()).isEqualTo("GET /fault/panic");
      assertThat(server.span().getStatus().getCode()).isEqualTo(StatusCode.STATUS_CODE_ERROR);
      assertThat(server.attribute("http.response.status_code").orElseThrow().getIntValue())
          .isEqualTo(500);
      assertThat(server.span().getEventsList()).anySatisfy(event -> {
        assertThat(event.getName()).isEqualTo("exception");
        assertThat(event.getAttributesList()).anySatisfy(kv -> {
          assertThat(kv.getKey()).isEqualTo("exception.type");
          assertThat(kv.getValue().getStringValue()).isEqualTo("java.lang.IllegalStateException");
        });
      });

      JsonNode panic = service.events("panic").get(0);
      assertThat(panic.path("trace_id").asText()).isEqualTo(PANIC_TRACE_ID);
      assertThat(panic.path("span_id").asText()).isEqualTo(server.spanId());
    }
  }

  private static List<ReceivedSpan> spansOf(FakeCollector collector, String traceId) {
    return collector.spans().stream().filter(span -> span.traceId().equals(traceId)).toList();
  }
}
