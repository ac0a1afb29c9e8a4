package dev.operated.sample;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.Outcome;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Micrometer with the Prometheus registry: request timers plus JVM and process metrics. */
final class Metrics implements AutoCloseable {

  static final String OPENMETRICS_CONTENT_TYPE =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";
  static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** The le boundaries, besides the histogram's, that latency alerts and dashboards use. */
  static final Duration[] LATENCY_OBJECTIVES = {Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500)};
  /**
   * The methods of HTTP's semantic conventions, kept as they are in the method tag and the span;
   * any other is {@code _OTHER}, so a client cannot raise the cardinality.
   */
  static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
      "PATCH", "OPTIONS", "TRACE", "CONNECT");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(
      PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();

  Metrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * One observation of {@code http.server.requests}. {@code route} is the route template
   * ({@code /items/{id}}), or NOT_FOUND when no route matched: never the raw path, whose
   * cardinality a client controls.
   */
  void recordRequest(String method, String route, int status, String exception, long nanos) {
    String knownMethod = KNOWN_METHODS.contains(method) ? method : "_OTHER";
    requestTimers.computeIfAbsent(new RequestKey(knownMethod, route, status, exception),
        this::requestTimer).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The tags of one http.server.requests series; bounded, as each part is. */
  private record RequestKey(String method, String route, int status, String exception) {
  }

  /** Built once per series: a builder and a registry lookup on every request cost throughput. */
  private Timer requestTimer(RequestKey key) {
    return Timer.builder("http.server.requests")
        .description("HTTP server requests, by method, route template, status and outcome")
        .tags(Tags.of(
            Tag.of("method", key.method()),
            Tag.of("uri", key.route()),
            Tag.of("status", Integer.toString(key.status())),
            Tag.of("outcome", Outcome.forStatus(key.status()).name()),
            Tag.of("exception", key.exception())))
        .publishPercentileHistogram()
        // Boundaries a latency objective can name exactly (the chart's latency alert reads
        // le="0.5"); the percentile histogram's own boundaries are powers of two.
        .serviceLevelObjectives(LATENCY_OBJECTIVES)
        .register(registry);
  }

  /** The exposition in the format the scraper asked for (OpenMetrics or Prometheus text). */
  String contentType(String accept) {
    return accept != null && accept.contains("application/openmetrics-text")
        ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
  }

  String scrape(String contentType) {
    return registry.scrape(contentType);
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
