package dev.operated.runtime;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK, configured by autoconfigure from the standard OTEL_* variables. Unlike
 * a workload, the operator exports nothing unless OTEL_TRACES_EXPORTER says so: a cluster
 * without a collector must not fill the logs with export failures. Spans are still created, so
 * logs carry trace_id/span_id either way.
 */
public final class Tracing implements AutoCloseable {

  public static final String INSTRUMENTATION_SCOPE = "dev.operated.operator";

  /** Lower priority than the environment and system properties. */
  static final Map<String, String> DEFAULTS = Map.of(
      "otel.service.name", "operated-operator",
      "otel.traces.exporter", "none",
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none",
      "otel.exporter.otlp.protocol", "http/protobuf",
      "otel.exporter.otlp.timeout", "3000",
      "otel.bsp.max.queue.size", "2048");

  private final OpenTelemetrySdk sdk;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  public static Tracing fromEnvironment() {
    return new Tracing(AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> DEFAULTS)
        // flushed by the operator's own shutdown, after the reconcilers stopped
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk());
  }

  public Tracer tracer() {
    return sdk.getTracer(INSTRUMENTATION_SCOPE,
        Tracing.class.getPackage().getImplementationVersion());
  }

  /** Exports what is queued and stops, waiting at most {@code timeout}. */
  public boolean shutdown(Duration timeout) {
    return sdk.shutdown().join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)
        .isSuccess();
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}
