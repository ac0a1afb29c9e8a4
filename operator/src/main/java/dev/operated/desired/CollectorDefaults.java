package dev.operated.desired;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The operator's settings for collector sidecars; a CR's spec.telemetry overrides them.
 *
 * @param gateway           where sidecars export (OTLP gRPC) when a CR names no endpoint
 * @param flushSeconds      how long a collector needs after SIGTERM to flush its batches
 * @param sleepHelperImage  a static busybox, copied into the pod on clusters without native
 *                          sidecars so the shell-less collector image can sleep in its preStop
 */
public record CollectorDefaults(String image, ResourceRequirements resources,
    Optional<String> gateway, int flushSeconds, String sleepHelperImage) {

  public static final String IMAGE = "otel/opentelemetry-collector-contrib:0.139.0";
  public static final String SLEEP_HELPER_IMAGE = "busybox:1.37.0-musl";
  /** The batch processor's default timeout is 200 ms; exports time out after 5 s. */
  public static final int FLUSH_SECONDS = 5;

  public CollectorDefaults {
    gateway = gateway == null ? Optional.empty() : gateway;
  }

  public static CollectorDefaults standard() {
    return new CollectorDefaults(IMAGE, new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("50m"))
        .addToRequests("memory", new Quantity("64Mi"))
        .addToLimits("memory", new Quantity("128Mi"))
        .build(), Optional.empty(), FLUSH_SECONDS, SLEEP_HELPER_IMAGE);
  }

  /** What a default gateway must be, as the run command and render both check it. */
  public static final String GATEWAY_FIX =
      "give a URL with scheme and host, e.g. http://otel-gateway.observability:4317";

  /** Whether {@code endpoint} can be a collector's gateway: an http(s) URL with a host. */
  public static boolean isGateway(String endpoint) {
    try {
      URI uri = new URI(endpoint);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  public CollectorDefaults withGateway(String endpoint) {
    return new CollectorDefaults(image, resources, Optional.ofNullable(endpoint), flushSeconds,
        sleepHelperImage);
  }
}
