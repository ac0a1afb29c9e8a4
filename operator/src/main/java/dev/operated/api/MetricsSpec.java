package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetricsSpec(
    @Default(ContractDefaults.METRICS_PATH)
    @Pattern(ApiPatterns.HTTP_PATH)
    @JsonPropertyDescription("Path of the Prometheus exposition. Defaults to /metrics.")
    String path,

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port of the metrics endpoint, when not the service port.")
    Integer port,

    @Default("auto")
    @JsonPropertyDescription("How Prometheus finds the endpoint: auto (a ServiceMonitor when the "
        + "Prometheus Operator is installed, prometheus.io annotations otherwise), "
        + "serviceMonitor, annotations, or none. Defaults to auto.")
    ScrapeMode scrape) {

  public MetricsSpec {
    path = path == null ? ContractDefaults.METRICS_PATH : path;
    scrape = scrape == null ? ScrapeMode.AUTO : scrape;
  }

  public static MetricsSpec defaults() {
    return new MetricsSpec(null, null, null);
  }
}
