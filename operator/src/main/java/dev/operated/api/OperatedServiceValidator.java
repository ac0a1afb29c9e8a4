package dev.operated.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Checks what the CRD schema cannot say (and repeats the schema's cross-field rules, because an
 * operator must not trust that the installed CRD is the current one). Reports every problem at
 * once so a user fixes a manifest in one round trip.
 */
public final class OperatedServiceValidator {

  /** Labels the operator owns on every pod: the Deployment's immutable selector. */
  public static final Set<String> SELECTOR_LABEL_KEYS =
      Set.of("app.kubernetes.io/name", "app.kubernetes.io/instance");

  /** Names the operator sets from spec.shutdown; a user value would spend the drain twice. */
  private static final Set<String> OPERATOR_OWNED_ENV =
      Set.of(ContractDefaults.ENV_DRAIN_SECONDS, ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS);

  private static final String ISTIO_PROXY_CONFIG = "proxy.istio.io/config";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final java.util.regex.Pattern DNS_1035_LABEL =
      java.util.regex.Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern ENV_NAME =
      java.util.regex.Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  private static final java.util.regex.Pattern ENV_REFERENCE =
      java.util.regex.Pattern.compile("(?<!\\$)\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");
  private static final java.util.regex.Pattern HTTP_PATH =
      java.util.regex.Pattern.compile(ApiPatterns.HTTP_PATH);
  private static final java.util.regex.Pattern IMAGE_REFERENCE = java.util.regex.Pattern.compile(
      "[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
          + "(:[\\w][\\w.-]{0,127})?(@sha256:[a-f0-9]{64})?");
  private static final java.util.regex.Pattern QUALIFIED_KEY = java.util.regex.Pattern.compile(
      "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  /** Ports of the collector sidecar; the app cannot use them in sidecar mode. */
  public static final Map<Integer, String> COLLECTOR_PORTS =
      Map.of(4317, "OTLP gRPC", 4318, "OTLP HTTP", 13133, "health_check", 8888, "collector metrics");

  private OperatedServiceValidator() {
  }

  /** Every problem of the resource; empty when it can be operated. */
  public static List<SpecProblem> validate(OperatedService resource) {
    List<SpecProblem> problems = new ArrayList<>();
    String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
    if (name != null && (name.length() > 63 || !DNS_1035_LABEL.matcher(name).matches())) {
      problems.add(new SpecProblem("metadata.name", "'" + name + "' cannot name the Service "
          + "the operator creates: use at most 63 lowercase letters, digits and '-', starting "
          + "with a letter and ending with a letter or digit"));
    }
    if (resource.getSpec() == null) {
      problems.add(new SpecProblem("spec", "is required: give at least spec.image"));
      return problems;
    }
    new Check(resource.getSpec(), problems).run();
    return problems;
  }

  /** The problems as one message, one per line, for a status condition or a CLI error. */
  public static String describe(List<SpecProblem> problems) {
    StringBuilder text = new StringBuilder();
    for (SpecProblem problem : problems) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(problem);
    }
    return text.toString();
  }

  private record Check(OperatedServiceSpec spec, List<SpecProblem> problems) {

    void run() {
      image();
      replicasAndPorts();
      env();
      resources("spec.resources", spec.resources());
      health();
      metrics();
      telemetry();
      shutdown();
      podMetadata();
    }

    private void problem(String field, String message) {
      problems.add(new SpecProblem(field, message));
    }

    private void image() {
      String image = spec.image();
      if (image == null || image.isBlank()) {
        problem("spec.image", "is required: name the container image, e.g. "
            + "ghcr.io/acme/orders:1.4.2");
        return;
      }
      if (!IMAGE_REFERENCE.matcher(image).matches()) {
        problem("spec.image", "'" + image + "' is not a valid image reference: use "
            + "lowercase registry/repository, then :tag and/or @sha256:digest");
        return;
      }
      if (ImageReference.tag(image).isEmpty() && !image.contains("@")) {
        problem("spec.image", "'" + image + "' has no tag or digest: pin one (e.g. " + image
            + ":1.0.0) so each change of spec rolls out exactly that build");
      }
    }

    private void replicasAndPorts() {
      if (spec.replicas() != null && spec.replicas() < 0) {
        problem("spec.replicas", "must be 0 or more (or unset to leave scaling to an HPA)");
      }
      port("spec.port", spec.port());
      port("spec.health.port", spec.health().port());
      port("spec.metrics.port", spec.metrics().port());
    }

