package dev.operated.sample;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK, configured by autoconfigure from the standard OTEL_* environment variables
 * (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL,
 * OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, OTEL_SDK_DISABLED, ...). The defaults below only
 * apply when the environment says nothing; they keep a collector that is down harmless.
 */
final class Telemetry {

  static final String SERVICE_NAME = "sample-service";
  static final String INSTRUMENTATION_SCOPE = "dev.operated.sample";

  /**
   * Lower priority than the environment and system properties. Spans are batched in a bounded
   * queue (full queue: new spans are dropped, requests never wait) and exported by one background
   * thread; every export is bounded by the exporter timeout, and the exporter's retries are
   * bounded too (a few attempts with backoff, within that timeout). Metrics are scraped from the
   * Prometheus endpoint and logs go to stdout, so neither is pushed over OTLP unless asked for.
   *
   * <p>The queue is four times the SDK's 2048: with every request traced, 2048 spans are a few
   * hundredths of a second of them, and the one export thread, starved of CPU on a busy node for
   * longer than that, dropped spans (measured in docs/benchmarks.md). A full queue is about 8 MiB
   * of heap. The batch stays the SDK's 512: batches of 2048 were not measurably cheaper and lost
   * more spans on a starved node, where a failed export loses its whole batch.
   */
  static final Map<String, String> DEFAULTS = Map.of(
      "otel.service.name", SERVICE_NAME,
      "otel.exporter.otlp.protocol", "http/protobuf",
      "otel.exporter.otlp.timeout", "3000",
      "otel.bsp.max.queue.size", "8192",
      "otel.bsp.export.timeout", "5000",
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none");

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Telemetry(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracer = sdk.getTracer(INSTRUMENTATION_SCOPE,
        SampleService.class.getPackage().getImplementationVersion());
  }

  static Telemetry fromEnvironment() {
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> DEFAULTS)
        // the service decides when to flush and shut down (after the drain), not a JVM hook
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new Telemetry(sdk);
  }

  OpenTelemetry openTelemetry() {
    return sdk;
  }

  Tracer tracer() {
    return tracer;
  }

  TextMapPropagator propagator() {
    return sdk.getPropagators().getTextMapPropagator();
  }

  /** Starts exporting what is queued; does not wait. */
  CompletableResultCode flush() {
    return CompletableResultCode.ofAll(List.of(
        sdk.getSdkTracerProvider().forceFlush(),
        sdk.getSdkMeterProvider().forceFlush(),
        sdk.getSdkLoggerProvider().forceFlush()));
  }

  /** Flushes everything queued and stops the exporters, waiting at most {@code timeout}. */
  boolean shutdown(Duration timeout) {
    return sdk.shutdown().join(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS).isSuccess();
  }
}
