package dev.operated.sample;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The endpoints. Each returns a {@link Response}; the dispatcher does the rest. */
final class Handlers {

  /** The bound on {@code /fault/slow?ms=N}: a demo must not hold a worker forever. */
  static final int MAX_SLOW_MS = 30_000;
  static final int DEFAULT_SLOW_MS = 1_000;
  static final int DEFAULT_UNREADY_SECONDS = 30;
  static final int MAX_UNREADY_SECONDS = 3_600;
  private static final Pattern ITEM_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);

  private final Lifecycle lifecycle;
  private final Metrics metrics;
  private final Inventory inventory;
  private final AtomicInteger faultThreads = new AtomicInteger();

  Handlers(Lifecycle lifecycle, Metrics metrics, Inventory inventory) {
    this.lifecycle = lifecycle;
    this.metrics = metrics;
    this.inventory = inventory;
  }

  /** Every route; the fault routes only when faults are enabled (otherwise they are 404). */
  Router router(boolean faultsEnabled) {
    Router router = new Router()
        .add("GET", SampleServiceDefaults.LIVENESS_PATH, this::live, false)
        .add("GET", SampleServiceDefaults.READINESS_PATH, this::ready, false)
        .add("GET", SampleServiceDefaults.METRICS_PATH, this::metrics, false)
        .add("GET", "/items/{id}", this::item, true);
    if (faultsEnabled) {
      router.add("GET", "/fault/panic", this::panic, true)
          .add("GET", "/fault/background-panic", this::backgroundPanic, true)
          .add("GET", "/fault/slow", this::slow, true)
          .add("GET", "/fault/unready", this::unready, true)
          .add("GET", "/fault/fatal", this::fatal, true);
    }
    return router;
  }

  /** Answering at all is the proof of progress; dependencies are never checked here. */
  Response live(Request request) {
    return Response.json(200, Map.of("status", "live"));
  }

  Response ready(Request request) {
    Lifecycle.Phase phase = lifecycle.phase();
    return Response.json(phase == Lifecycle.Phase.READY ? 200 : 503,
        Map.of("status", phase.name().toLowerCase(Locale.ROOT)));
  }

  Response metrics(Request request) {
    String contentType = metrics.contentType(request.header("Accept"));
    return Response.text(200, contentType, metrics.scrape(contentType));
  }

  Response item(Request request) {
    String id = request.param("id");
    if (!ITEM_ID.matcher(id).matches()) {
      return Response.error(400, "item id must be 1 to 64 letters, digits, '-' or '_'");
    }
    Optional<Inventory.Item> item = inventory.lookup(id);
    LOG.atDebug().addKeyValue("event", "item_lookup").addKeyValue("item.id", id)
        .addKeyValue("item.found", item.isPresent()).log("item lookup");
    return item
        .map(found -> Response.json(200, found))
        .orElseGet(() -> Response.error(404, "item " + id + " not found"));
  }

  Response panic(Request request) {
    throw new IllegalStateException("simulated panic in a request handler (/fault/panic)");
  }

  Response backgroundPanic(Request request) {
    Thread thread = new Thread(() -> {
      throw new IllegalStateException("simulated panic in a background thread "
          + "(/fault/background-panic)");
    }, "fault-background-" + faultThreads.incrementAndGet());
    thread.start();
    return Response.json(202, Map.of("status", "background panic started",
        "thread", thread.getName()));
  }

  Response slow(Request request) throws InterruptedException {
    Optional<Integer> requested = wholeNumber(request, "ms", DEFAULT_SLOW_MS, MAX_SLOW_MS);
    if (requested.isEmpty()) {
      return Response.error(400, "ms must be a whole number from 0 to " + MAX_SLOW_MS);
    }
    int ms = requested.get();
    LOG.atInfo().addKeyValue("event", "fault_slow_started").addKeyValue("sleep.ms", ms)
        .log("fault: answering in {} ms", ms);
    Thread.sleep(ms);
    return Response.json(200, Map.of("slept_ms", ms));
  }

  /** Readiness 503 for {@code seconds} (default 30), liveness untouched. */
  Response unready(Request request) {
    Optional<Integer> requested = wholeNumber(request, "seconds", DEFAULT_UNREADY_SECONDS,
        MAX_UNREADY_SECONDS);
    if (requested.isEmpty()) {
      return Response.error(400, "seconds must be a whole number from 0 to "
          + MAX_UNREADY_SECONDS);
    }
    int seconds = requested.get();
    lifecycle.unreadyFor(Duration.ofSeconds(seconds));
    LOG.atInfo().addKeyValue("event", "fault_unready").addKeyValue("unready.seconds", seconds)
        .log("fault: readiness fails for {} s", seconds);
    return Response.json(200, Map.of("unready_seconds", seconds));
  }

  /**
   * Simulates an error the JVM cannot survive: an OutOfMemoryError in a thread of its own (a real
   * allocation failure would be slow to provoke and would take the test JVM's memory with it).
   */
  Response fatal(Request request) {
    Thread thread = new Thread(() -> {
      try {
        Thread.sleep(200); // let the 202 reach the caller first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new OutOfMemoryError("simulated fatal error (/fault/fatal): Java heap space");
    }, "fault-fatal");
    thread.start();
    return Response.json(202, Map.of("status", "fatal error started, the process will exit"));
  }

  /** The query parameter as a number from 0 to max, its default when absent, else empty. */
  private static Optional<Integer> wholeNumber(Request request, String name, int defaultValue,
      int max) {
    String value = request.query(name);
    if (value == null) {
      return Optional.of(defaultValue);
    }
    try {
      int number = Integer.parseInt(value);
      return number >= 0 && number <= max ? Optional.of(number) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
