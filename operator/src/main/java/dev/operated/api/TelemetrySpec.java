package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode != 'endpoint' || has(self.endpoint)",
    message = "endpoint is required when mode is endpoint: set telemetry.endpoint to the "
        + "collector's URL, e.g. http://otel-collector.observability:4318",
    reason = "FieldValueRequired", fieldPath = ".endpoint")
@ValidationRule(value = "!has(self.endpoint) || self.mode == 'endpoint' || self.mode == 'sidecar'",
    message = "endpoint is only used when mode is endpoint or sidecar (the sidecar's gateway): "
        + "remove it or change the mode",
    reason = "FieldValueForbidden", fieldPath = ".endpoint")
public record TelemetrySpec(
    @Default("none")
    @JsonPropertyDescription("none (the SDK is told not to export), endpoint (a collector or "
        + "gateway URL), node (the node's agent at the host IP) or sidecar (an OpenTelemetry "
        + "Collector next to the app). Defaults to none.")
    TelemetryMode mode,

    @Pattern(ApiPatterns.OTLP_ENDPOINT)
    @Size(max = 2048)
    @JsonPropertyDescription("OTLP URL with scheme: the collector in endpoint mode, the gateway "
        + "the sidecar exports to in sidecar mode (defaults to the operator's configured gateway).")
    String endpoint,

    @Default("http/protobuf")
    @JsonPropertyDescription("OTLP protocol: http/protobuf (port 4318) or grpc (port 4317). "
        + "Defaults to http/protobuf.")
    OtlpProtocol protocol,

    @Default("1.0")
    @Min(0)
    @Max(1)
    @JsonPropertyDescription("Fraction of traces sampled, parent-based (0 to 1). Defaults to 1.")
    Double samplingRatio,

    @JsonPropertyDescription("Per-service overrides of the collector sidecar (mode sidecar).")
    CollectorSpec collector) {

  public TelemetrySpec {
    mode = mode == null ? TelemetryMode.NONE : mode;
    protocol = protocol == null ? OtlpProtocol.HTTP_PROTOBUF : protocol;
    samplingRatio = samplingRatio == null ? 1.0 : samplingRatio;
  }

  public static TelemetrySpec defaults() {
    return new TelemetrySpec(null, null, null, null, null);
  }
}
