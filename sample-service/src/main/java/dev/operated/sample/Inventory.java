package dev.operated.sample;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A stand-in for a downstream inventory service. Each lookup is a CLIENT span, child of the
 * request's span, and injects the trace context into the headers a real call would send: the
 * shape of a real client call, without a second process.
 */
final class Inventory {

  /** Ids 1..MAX_ID exist; any other well-formed id is "not found". */
  static final int MAX_ID = 9_999;
  private static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<String> ITEM_ID = AttributeKey.stringKey("app.item.id");
  private static final AttributeKey<Boolean> ITEM_FOUND = AttributeKey.booleanKey("app.item.found");

  record Item(String id, String name, int stock) {
  }

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  Inventory(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  Optional<Item> lookup(String id) {
    Span span = tracer.spanBuilder("inventory lookup")
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(PEER_SERVICE, "inventory")
        .setAttribute(SERVER_ADDRESS, "inventory.internal")
        .setAttribute(ITEM_ID, id)
        .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      Map<String, String> outgoingHeaders = new HashMap<>();
      propagator.inject(Context.current(), outgoingHeaders, Map::put);
      Optional<Item> item = find(id);
      span.setAttribute(ITEM_FOUND, item.isPresent());
      return item;
    } finally {
      span.end();
    }
  }

  private static Optional<Item> find(String id) {
    int number;
    try {
      number = Integer.parseInt(id);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (number < 1 || number > MAX_ID) {
      return Optional.empty();
    }
    return Optional.of(new Item(id, "item-" + number, (number * 7) % 100));
  }
}
