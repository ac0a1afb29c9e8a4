package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Map;

/**
 * What a service owner says about their service, and nothing they should not have to. Every
 * omitted field takes the contract's default, here exactly as the API server's defaulting does.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperatedServiceSpec(
    @Required
    @Pattern(ApiPatterns.NO_WHITESPACE)
    @Size(min = 1, max = 512)
    @JsonPropertyDescription("Container image of the service, with a tag or a digest "
        + "(e.g. ghcr.io/acme/orders:1.4.2). The tag becomes service.version in telemetry.")
    String image,

    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Number of pods. Leave unset when a HorizontalPodAutoscaler "
        + "scales the Deployment: the operator then never writes replicas.")
    Integer replicas,

    @Default(ContractDefaults.PORT_TEXT)
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("The port the service listens on (named 'http' on the pod and "
        + "the Service). Defaults to 8080.")
    Integer port,

    @Size(max = 256)
    @JsonPropertyDescription("Environment variables for the service container, passed through "
        + "as written. Variables set here are never overwritten by the operator's wiring.")
    List<EnvVar> env,

    @JsonPropertyDescription("CPU and memory requests and limits of the service container.")
    ResourceRequirements resources,

    @JsonPropertyDescription("Health endpoints the kubelet probes.")
    HealthSpec health,

    @JsonPropertyDescription("Prometheus metrics endpoint and how it is scraped.")
    MetricsSpec metrics,

    @JsonPropertyDescription("Where the service's OpenTelemetry data goes.")
    TelemetrySpec telemetry,

    @JsonPropertyDescription("The termination budget: drain, the app's shutdown, grace period.")
    ShutdownSpec shutdown,

    @Default("auto")
    @JsonPropertyDescription("Service mesh the pod runs in: auto (read the namespace's and pod's "
        + "injection labels), istio, linkerd or none. Defaults to auto.")
    MeshMode mesh,

    @JsonPropertyDescription("Extra labels for the pods (e.g. sidecar.istio.io/inject). The "
        + "selector labels the operator sets cannot be overridden.")
    Map<String, String> podLabels,

    @JsonPropertyDescription("Extra annotations for the pods (e.g. proxy.istio.io/config, "
        + "merged key by key with what the operator derives).")
    Map<String, String> podAnnotations) {

  public OperatedServiceSpec {
    port = port == null ? ContractDefaults.PORT : port;
    env = env == null ? List.of() : List.copyOf(env);
    health = health == null ? HealthSpec.defaults() : health;
    metrics = metrics == null ? MetricsSpec.defaults() : metrics;
    telemetry = telemetry == null ? TelemetrySpec.defaults() : telemetry;
    shutdown = shutdown == null ? ShutdownSpec.defaults() : shutdown;
    mesh = mesh == null ? MeshMode.AUTO : mesh;
    podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
    podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
  }

  /** This spec with another env list (a copy; records are values). */
  public OperatedServiceSpec withEnv(List<EnvVar> newEnv) {
    return new OperatedServiceSpec(image, replicas, port, newEnv, resources, health, metrics,
        telemetry, shutdown, mesh, podLabels, podAnnotations);
  }

  public OperatedServiceSpec withReplicas(Integer newReplicas) {
    return new OperatedServiceSpec(image, newReplicas, port, env, resources, health, metrics,
        telemetry, shutdown, mesh, podLabels, podAnnotations);
  }

  public OperatedServiceSpec withImage(String newImage) {
    return new OperatedServiceSpec(newImage, replicas, port, env, resources, health, metrics,
        telemetry, shutdown, mesh, podLabels, podAnnotations);
  }

  public OperatedServiceSpec withTelemetry(TelemetrySpec newTelemetry) {
    return new OperatedServiceSpec(image, replicas, port, env, resources, health, metrics,
        newTelemetry, shutdown, mesh, podLabels, podAnnotations);
  }

  public OperatedServiceSpec withShutdown(ShutdownSpec newShutdown) {
    return new OperatedServiceSpec(image, replicas, port, env, resources, health, metrics,
        telemetry, newShutdown, mesh, podLabels, podAnnotations);
  }

  /** The smallest valid spec: an image, everything else defaulted. */
  public static OperatedServiceSpec ofImage(String image) {
    return new OperatedServiceSpec(image, null, null, null, null, null, null, null, null, null,
        null, null);
  }
}
