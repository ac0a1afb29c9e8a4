package dev.operated.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A lookup propagates the request's trace and records its outcome on the request's span. */
class InventoryTest {

  private final Inventory inventory = new Inventory(W3CTraceContextPropagator.getInstance());

  @Test
  void theOutgoingCallCarriesTheRequestSpanAsItsParent() {
    try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
      Span server = tracing.get("test").spanBuilder("GET /items/{id}")
          .setSpanKind(SpanKind.SERVER).startSpan();
      try (Scope ignored = server.makeCurrent()) {
        Map<String, String> headers = inventory.outgoingHeaders();

        var context = server.getSpanContext();
        assertThat(headers).containsEntry("traceparent", "00-" + context.getTraceId() + "-"
            + context.getSpanId() + "-" + context.getTraceFlags().asHex());
        assertThat(context.isSampled()).isTrue();
      } finally {
        server.end();
      }
    }
  }

  @Test
  void aLookupRecordsTheItemAndWhetherItWasFoundOnTheRequestSpan() {
    try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
      Span found = tracing.get("test").spanBuilder("found").startSpan();
      try (Scope ignored = found.makeCurrent()) {
        assertThat(inventory.lookup("42")).contains(new Inventory.Item("42", "item-42", 94));
      } finally {
        found.end();
      }
      Span missing = tracing.get("test").spanBuilder("missing").startSpan();
      try (Scope ignored = missing.makeCurrent()) {
        assertThat(inventory.lookup("10000")).isEmpty();
      } finally {
        missing.end();
      }

      assertThat(((ReadableSpan) found).getAttribute(Inventory.ITEM_ID)).isEqualTo("42");
      assertThat(((ReadableSpan) found).getAttribute(Inventory.ITEM_FOUND)).isTrue();
      assertThat(((ReadableSpan) missing).getAttribute(Inventory.ITEM_ID)).isEqualTo("10000");
      assertThat(((ReadableSpan) missing).getAttribute(Inventory.ITEM_FOUND)).isFalse();
    }
  }

  @Test
  void withoutATraceNothingIsInjected() {
    assertThat(inventory.outgoingHeaders()).isEmpty();
    assertThat(inventory.lookup("7")).isPresent();
  }
}
