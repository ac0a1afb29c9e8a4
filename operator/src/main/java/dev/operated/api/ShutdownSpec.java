package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.terminationGracePeriodSeconds) "
    + "|| self.terminationGracePeriodSeconds >= self.drainSeconds + self.timeoutSeconds",
    messageExpression = "'terminationGracePeriodSeconds (' + string(self.terminationGracePeriodSeconds)"
        + " + ') must cover drainSeconds + timeoutSeconds (' + string(self.drainSeconds) + ' + '"
        + " + string(self.timeoutSeconds) + ' = ' + string(self.drainSeconds + self.timeoutSeconds)"
        + " + '): raise it or remove it and let the operator compute it'",
    reason = "FieldValueInvalid", fieldPath = ".terminationGracePeriodSeconds")
public record ShutdownSpec(
    @Default(ContractDefaults.DRAIN_SECONDS_TEXT)
    @Min(0)
    @Max(300)
    @JsonPropertyDescription("Seconds the pod keeps serving after it starts terminating, while "
        + "endpoint removal reaches every proxy. 0 turns the drain off. Defaults to 5.")
    Integer drainSeconds,

    @Default(ContractDefaults.SHUTDOWN_TIMEOUT_SECONDS_TEXT)
    @Min(0)
    @Max(3600)
    @JsonPropertyDescription("Seconds the app needs after SIGTERM (and the drain) to finish "
        + "in-flight work and flush telemetry. Defaults to 10.")
    Integer timeoutSeconds,

    @Min(1)
    @Max(7200)
    @JsonPropertyDescription("Explicit pod grace period. Leave unset: the operator computes "
        + "drain + shutdown + sidecar flush + margin. A value that does not cover that is refused.")
    Long terminationGracePeriodSeconds,

    @Default("false")
    @JsonPropertyDescription("Set true only if the image has /bin/sh: on clusters before 1.30, "
        + "which lack the kubelet sleep hook, the drain then runs as an exec preStop instead of "
        + "inside the app. Defaults to false (distroless-safe).")
    Boolean imageHasShell) {

  public ShutdownSpec {
    drainSeconds = drainSeconds == null ? ContractDefaults.DRAIN_SECONDS : drainSeconds;
    timeoutSeconds = timeoutSeconds == null ? ContractDefaults.SHUTDOWN_TIMEOUT_SECONDS
        : timeoutSeconds;
    imageHasShell = imageHasShell != null && imageHasShell;
  }

  public static ShutdownSpec defaults() {
    return new ShutdownSpec(null, null, null, null);
  }
}