    private void port(String field, Integer port) {
      if (port == null) {
        return;
      }
      if (port < 1 || port > 65535) {
        problem(field, port + " is not a port: use 1-65535");
      } else if (spec.telemetry().mode() == TelemetryMode.SIDECAR
          && COLLECTOR_PORTS.containsKey(port)) {
        problem(field, port + " is taken by the collector sidecar ("
            + COLLECTOR_PORTS.get(port) + ") in telemetry mode sidecar: pick another port");
      }
    }

    private void env() {
      Map<String, Integer> declaredAt = new HashMap<>();
      List<EnvVar> env = spec.env();
      for (int i = 0; i < env.size(); i++) {
        EnvVar variable = env.get(i);
        String field = "spec.env[" + i + "]";
        String name = variable.getName();
        if (name == null || name.isEmpty()) {
          problem(field + ".name", "is required");
          continue;
        }
        if (!ENV_NAME.matcher(name).matches()) {
          problem(field + ".name", "'" + name + "' is not a valid variable name: use letters, "
              + "digits, '_', '-' and '.', not starting with a digit");
        }
        Integer earlier = declaredAt.putIfAbsent(name, i);
        if (earlier != null) {
          problem(field + ".name", "'" + name + "' is already declared at spec.env[" + earlier
              + "]: remove one of them");
        }
        if (OPERATOR_OWNED_ENV.contains(name)) {
          problem(field + ".name", name + " is set by the operator from spec.shutdown: set "
              + "spec.shutdown.drainSeconds / timeoutSeconds instead");
        }
        if (variable.getValue() != null && variable.getValueFrom() != null) {
          problem(field, "sets both value and valueFrom: keep one");
        }
        if (variable.getValue() != null) {
          Matcher reference = ENV_REFERENCE.matcher(variable.getValue());
          while (reference.find()) {
            String referenced = reference.group(1);
            int laterIndex = indexOf(env, referenced);
            if (laterIndex > i) {
              problem(field + ".value", "refers to $(" + referenced + ") which is declared later "
                  + "at spec.env[" + laterIndex + "]; Kubernetes only expands variables declared "
                  + "before: move " + referenced + " above " + name);
            }
          }
        }
      }
    }

    private static int indexOf(List<EnvVar> env, String name) {
      for (int i = 0; i < env.size(); i++) {
        if (name.equals(env.get(i).getName())) {
          return i;
        }
      }
      return -1;
    }

    private void resources(String field, ResourceRequirements resources) {
      if (resources == null) {
        return;
      }
      Map<String, BigDecimal> requests = amounts(field + ".requests", resources.getRequests());
      Map<String, BigDecimal> limits = amounts(field + ".limits", resources.getLimits());
      requests.forEach((resource, requested) -> {
        BigDecimal limit = limits.get(resource);
        if (limit != null && requested.compareTo(limit) > 0) {
          problem(field + ".requests." + resource, "request "
              + resources.getRequests().get(resource) + " is above the limit "
              + resources.getLimits().get(resource) + ": lower the request or raise the limit");
        }
      });
    }

    private Map<String, BigDecimal> amounts(String field, Map<String, Quantity> quantities) {
      Map<String, BigDecimal> amounts = new HashMap<>();
      if (quantities == null) {
        return amounts;
      }
      quantities.forEach((resource, quantity) -> {
        try {
          BigDecimal amount = quantity.getNumericalAmount();
          if (amount.signum() < 0) {
            problem(field + "." + resource, "'" + quantity + "' is negative");
          } else {
            amounts.put(resource, amount);
          }
        } catch (RuntimeException notAQuantity) {
          problem(field + "." + resource, "'" + quantity + "' is not a quantity: write e.g. "
              + "500m or 0.5 for CPU, 256Mi or 1Gi for memory");
        }
      });
      return amounts;
    }

    private void health() {
      HealthSpec health = spec.health();
      path("spec.health.livenessPath", health.livenessPath());
      path("spec.health.readinessPath", health.readinessPath());
      if (health.livenessPath().equals(health.readinessPath())) {
        problem("spec.health.readinessPath", "equals livenessPath (" + health.livenessPath()
            + "): liveness must never check dependencies, readiness may; give each its own "
            + "endpoint (defaults /livez and /readyz)");
      }
      if (health.startupSeconds() < 1) {
        problem("spec.health.startupSeconds", "must be at least 1");
      }
    }

    private void path(String field, String path) {
      if (!HTTP_PATH.matcher(path).matches()) {
        problem(field, "'" + path + "' is not an HTTP path: start with '/', no spaces or query");
      }
    }

    private void metrics() {
      path("spec.metrics.path", spec.metrics().path());
    }

