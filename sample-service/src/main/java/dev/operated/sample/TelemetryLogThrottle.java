package dev.operated.sample;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Rate-limits what the telemetry SDK and its HTTP client log (through JUL, bridged to SLF4J): a
 * collector that is down must not flood the service's logs. Per logger, at most {@code limit}
 * events per window pass; when a window ends with events suppressed, one line says how many.
 */
final class TelemetryLogThrottle extends TurboFilter {

  static final int DEFAULT_LIMIT = 2;
  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  private static final String[] THROTTLED_PREFIXES = {"io.opentelemetry.", "okhttp3."};
  private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(TelemetryLogThrottle.class);

  private final int limit;
  private final long windowNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  TelemetryLogThrottle() {
    this(DEFAULT_LIMIT, DEFAULT_WINDOW, System::nanoTime);
  }

  TelemetryLogThrottle(int limit, Duration window, LongSupplier nanoClock) {
    this.limit = limit;
    this.windowNanos = window.toNanos();
    this.nanoClock = nanoClock;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format,
      Object[] params, Throwable t) {
    // format == null: an isXxxEnabled() check, not an event; nothing to count
    if (format == null || !throttled(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    Window window = windows.computeIfAbsent(logger.getName(), name -> new Window());
    long suppressedBefore;
    boolean pass;
    synchronized (window) {
      long now = nanoClock.getAsLong();
      suppressedBefore = 0;
      if (now - window.start >= windowNanos || window.start == Long.MIN_VALUE) {
        suppressedBefore = window.suppressed;
        window.start = now;
        window.passed = 0;
        window.suppressed = 0;
      }
      pass = window.passed < limit;
      if (pass) {
        window.passed++;
      } else {
        window.suppressed++;
      }
    }
    if (suppressedBefore > 0) {
      LOG.atWarn().addKeyValue("event", "log_events_suppressed")
          .addKeyValue("suppressed.logger", logger.getName())
          .addKeyValue("suppressed.count", suppressedBefore)
          .log("suppressed {} log events of {} in the last {}s (at most {} per window)",
              suppressedBefore, logger.getName(), windowNanos / 1_000_000_000L, limit);
    }
    return pass ? FilterReply.NEUTRAL : FilterReply.DENY;
  }

  private static boolean throttled(String name) {
    for (String prefix : THROTTLED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static final class Window {
    long start = Long.MIN_VALUE;
    int passed;
    long suppressed;
  }
}
