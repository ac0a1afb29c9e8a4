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
   * <p>The queue is sixteen times the SDK's 2048 and the batch four times its 512. With every
   * request traced at 20,000 to 28,000 requests/s on two cores, 8,192 spans in batches of 512
   * still overflowed: the one export thread sent 40 to 50 requests a second and fell behind, 10 %
   * of spans dropped. Batches of 2048 take a quarter of the exports and their CPU, and 32,768
   * spans hold the rest of a stall: none dropped, and 12 % less CPU per request (measured on a
   * quiet machine, docs/benchmarks.md). A full queue is about 32 MiB of heap.
   */
  static final Map<String, String> DEFAULTS = Map.of(
      "otel.service.name", SERVICE_NAME,
      "otel.exporter.otlp.protocol", "http/protobuf",
      "otel.exporter.otlp.timeout", "3000",
      "otel.bsp.max.queue.size", "32768",
      "otel.bsp.max.export.batch.size", "2048",
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