    private void telemetry() {
      TelemetrySpec telemetry = spec.telemetry();
      TelemetryMode mode = telemetry.mode();
      String endpoint = telemetry.endpoint();
      if (mode == TelemetryMode.ENDPOINT && endpoint == null) {
        problem("spec.telemetry.endpoint", "is required when mode is endpoint: set it to the "
            + "collector's URL, e.g. http://otel-collector.observability:4318");
      }
      if (endpoint != null && mode != TelemetryMode.ENDPOINT && mode != TelemetryMode.SIDECAR) {
        problem("spec.telemetry.endpoint", "is only used when mode is endpoint or sidecar: "
            + "remove it or change spec.telemetry.mode (now " + mode + ")");
      }
      if (endpoint != null) {
        endpoint(endpoint, mode == TelemetryMode.SIDECAR ? OtlpProtocol.GRPC : telemetry.protocol());
      }
      if (telemetry.samplingRatio() < 0 || telemetry.samplingRatio() > 1) {
        problem("spec.telemetry.samplingRatio", telemetry.samplingRatio()
            + " is not a ratio: use a number from 0 to 1");
      }
      if (telemetry.collector() != null && mode != TelemetryMode.SIDECAR) {
        problem("spec.telemetry.collector", "only applies in mode sidecar (now " + mode
            + "): remove it or set spec.telemetry.mode to sidecar");
      }
      if (telemetry.collector() != null) {
        resources("spec.telemetry.collector.resources", telemetry.collector().resources());
      }
    }

    /** In sidecar mode the endpoint is the gateway the collector exports to, over gRPC. */
    private void endpoint(String endpoint, OtlpProtocol protocol) {
      URI uri;
      try {
        uri = new URI(endpoint);
      } catch (URISyntaxException e) {
        problem("spec.telemetry.endpoint", "'" + endpoint + "' is not a URL: " + e.getReason());
        return;
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        problem("spec.telemetry.endpoint", "'" + endpoint + "' needs an http:// or https:// "
            + "scheme; OTLP exporters refuse a bare host:port");
        return;
      }
      if (uri.getHost() == null) {
        problem("spec.telemetry.endpoint", "'" + endpoint + "' has no host");
        return;
      }
      for (OtlpProtocol other : OtlpProtocol.values()) {
        if (other != protocol && uri.getPort() == other.standardPort()) {
          problem("spec.telemetry.endpoint", "port " + uri.getPort() + " is the OTLP "
              + other + " port but the protocol is " + protocol + ": use port "
              + protocol.standardPort() + " or set spec.telemetry.protocol to " + other);
        }
      }
    }

    private void shutdown() {
      ShutdownSpec shutdown = spec.shutdown();
      if (shutdown.drainSeconds() < 0) {
        problem("spec.shutdown.drainSeconds", "must be 0 or more");
      }
      if (shutdown.timeoutSeconds() < 0) {
        problem("spec.shutdown.timeoutSeconds", "must be 0 or more");
      }
      Long explicit = shutdown.terminationGracePeriodSeconds();
      long needed = (long) shutdown.drainSeconds() + shutdown.timeoutSeconds();
      if (explicit != null && explicit < needed) {
        problem("spec.shutdown.terminationGracePeriodSeconds", explicit + "s does not cover "
            + "drainSeconds + timeoutSeconds = " + shutdown.drainSeconds() + " + "
            + shutdown.timeoutSeconds() + " = " + needed + "s: raise it or remove it and let "
            + "the operator compute it");
      }
    }

    private void podMetadata() {
      spec.podLabels().forEach((key, value) -> {
        key("spec.podLabels", key);
        if (SELECTOR_LABEL_KEYS.contains(key)) {
          problem("spec.podLabels." + key, "is the operator's selector label (it keeps the "
              + "Deployment selector stable): remove it");
        }
      });
      spec.podAnnotations().keySet().forEach(key -> key("spec.podAnnotations", key));
      String proxyConfig = spec.podAnnotations().get(ISTIO_PROXY_CONFIG);
      if (proxyConfig != null) {
        // The operator merges its drain settings into this annotation, so it must be a mapping.
        try {
          Object parsed = YAML.readValue(proxyConfig, Object.class);
          if (parsed != null && !(parsed instanceof Map<?, ?>)) {
            problem("spec.podAnnotations." + ISTIO_PROXY_CONFIG, "must be a YAML mapping of "
                + "Istio ProxyConfig fields, e.g. 'tracing: {sampling: 10}'");
          }
        } catch (IOException e) {
          problem("spec.podAnnotations." + ISTIO_PROXY_CONFIG, "is not valid YAML: "
              + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }

    private void key(String field, String key) {
      if (!QUALIFIED_KEY.matcher(key).matches()) {
        problem(field + "." + key, "is not a valid key: use an optional DNS prefix and '/', "
            + "then at most 63 letters, digits, '-', '_' or '.'");
      }
    }
  }
}
