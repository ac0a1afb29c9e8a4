package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.livenessPath != self.readinessPath",
    message = "livenessPath and readinessPath must differ: liveness must never check "
        + "dependencies, readiness may; give each its own endpoint (defaults /livez and /readyz)",
    reason = "FieldValueInvalid", fieldPath = ".readinessPath")
public record HealthSpec(
    @Default(ContractDefaults.LIVENESS_PATH)
    @Pattern(ApiPatterns.PROBE_PATH)
    @JsonPropertyDescription("Path that answers 200 while the process can make progress. "
        + "Defaults to /livez.")
    String livenessPath,

    @Default(ContractDefaults.READINESS_PATH)
    @Pattern(ApiPatterns.PROBE_PATH)
    @JsonPropertyDescription("Path that answers 200 only while the service can take traffic "
        + "(503 before startup finished and after SIGTERM). Defaults to /readyz.")
    String readinessPath,

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port of the health endpoints, when not the service port.")
    Integer port,

    @Default(ContractDefaults.STARTUP_SECONDS_TEXT)
    @Min(1)
    @Max(3600)
    @JsonPropertyDescription("Longest a start may take before liveness applies; the startup "
        + "probe covers it so a slow start is never killed. Defaults to 60.")
    Integer startupSeconds) {

  public HealthSpec {
    livenessPath = livenessPath == null ? ContractDefaults.LIVENESS_PATH : livenessPath;
    readinessPath = readinessPath == null ? ContractDefaults.READINESS_PATH : readinessPath;
    startupSeconds = startupSeconds == null ? ContractDefaults.STARTUP_SECONDS : startupSeconds;
  }

  public static HealthSpec defaults() {
    return new HealthSpec(null, null, null, null);
  }
}
