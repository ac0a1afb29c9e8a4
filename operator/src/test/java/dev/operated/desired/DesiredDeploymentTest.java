package dev.operated.desired;

import static dev.operated.desired.Specs.K8S_1_28;
import static dev.operated.desired.Specs.K8S_1_33;
import static dev.operated.desired.Specs.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DesiredDeploymentTest {

  private static Deployment deployment(String spec) {
    return DesiredDeployment.build(service(spec), K8S_1_33);
  }

  private static Container app(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Map<String, EnvVar> env(Container container) {
    return container.getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, Function.identity()));
  }

  private static String value(Container container, String name) {
    return env(container).get(name).getValue();
  }

  @Test
  void probesHitTheContractsPathsOnTheNamedPort() {
    Container app = app(deployment("image: a:1"));
    assertThat(app.getName()).isEqualTo("app");
    assertThat(app.getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("http");
      assertThat(port.getContainerPort()).isEqualTo(8080);
    });
    assertThat(app.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(app.getStartupProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(app.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void theStartupProbeCoversTheDeclaredStartupAllowance() {
    for (int allowance : List.of(1, 2, 7, 60, 61, 3600)) {
      Probe startup = app(deployment("{image: a:1, health: {startupSeconds: " + allowance + "}}"))
          .getStartupProbe();
      int covered = startup.getPeriodSeconds() * startup.getFailureThreshold();
      assertThat(covered).as("allowance %ss", allowance)
          .isGreaterThanOrEqualTo(allowance)
          .isLessThan(allowance + startup.getPeriodSeconds());
    }
  }

  @Test
  void aSeparateHealthPortIsDeclaredAndProbed() {
    Container app = app(deployment("{image: a:1, health: {port: 9090}}"));
    assertThat(app.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "health:9090");
    assertThat(app.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("health");
  }

  @Test
  void crashesLeaveTheirLastLogLineAsTheTerminationMessage() {
    assertThat(app(deployment("image: a:1")).getTerminationMessagePolicy())
        .isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void rollingUpdatesNeverLoseReadyCapacity() {
    Deployment deployment = deployment("image: a:1");
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()
        .getIntVal()).isZero();
  }

  @Test
  void theSelectorNeverChangesWithTheSpec() {
    Deployment before = deployment("{image: a:1, replicas: 2}");
    Deployment after = deployment("{image: b:2, replicas: 5, port: 9000, "
        + "podLabels: {team: x}, health: {livenessPath: /alive}, mesh: istio}");
    assertThat(after.getSpec().getSelector()).isEqualTo(before.getSpec().getSelector());
    assertThat(before.getSpec().getSelector().getMatchLabels()).containsOnlyKeys(
        "app.kubernetes.io/name", "app.kubernetes.io/instance");
    assertThat(after.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(after.getSpec().getSelector().getMatchLabels())
        .containsEntry("team", "x")
        .containsEntry("app.kubernetes.io/version", "2")
        .containsEntry("app.kubernetes.io/managed-by", "operated");
  }

  /**
   * The version label is the image's tag when a label may carry it (apimachinery's
   * IsValidLabelValue, which ValidateObjectMeta applies to every object): a tag ending in '-',
   * '.' or '_' is a valid tag and no label value, and carried it got every object refused.
   */
  @Test
  void aTagNoLabelMayCarryIsLeftOutOfTheVersionLabel() {
    for (String tag : List.of("1.4.2-", "1.4.2.", "_1.4", "a".repeat(64))) {
      Deployment deployment = deployment("image: 'ghcr.io/acme/orders:" + tag + "'");
      assertThat(deployment.getMetadata().getLabels()).as(tag)
          .doesNotContainKey("app.kubernetes.io/version");
      assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).as(tag)
          .doesNotContainKey("app.kubernetes.io/version");
    }
    assertThat(deployment("image: 'ghcr.io/acme/orders:1.4.2-rc_1'").getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/version", "1.4.2-rc_1");
  }

  @Test
  void replicasAreLeftToTheHpaWhenUnset() {
    assertThat(deployment("image: a:1").getSpec().getReplicas()).isNull();
    assertThat(deployment("{image: a:1, replicas: 3}").getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void theKubeletSleepsThroughTheDrainFrom130() {
    Container app = app(deployment("image: a:1"));
    assertThat(app.getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(5);
    assertThat(app.getLifecycle().getPreStop().getExec()).isNull();
    assertThat(value(app, "OPERATED_DRAIN_SECONDS")).isEqualTo("0");
    assertThat(value(app, "OPERATED_SHUTDOWN_TIMEOUT_SECONDS")).isEqualTo("10");
  }

  @Test
  void beforeCluster130TheDistrolessAppDrainsItselfWithNoHook() {
    Container app = app(DesiredDeployment.build(service("image: a:1"), K8S_1_28));
    assertThat(app.getLifecycle()).isNull();
    assertThat(value(app, "OPERATED_DRAIN_SECONDS")).isEqualTo("5");
  }

  @Test
  void beforeCluster130AnImageWithAShellSleepsInAnExecHook() {
    Container app = app(DesiredDeployment.build(
        service("{image: a:1, shutdown: {imageHasShell: true}}"), K8S_1_28));
    assertThat(app.getLifecycle().getPreStop().getExec().getCommand())
        .containsExactly("/bin/sh", "-c", "sleep 5");
    assertThat(value(app, "OPERATED_DRAIN_SECONDS")).isEqualTo("0");
  }

  @Test
  void aZeroDrainEmitsNoHook() {
    Container app = app(deployment("{image: a:1, shutdown: {drainSeconds: 0}}"));
    assertThat(app.getLifecycle()).isNull();
    assertThat(value(app, "OPERATED_DRAIN_SECONDS")).isEqualTo("0");
  }

  @Test
  void theGracePeriodComesFromTheBudget() {
    assertThat(deployment("image: a:1").getSpec().getTemplate().getSpec()
        .getTerminationGracePeriodSeconds()).isEqualTo(17L);
    assertThat(deployment("{image: a:1, shutdown: {terminationGracePeriodSeconds: 60}}")
        .getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(60L);
  }

  @Test
  void telemetryNoneTellsTheSdkNotToExport() {
    Container app = app(deployment("image: a:1"));
    assertThat(value(app, "OTEL_TRACES_EXPORTER")).isEqualTo("none");
    assertThat(value(app, "OTEL_METRICS_EXPORTER")).isEqualTo("none");
    assertThat(value(app, "OTEL_LOGS_EXPORTER")).isEqualTo("none");
    assertThat(env(app)).doesNotContainKey("OTEL_EXPORTER_OTLP_ENDPOINT");
  }

  @Test
  void telemetryEndpointWiresTheStandardVariables() {
    Container app = app(deployment("{image: 'ghcr.io/acme/orders:1.4.2', telemetry: "
        + "{mode: endpoint, endpoint: 'http://collector.obs:4317', protocol: grpc, "
        + "samplingRatio: 0.25}}"));
    assertThat(value(app, "OTEL_SERVICE_NAME")).isEqualTo("orders");
    assertThat(value(app, "OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://collector.obs:4317");
    assertThat(value(app, "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
    assertThat(value(app, "OTEL_TRACES_SAMPLER")).isEqualTo("parentbased_traceidratio");
    assertThat(value(app, "OTEL_TRACES_SAMPLER_ARG")).isEqualTo("0.25");
    assertThat(value(app, "OTEL_RESOURCE_ATTRIBUTES")).isEqualTo("k8s.namespace.name=shop,"
        + "k8s.pod.name=$(OPERATED_POD_NAME),k8s.pod.uid=$(OPERATED_POD_UID),"
        + "k8s.node.name=$(OPERATED_NODE_NAME),k8s.deployment.name=orders,"
        + "k8s.container.name=app,service.version=1.4.2");
    assertThat(env(app)).doesNotContainKey("OTEL_TRACES_EXPORTER");
  }

  @Test
  void telemetryNodeFindsTheAgentThroughTheHostIp() {
    Container app = app(deployment("{image: a:1, telemetry: {mode: node}}"));
    assertThat(env(app).get("OPERATED_HOST_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.hostIP");
    assertThat(value(app, "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .isEqualTo("http://$(OPERATED_HOST_IP):4318");
    assertThat(value(app, "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("http/protobuf");
  }

  @Test
  void theUsersVariablesAreNeverOverwrittenAndTheirAttributesWinKeyByKey() {
    Container app = app(deployment("{image: a:1, telemetry: {mode: endpoint, "
        + "endpoint: 'http://c:4318'}, env: ["
        + "{name: OTEL_SERVICE_NAME, value: orders-eu}, "
        + "{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: 'https://elsewhere:4318'}, "
        + "{name: OTEL_RESOURCE_ATTRIBUTES, value: 'k8s.deployment.name=custom,team=payments'}]}"));
    assertThat(value(app, "OTEL_SERVICE_NAME")).isEqualTo("orders-eu");
    assertThat(value(app, "OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("https://elsewhere:4318");
    assertThat(value(app, "OTEL_RESOURCE_ATTRIBUTES"))
        .contains("k8s.deployment.name=custom").contains("team=payments")
        .contains("k8s.pod.name=$(OPERATED_POD_NAME)")
        .doesNotContain("k8s.deployment.name=orders");
  }

  @Test
  void noNameTwiceAndEveryReferenceDeclaredBeforeUse() {
    for (String spec : List.of("image: a:1",
        "{image: a:1, telemetry: {mode: node}, env: [{name: X, value: '$(OPERATED_POD_NAME)'}]}",
        "{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw:4317'}, "
            + "env: [{name: OPERATED_POD_NAME, value: p}]}",
        "{image: a:1, env: [{name: OTEL_RESOURCE_ATTRIBUTES, value: 'a=b'}]}")) {
      List<EnvVar> env = app(deployment(spec)).getEnv();
      List<String> names = env.stream().map(EnvVar::getName).toList();
      assertThat(names).as(spec).doesNotHaveDuplicates();
      for (int i = 0; i < env.size(); i++) {
        String value = env.get(i).getValue();
        if (value == null) {
          continue;
        }
        Matcher reference = Pattern.compile("\\$\\(([^)]+)\\)").matcher(value);
        while (reference.find()) {
          assertThat(names.subList(0, i)).as("%s: %s refers to %s", spec, names.get(i),
              reference.group(1)).contains(reference.group(1));
        }
      }
    }
  }

  @Test
  void scrapeAnnotationsWithoutThePrometheusOperatorAndAServiceMonitorWithIt() {
    OperatedService resource = service("{image: a:1, metrics: {port: 9100, path: /prom}}");
    Map<String, String> annotations = DesiredDeployment.build(resource, K8S_1_33).getSpec()
        .getTemplate().getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9100").containsEntry("prometheus.io/path", "/prom");

    ClusterFacts withOperator = new ClusterFacts(K8S_1_33.version(), true, Map.of());
    assertThat(DesiredDeployment.build(resource, withOperator).getSpec().getTemplate()
        .getMetadata().getAnnotations()).doesNotContainKey("prometheus.io/scrape");
    assertThat(DesiredState.of(resource, withOperator)).extracting(r -> r.getKind())
        .contains("ServiceMonitor");
    assertThat(DesiredServiceMonitor.build(resource).getSpec().getEndpoints()).singleElement()
        .satisfies(endpoint -> {
          assertThat(endpoint.getPort()).isEqualTo("metrics");
          assertThat(endpoint.getPath()).isEqualTo("/prom");
        });
  }

  @Test
  void thePodAnnotationsAloneAreThoseOfTheBuiltTemplate() {
    // the validator checks the size limit on these without building the Deployment
    for (String spec : List.of("{image: a:1}",
        "{image: a:1, metrics: {port: 9100}, podAnnotations: {team: shop}}",
        "{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw.obs:4317'}}",
        "{image: a:1, podAnnotations: {sidecar.istio.io/inject: 'true'}}")) {
      for (ClusterFacts facts : List.of(K8S_1_33, K8S_1_28,
          K8S_1_33.withNamespace(Map.of("istio-injection", "enabled"), Map.of()))) {
        OperatedService resource = service(spec);
        assertThat(DesiredDeployment.podAnnotations(resource, facts)).as(spec)
            .isEqualTo(DesiredDeployment.build(resource, facts).getSpec().getTemplate()
                .getMetadata().getAnnotations());
      }
    }
  }

  @Test
  void scrapeNoneWiresNothing() {
    OperatedService resource = service("{image: a:1, metrics: {scrape: none}}");
    ClusterFacts withOperator = new ClusterFacts(K8S_1_33.version(), true, Map.of());
    assertThat(DesiredDeployment.build(resource, withOperator).getSpec().getTemplate()
        .getMetadata().getAnnotations()).doesNotContainKeys("prometheus.io/scrape",
            "prometheus.io/port", "prometheus.io/path");
    assertThat(DesiredState.of(resource, withOperator)).extracting(r -> r.getKind())
        .doesNotContain("ServiceMonitor");
  }

  @Test
  void theServiceExposesTheNamedPortsAndSelectsThePods() {
    OperatedService resource = service("{image: a:1, metrics: {port: 9100}}");
    var service = DesiredService.build(resource);
    assertThat(service.getSpec().getSelector())
        .isEqualTo(StandardLabels.selector(resource));
    assertThat(service.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
        .containsExactly("http:8080->http", "metrics:9100->metrics");
  }

  /** Two replicas or more, or an HPA's (replicas unset): not one, which it could not protect. */
  @Test
  void aDisruptionBudgetFromTwoReplicasOrUnderAnHpa() {
    assertThat(DesiredPodDisruptionBudget.wanted(service("{image: a:1, replicas: 1}"))).isFalse();
    assertThat(DesiredPodDisruptionBudget.wanted(service("image: a:1"))).isTrue();
    OperatedService two = service("{image: a:1, replicas: 2}");
    assertThat(DesiredPodDisruptionBudget.wanted(two)).isTrue();
    assertThat(DesiredPodDisruptionBudget.build(two).getSpec().getMaxUnavailable().getIntVal())
        .isEqualTo(1);
  }
}
