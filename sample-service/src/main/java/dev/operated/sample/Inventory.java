package dev.operated.sample;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for a downstream inventory service, answered in process. Each lookup injects the
 * trace context and the caller's baggage into the headers a real call would send (the contract:
 * the incoming trace is propagated on outgoing calls), logs their names at DEBUG
 * ({@code inventory_call}), and records what it found on the request's SERVER span.
 *
 * <p>It opens no CLIENT span of its own: no call leaves the process, so such a span would time
 * nothing, and with every request traced it was half of all the spans the service exported
 * (docs/benchmarks.md, "sample-service: the contract's cost"). A service whose downstream call
 * is real gets its CLIENT span from its HTTP client's instrumentation.
 */
final class Inventory {

  /** Ids 1..MAX_ID exist; any other well-formed id is "not found". */
  static final int MAX_ID = 9_999;
  static final AttributeKey<String> ITEM_ID = AttributeKey.stringKey("app.item.id");
  static final AttributeKey<Boolean> ITEM_FOUND = AttributeKey.booleanKey("app.item.found");

  record Item(String id, String name, int stock) {
  }

  private static final Logger LOG = LoggerFactory.getLogger(Inventory.class);

  private final TextMapPropagator propagator;

  Inventory(TextMapPropagator propagator) {
    this.propagator = propagator;
  }

  Optional<Item> lookup(String id) {
    Map<String, String> headers = outgoingHeaders(); // what a real call would send; none is sent
    if (LOG.isDebugEnabled()) { // on every request: nothing built unless it is written
      LOG.atDebug().addKeyValue("event", "inventory_call")
          .addKeyValue("propagated", String.join(",", new TreeSet<>(headers.keySet())))
          .log("inventory call for item {}", id);
    }
    Optional<Item> item = find(id);
    Span.current().setAttribute(ITEM_ID, id).setAttribute(ITEM_FOUND, item.isPresent());
    return item;
  }

  /** The headers of a call to the inventory made now: the current trace context, injected. */
  Map<String, String> outgoingHeaders() {
    Map<String, String> headers = new HashMap<>();
    propagator.inject(Context.current(), headers, Map::put);
    return headers;
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
