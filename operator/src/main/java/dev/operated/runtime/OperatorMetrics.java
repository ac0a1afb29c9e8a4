package dev.operated.runtime;

import dev.operated.status.ServiceSignals;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;

/**
 * The operator's Prometheus registry: JOSDK's reconcile metrics plus JVM and process metrics.
 * JOSDK labels by controller, event and outcome; labels by resource name (one series per
 * OperatedService, never removed) only when asked for. {@link OperatorSignals} and
 * {@link ServiceSignals} add what the shipped alerts and dashboards read (docs/monitoring.md).
 */
public final class OperatorMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final OperatorSignals josdkMetrics;

  public OperatorMetrics(boolean perResource) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("application", "operated");
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Metrics micrometer = perResource
        ? MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build()
        : MicrometerMetrics.withoutPerResourceMetrics(registry);
    josdkMetrics = new OperatorSignals(micrometer, registry,
        new ServiceSignals(registry, Instant.now()));
  }

  /** What JOSDK reports reconciles to. */
  public OperatorSignals josdkMetrics() {
    return josdkMetrics;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition, for /metrics. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
