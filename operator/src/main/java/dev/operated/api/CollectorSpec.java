package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record CollectorSpec(
    @Pattern(ApiPatterns.NO_WHITESPACE)
    @JsonPropertyDescription("OpenTelemetry Collector image; defaults to the operator's setting.")
    String image,

    @JsonPropertyDescription("Collector container resources; default to the operator's setting.")
    ResourceRequirements resources) {
}
