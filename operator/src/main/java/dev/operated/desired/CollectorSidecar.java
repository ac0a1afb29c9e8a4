package dev.operated.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.TelemetrySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenTelemetry Collector next to the app (telemetry mode sidecar): its configuration and its
 * container, as a native sidecar where the cluster has them and a legacy container otherwise.
 */
public final class CollectorSidecar {

  public static final String CONTAINER = "otel-collector";
  public static final String CONFIG_KEY = "collector.yaml";
  public static final String CONFIG_HASH_ANNOTATION = "operated.dev/collector-config-hash";
  public static final int OTLP_GRPC_PORT = 4317;
  public static final int OTLP_HTTP_PORT = 4318;
  public static final int HEALTH_PORT = 13133;
  /** The collector's own metrics (otelcol_*), which the sidecar alert reads. */
  public static final int METRICS_PORT = 8888;
  public static final String METRICS_PORT_NAME = "otel-metrics";
  static final String CONFIG_VOLUME = "otel-collector-config";
  static final String CONFIG_DIR = "/etc/otelcol";
  static final String TOOLS_VOLUME = "operated-tools";
  static final String TOOLS_DIR = "/operated-tools";
  static final String SLEEP_HELPER = "operated-sleep-helper";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  /** A gateway's configuration text and the hash the pods carry of it. */
  private record RenderedConfig(String yaml, String hash) {
  }

  /** More gateways than one cluster's services send to; the least recently used goes first. */
  private static final int GATEWAYS_REMEMBERED = 64;

  /**
   * The configuration depends on the gateway alone, and rendering it as YAML was half of
   * building a sidecar pod's Deployment, paid again for its ConfigMap (docs/benchmarks.md).
   */
  private static final Map<String, RenderedConfig> RENDERED =
      RecentlyUsed.synchronizedMap(GATEWAYS_REMEMBERED);

  private CollectorSidecar() {
  }

  public static String configMapName(OperatedService resource) {
    return resource.getMetadata().getName() + "-otel-collector";
  }

  /** The CR's endpoint, else the operator's default gateway. */
  public static Optional<String> gateway(OperatedServiceSpec spec, ClusterFacts facts) {
    return Optional.ofNullable(spec.telemetry().endpoint()).or(() -> facts.collector().gateway());
  }

  public static ConfigMap config(OperatedService resource, ClusterFacts facts) {
    return new ConfigMapBuilder()
        .withNewMetadata()
          .withName(configMapName(resource))
          .withNamespace(resource.getMetadata().getNamespace())
          .withLabels(StandardLabels.of(resource))
        .endMetadata()
        .addToData(CONFIG_KEY, configYaml(resource.getSpec(), facts))
        .build();
  }

  /** A change of it rolls the pods: the collector reads its configuration only at start. */
  public static String configHash(OperatedService resource, ClusterFacts facts) {
    return rendered(resource.getSpec(), facts).hash();
  }

  /** The hash of the configuration a stored ConfigMap holds, as the pods carry it. */
  public static Optional<String> configHash(ConfigMap stored) {
    return Optional.ofNullable(stored.getData()).map(data -> data.get(CONFIG_KEY))
        .map(yaml -> ShortHash.of(yaml.getBytes(StandardCharsets.UTF_8), 8));
  }

  static String configYaml(OperatedServiceSpec spec, ClusterFacts facts) {
    return rendered(spec, facts).yaml();
  }

  private static RenderedConfig rendered(OperatedServiceSpec spec, ClusterFacts facts) {
    String gateway = gateway(spec, facts).orElseThrow(() -> new IllegalStateException(
        "sidecar mode without a gateway must be refused by OperatedServiceValidator"));
    return RENDERED.computeIfAbsent(gateway, CollectorSidecar::render);
  }

  private static RenderedConfig render(String gateway) {
    String yaml = configYaml(gateway);
    return new RenderedConfig(yaml, ShortHash.of(yaml.getBytes(StandardCharsets.UTF_8), 8));
  }

  private static String configYaml(String gateway) {
    Map<String, Object> exporter = new LinkedHashMap<>();
    exporter.put("endpoint", gateway);
    // A plain http:// gateway is a cleartext gRPC connection; https:// keeps TLS on.
    exporter.put("tls", Map.of("insecure", "http".equals(URI.create(gateway).getScheme())));
    exporter.put("sending_queue", Map.of("enabled", true, "queue_size", 1000));
    exporter.put("retry_on_failure", Map.of("enabled", true, "max_elapsed_time", "60s"));

    List<String> processors = List.of("memory_limiter", "batch");
    Map<String, Object> pipeline = Map.of("receivers", List.of("otlp"),
        "processors", processors, "exporters", List.of("otlp"));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("extensions", Map.of("health_check",
        // Bound to all interfaces: kubelet probes come from the node to the pod IP.
        Map.of("endpoint", "0.0.0.0:" + HEALTH_PORT)));
    config.put("receivers", Map.of("otlp", Map.of("protocols", Map.of(
        // Only the app in the same pod sends here.
        "grpc", Map.of("endpoint", "localhost:" + OTLP_GRPC_PORT),
        "http", Map.of("endpoint", "localhost:" + OTLP_HTTP_PORT)))));
    config.put("processors", Map.of(
        "memory_limiter", Map.of("check_interval", "1s", "limit_percentage", 80,
            "spike_limit_percentage", 20),
        "batch", Map.of("timeout", "200ms")));
    config.put("exporters", Map.of("otlp", exporter));
    config.put("service", Map.of(
        "extensions", List.of("health_check"),
        "pipelines", Map.of("traces", pipeline, "metrics", pipeline, "logs", pipeline),
        // The collector serves its own metrics on localhost only by default; on the pod IP,
        // Prometheus can scrape them (otelcol_exporter_send_failed_*: exports failing).
        "telemetry", Map.of("metrics", Map.of("readers", List.of(Map.of("pull", Map.of(
            "exporter", Map.of("prometheus", Map.of("host", "0.0.0.0",
                "port", METRICS_PORT)))))))));
    try {
      return YAML.writeValueAsString(sorted(config));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("collector configuration is plain maps and lists", e);
    }
  }

