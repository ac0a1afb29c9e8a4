package dev.operated.desired;

import static dev.operated.desired.Specs.K8S_1_28;
import static dev.operated.desired.Specs.K8S_1_29;
import static dev.operated.desired.Specs.K8S_1_33;
import static dev.operated.desired.Specs.service;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.validation.OperatedServiceValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The collector sidecar: native or legacy by cluster version, its config, and its budget. */
class CollectorSidecarTest {

  private static final String SIDECAR = "{image: a:1, shutdown: {drainSeconds: 5, "
      + "timeoutSeconds: 10}, telemetry: {mode: sidecar, endpoint: 'http://gw.obs:4317'}}";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static PodSpec pod(String spec, ClusterFacts facts) {
    return DesiredDeployment.build(service(spec), facts).getSpec().getTemplate().getSpec();
  }

  private static Optional<Container> named(List<Container> containers, String name) {
    return containers.stream().filter(c -> c.getName().equals(name)).findFirst();
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue).findFirst().orElseThrow();
  }

  @Test
  void from129TheCollectorIsANativeSidecarWithAStartupProbeAndNoPreStop() {
    for (ClusterFacts facts : List.of(K8S_1_29, K8S_1_33)) {
      PodSpec pod = pod(SIDECAR, facts);
      assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("app");
      Container collector = named(pod.getInitContainers(), CollectorSidecar.CONTAINER)
          .orElseThrow();
      assertThat(collector.getRestartPolicy()).isEqualTo("Always");
      assertThat(collector.getStartupProbe().getHttpGet().getPort().getIntVal())
          .isEqualTo(CollectorSidecar.HEALTH_PORT);
      // a native sidecar's preStop would run at the start of termination, beside the app's
      assertThat(collector.getLifecycle()).isNull();
      // ours is the last init container, so a proxy injected before it outlives it
      assertThat(pod.getInitContainers().get(pod.getInitContainers().size() - 1))
          .isSameAs(collector);
    }
  }

  @Test
  void before129TheCollectorIsAContainerThatSleepsUntilTheAppIsDone() {
    PodSpec pod = pod(SIDECAR, K8S_1_28);
    Container collector = named(pod.getContainers(), CollectorSidecar.CONTAINER).orElseThrow();
    assertThat(collector.getRestartPolicy()).isNull();
    // drain 5 s + app shutdown 10 s: it gets SIGTERM once the app is done, then flushes
    assertThat(collector.getLifecycle().getPreStop().getExec().getCommand())
        .containsExactly("/operated-tools/busybox", "sleep", "15");
    // the collector image has no shell: a static busybox is copied in first
    assertThat(pod.getInitContainers()).extracting(Container::getName)
        .containsExactly("operated-sleep-helper");
    assertThat(pod.getVolumes()).extracting(v -> v.getName())
        .containsExactlyInAnyOrder("otel-collector-config", "operated-tools");
  }

  @Test
  void theGracePeriodCoversTheCollectorsFlushAfterTheApp() {
    for (ClusterFacts facts : List.of(K8S_1_28, K8S_1_29, K8S_1_33)) {
      TerminationBudget budget = DesiredState.budget(service(SIDECAR), facts);
      // drain 5 + shutdown 10 + collector flush 5 + margin 2
      assertThat(budget.gracePeriodSeconds()).as(facts.version().toString()).isEqualTo(22);
      assertThat(pod(SIDECAR, facts).getTerminationGracePeriodSeconds()).isEqualTo(22);
    }
  }

  @Test
  void theAppExportsToTheCollectorOnLocalhostWithTheMatchingProtocol() {
    Container app = pod(SIDECAR, K8S_1_33).getContainers().get(0);
    assertThat(env(app, "OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://localhost:4318");
    assertThat(env(app, "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("http/protobuf");

    Container grpc = pod("{image: a:1, telemetry: {mode: sidecar, protocol: grpc, "
        + "endpoint: 'http://gw.obs:4317'}}", K8S_1_33).getContainers().get(0);
    assertThat(env(grpc, "OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://localhost:4317");
    assertThat(env(grpc, "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
  }

  @Test
  void theConfigReceivesOnLocalhostExportsToTheGatewayAndAnswersProbesOnEveryInterface()
      throws IOException {
    ConfigMap config = CollectorSidecar.config(service(SIDECAR), K8S_1_33);
    assertThat(config.getMetadata().getName()).isEqualTo("orders-otel-collector");
    JsonNode collector = YAML.readTree(config.getData().get(CollectorSidecar.CONFIG_KEY));

    // kubelet probes come from the node to the pod IP, never to localhost
    assertThat(collector.at("/extensions/health_check/endpoint").asText())
        .isEqualTo("0.0.0.0:13133");
    assertThat(collector.at("/receivers/otlp/protocols/grpc/endpoint").asText())
        .isEqualTo("localhost:4317");
    assertThat(collector.at("/receivers/otlp/protocols/http/endpoint").asText())
        .isEqualTo("localhost:4318");
    assertThat(collector.at("/exporters/otlp/endpoint").asText()).isEqualTo("http://gw.obs:4317");
    assertThat(collector.at("/exporters/otlp/tls/insecure").asBoolean()).isTrue();
    assertThat(collector.at("/service/pipelines/traces/processors"))
        .extracting(JsonNode::asText).containsExactly("memory_limiter", "batch");
    assertThat(collector.at("/service/extensions")).extracting(JsonNode::asText)
        .containsExactly("health_check");
  }

  @Test
  void theCollectorsOwnMetricsAreServedOnThePodIpAndScrapedThroughTheServiceMonitor()
      throws IOException {
    OperatedService resource = service(SIDECAR);
    JsonNode collector = YAML.readTree(CollectorSidecar.config(resource, K8S_1_33).getData()
        .get(CollectorSidecar.CONFIG_KEY));

    // otelcol_exporter_send_failed_*, which OperatedServiceCollectorExportFailing reads
    assertThat(collector.at("/service/telemetry/metrics/readers/0/pull/exporter/prometheus"))
        .isEqualTo(YAML.readTree("{host: 0.0.0.0, port: 8888}"));
    Container container = named(pod(SIDECAR, K8S_1_33).getInitContainers(),
        CollectorSidecar.CONTAINER).orElseThrow();
    assertThat(container.getPorts()).anySatisfy(port -> {
      assertThat(port.getName()).isEqualTo("otel-metrics");
      assertThat(port.getContainerPort()).isEqualTo(8888);
    });
    assertThat(DesiredService.build(resource).getSpec().getPorts())
        .extracting(p -> p.getName()).contains("otel-metrics");
    assertThat(DesiredServiceMonitor.build(resource).getSpec().getEndpoints())
        .extracting(e -> e.getPort()).containsExactly("http", "otel-metrics");
  }

  @Test
  void aChangedConfigRollsThePodsAndAnUnchangedOneDoesNot() {
    OperatedService resource = service(SIDECAR);
    String hash = annotations(DesiredDeployment.build(resource, K8S_1_33))
        .get(CollectorSidecar.CONFIG_HASH_ANNOTATION);
    assertThat(hash).isNotBlank();
    assertThat(annotations(DesiredDeployment.build(service(SIDECAR), K8S_1_33))
        .get(CollectorSidecar.CONFIG_HASH_ANNOTATION)).isEqualTo(hash);

    OperatedService otherGateway = service(SIDECAR.replace("gw.obs", "gw2.obs"));
    assertThat(annotations(DesiredDeployment.build(otherGateway, K8S_1_33))
        .get(CollectorSidecar.CONFIG_HASH_ANNOTATION)).isNotEqualTo(hash);
  }

  /**
   * The configuration is rendered once per gateway, for every service that sends there and for
   * both the ConfigMap and the pods' hash of it; another gateway renders its own.
   */
  @Test
  void aGatewaysConfigurationIsRenderedOnceForEveryServiceSendingThere() {
    String first = CollectorSidecar.config(service(SIDECAR), K8S_1_33).getData()
        .get(CollectorSidecar.CONFIG_KEY);
    OperatedService another = service(SIDECAR.replace("a:1", "b:2"));
    another.getMetadata().setName("another");

    assertThat(CollectorSidecar.config(another, K8S_1_33).getData()
        .get(CollectorSidecar.CONFIG_KEY)).isSameAs(first);
    assertThat(CollectorSidecar.config(service(SIDECAR.replace("gw.obs", "gw3.obs")), K8S_1_33)
        .getData().get(CollectorSidecar.CONFIG_KEY))
        .isNotSameAs(first).contains("http://gw3.obs:4317");
  }

  @Test
  void imageAndResourcesComeFromTheOperatorUnlessTheServiceOverridesThem() {
    ClusterFacts facts = new ClusterFacts(K8S_1_33.version(), false, Map.of(), Map.of(),
        CollectorDefaults.standard().withGateway("http://default-gw:4317"));
    String defaults = "{image: a:1, telemetry: {mode: sidecar}}";
    Container collector = named(pod(defaults, facts).getInitContainers(),
        CollectorSidecar.CONTAINER).orElseThrow();
    assertThat(collector.getImage()).isEqualTo(CollectorDefaults.IMAGE);
    assertThat(collector.getResources().getLimits().get("memory").toString())
        .isEqualTo("128Mi");
    assertThat(CollectorSidecar.config(service(defaults), facts).getData()
        .get(CollectorSidecar.CONFIG_KEY)).contains("http://default-gw:4317");

    Container overridden = named(pod("{image: a:1, telemetry: {mode: sidecar, collector: "
        + "{image: 'my/collector:2', resources: {limits: {memory: 1Gi}}}}}", facts)
        .getInitContainers(), CollectorSidecar.CONTAINER).orElseThrow();
    assertThat(overridden.getImage()).isEqualTo("my/collector:2");
    assertThat(overridden.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
  }

  @Test
  void sidecarModeWithoutAnyGatewayIsRefusedNamingTheField() {
    List<SpecProblem> problems = OperatedServiceValidator.validate(
        service("{image: a:1, telemetry: {mode: sidecar}}"), K8S_1_33);
    assertThat(problems).singleElement().satisfies(problem -> {
      assertThat(problem.field()).isEqualTo("spec.telemetry.endpoint");
      assertThat(problem.message()).contains("--collector-gateway");
    });
  }

  @Test
  void otherModesHaveNoCollector() {
    PodSpec pod = pod("{image: a:1, telemetry: {mode: endpoint, endpoint: 'http://gw:4318'}}",
        K8S_1_33);
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("app");
    assertThat(DesiredState.of(service("image: a:1"), K8S_1_33))
        .noneMatch(resource -> resource instanceof ConfigMap);
  }

  private static Map<String, String> annotations(Deployment deployment) {
    return deployment.getSpec().getTemplate().getMetadata().getAnnotations();
  }
}
