package dev.operated.desired;

import dev.operated.api.ContractDefaults;
import dev.operated.api.ImageReference;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.TelemetryMode;
import dev.operated.api.TelemetrySpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The app container's environment: the user's variables as written, plus the contract's budget
 * and the OpenTelemetry wiring. The user's variables are never overwritten, no name appears twice,
 * and every {@code $(VAR)} the operator writes refers to a variable declared before it.
 */
public final class AppEnvironment {

  public static final String APP_CONTAINER = "app";

  static final String POD_NAME = "OPERATED_POD_NAME";
  static final String POD_UID = "OPERATED_POD_UID";
  static final String NODE_NAME = "OPERATED_NODE_NAME";
  static final String HOST_IP = "OPERATED_HOST_IP";

  private AppEnvironment() {
  }

  /**
   * @param collectorEndpoint where the SDK exports in sidecar mode (the collector on localhost),
   *                          empty in the other modes
   */
  public static List<EnvVar> build(OperatedService resource, TerminationBudget budget,
      Optional<String> collectorEndpoint) {
    OperatedServiceSpec spec = resource.getSpec();
    TelemetrySpec telemetry = spec.telemetry();
    Map<String, EnvVar> user = new LinkedHashMap<>();
    spec.env().forEach(variable -> user.putIfAbsent(variable.getName(), variable));

    List<EnvVar> env = new ArrayList<>();
    // Downward-API values first: the resource attributes below refer to them.
    addUnlessSet(env, user, fieldRef(POD_NAME, "metadata.name"));
    addUnlessSet(env, user, fieldRef(POD_UID, "metadata.uid"));
    addUnlessSet(env, user, fieldRef(NODE_NAME, "spec.nodeName"));
    if (telemetry.mode() == TelemetryMode.NODE) {
      addUnlessSet(env, user, fieldRef(HOST_IP, "status.hostIP"));
    }

    String resourceAttributes = resourceAttributes(resource);
    for (EnvVar variable : spec.env()) {
      if (env.stream().anyMatch(e -> e.getName().equals(variable.getName()))) {
        continue;
      }
      if (variable.getName().equals("OTEL_RESOURCE_ATTRIBUTES") && variable.getValue() != null) {
        env.add(value(variable.getName(), mergeAttributes(resourceAttributes, variable.getValue())));
      } else {
        env.add(variable);
      }
    }

    addUnlessSet(env, user, value(ContractDefaults.ENV_DRAIN_SECONDS,
        Integer.toString(budget.appDrainSeconds())));
    addUnlessSet(env, user, value(ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS,
        Integer.toString(budget.appShutdownSeconds())));

    addUnlessSet(env, user, value("OTEL_SERVICE_NAME", resource.getMetadata().getName()));
    addUnlessSet(env, user, value("OTEL_RESOURCE_ATTRIBUTES", resourceAttributes));
    switch (telemetry.mode()) {
      case NONE -> {
        // Without these the SDK retries localhost:4318 for the life of the process.
        addUnlessSet(env, user, value("OTEL_TRACES_EXPORTER", "none"));
        addUnlessSet(env, user, value("OTEL_METRICS_EXPORTER", "none"));
        addUnlessSet(env, user, value("OTEL_LOGS_EXPORTER", "none"));
      }
      case ENDPOINT -> exportTo(env, user, telemetry, telemetry.endpoint());
      case NODE -> exportTo(env, user, telemetry, "http://$(" + HOST_IP + "):"
          + telemetry.protocol().standardPort());
      case SIDECAR -> exportTo(env, user, telemetry, collectorEndpoint.orElseThrow());
      default -> throw new IllegalStateException("unknown telemetry mode " + telemetry.mode());
    }
    return env;
  }

  private static void exportTo(List<EnvVar> env, Map<String, EnvVar> user, TelemetrySpec telemetry,
      String endpoint) {
    addUnlessSet(env, user, value("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint));
    addUnlessSet(env, user, value("OTEL_EXPORTER_OTLP_PROTOCOL", telemetry.protocol().value()));
    addUnlessSet(env, user, value("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"));
    addUnlessSet(env, user, value("OTEL_TRACES_SAMPLER_ARG",
        Double.toString(telemetry.samplingRatio())));
  }

  /** The k8s semantic-convention attributes of the pod, in the order the spec lists them. */
  static String resourceAttributes(OperatedService resource) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("k8s.namespace.name", resource.getMetadata().getNamespace());
    attributes.put("k8s.pod.name", "$(" + POD_NAME + ")");
    attributes.put("k8s.pod.uid", "$(" + POD_UID + ")");
    attributes.put("k8s.node.name", "$(" + NODE_NAME + ")");
    attributes.put("k8s.deployment.name", resource.getMetadata().getName());
    attributes.put("k8s.container.name", APP_CONTAINER);
    ImageReference.tag(resource.getSpec().image())
        .ifPresent(tag -> attributes.put("service.version", tag));
    return join(attributes);
  }

  /** The user's attributes win key by key; ours fill in what they did not say. */
  static String mergeAttributes(String ours, String theirs) {
    Map<String, String> merged = parse(ours);
    merged.putAll(parse(theirs));
    return join(merged);
  }

  private static Map<String, String> parse(String attributes) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String pair : attributes.split(",")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        parsed.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
      }
    }
    return parsed;
  }

  private static String join(Map<String, String> attributes) {
    StringBuilder joined = new StringBuilder();
    attributes.forEach((key, value) -> {
      if (value == null) {
        return;
      }
      if (!joined.isEmpty()) {
        joined.append(',');
      }
      joined.append(key).append('=').append(value);
    });
    return joined.toString();
  }

  private static void addUnlessSet(List<EnvVar> env, Map<String, EnvVar> user, EnvVar variable) {
    boolean present = user.containsKey(variable.getName())
        || env.stream().anyMatch(e -> e.getName().equals(variable.getName()));
    if (!present) {
      env.add(variable);
    }
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar fieldRef(String name, String fieldPath) {
    return new EnvVarBuilder().withName(name)
        .withNewValueFrom().withNewFieldRef().withFieldPath(fieldPath).endFieldRef().endValueFrom()
        .build();
  }
}