  /** Stable key order, so the same spec always hashes the same. */
  @SuppressWarnings("unchecked")
  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new java.util.TreeMap<>();
      ((Map<String, Object>) map).forEach((k, v) -> sorted.put(k, sorted(v)));
      return sorted;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(CollectorSidecar::sorted).toList();
    }
    return value;
  }

  /**
   * The collector container. As a native sidecar it starts before the app (its startup probe
   * gates the app) and is stopped after it, so it needs no preStop; one there would run at the
   * start of termination, in parallel with the app's. As a legacy container its preStop sleeps
   * until the app has drained and shut down.
   */
  public static Container container(OperatedService resource, ClusterFacts facts,
      TerminationBudget budget) {
    TelemetrySpec telemetry = resource.getSpec().telemetry();
    String image = telemetry.collector() != null && telemetry.collector().image() != null
        ? telemetry.collector().image() : facts.collector().image();
    ResourceRequirements resources = telemetry.collector() != null
        && telemetry.collector().resources() != null ? telemetry.collector().resources()
        : facts.collector().resources();
    ContainerBuilder container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withArgs("--config=" + CONFIG_DIR + "/" + CONFIG_KEY)
        .addNewPort().withName("otlp-grpc").withContainerPort(OTLP_GRPC_PORT)
          .withProtocol("TCP").endPort()
        .addNewPort().withName("otlp-http").withContainerPort(OTLP_HTTP_PORT)
          .withProtocol("TCP").endPort()
        .addNewPort().withName("otel-health").withContainerPort(HEALTH_PORT)
          .withProtocol("TCP").endPort()
        .addNewPort().withName(METRICS_PORT_NAME).withContainerPort(METRICS_PORT)
          .withProtocol("TCP").endPort()
        .withResources(resources)
        .addNewVolumeMount().withName(CONFIG_VOLUME).withMountPath(CONFIG_DIR)
          .withReadOnly(true).endVolumeMount()
        // health_check reports the pipeline running, never the gateway reachable: a dead
        // gateway must not take the app out of service.
        .withStartupProbe(health(1, 30))
        .withReadinessProbe(health(5, 3))
        .withLivenessProbe(health(10, 3))
        .withTerminationMessagePolicy("FallbackToLogsOnError");
    if (facts.supportsNativeSidecars()) {
      container.withRestartPolicy("Always");
    } else {
      container.addNewVolumeMount().withName(TOOLS_VOLUME).withMountPath(TOOLS_DIR)
          .withReadOnly(true).endVolumeMount()
          .withNewLifecycle().withNewPreStop().withNewExec()
            .withCommand(TOOLS_DIR + "/busybox", "sleep", Integer.toString(budget.appSeconds()))
          .endExec().endPreStop().endLifecycle();
    }
    return container.build();
  }

  /**
   * On clusters without native sidecars (and so without the kubelet's sleep action) the
   * collector image has no shell to sleep with; this copies a static busybox into the pod.
   */
  public static Container sleepHelper(ClusterFacts facts) {
    return new ContainerBuilder()
        .withName(SLEEP_HELPER)
        .withImage(facts.collector().sleepHelperImage())
        .withCommand("cp", "/bin/busybox", TOOLS_DIR + "/busybox")
        .addNewVolumeMount().withName(TOOLS_VOLUME).withMountPath(TOOLS_DIR).endVolumeMount()
        .build();
  }

  public static List<Volume> volumes(OperatedService resource, ClusterFacts facts) {
    Volume config = new VolumeBuilder().withName(CONFIG_VOLUME)
        .withNewConfigMap().withName(configMapName(resource)).endConfigMap().build();
    if (facts.supportsNativeSidecars()) {
      return List.of(config);
    }
    return List.of(config, new VolumeBuilder().withName(TOOLS_VOLUME)
        .withNewEmptyDir().endEmptyDir().build());
  }

  private static Probe health(int period, int failures) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath("/").withPort(new IntOrString(HEALTH_PORT)).endHttpGet()
        .withPeriodSeconds(period).withTimeoutSeconds(2).withFailureThreshold(failures)
        .build();
  }
}
