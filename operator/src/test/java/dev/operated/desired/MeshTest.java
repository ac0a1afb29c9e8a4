package dev.operated.desired;

import static dev.operated.desired.Specs.K8S_1_28;
import static dev.operated.desired.Specs.K8S_1_29;
import static dev.operated.desired.Specs.K8S_1_33;
import static dev.operated.desired.Specs.service;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mesh proxy ordered around the app. Every number is drain 5 s + app shutdown 10 s (the
 * defaults), + 5 s collector flush where there is a collector, + a 2 s margin.
 */
class MeshTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static Deployment deployment(String spec, ClusterFacts facts) {
    return DesiredDeployment.build(service(spec), facts);
  }

  private static Map<String, String> annotations(String spec, ClusterFacts facts) {
    return deployment(spec, facts).getSpec().getTemplate().getMetadata().getAnnotations();
  }

  private static JsonNode istioProxyConfig(String spec, ClusterFacts facts) throws IOException {
    return YAML.readTree(annotations(spec, facts).get(MeshAnnotations.ISTIO_PROXY_CONFIG));
  }

  private static ClusterFacts namespace(Map<String, String> labels,
      Map<String, String> annotations) {
    return K8S_1_33.withNamespace(labels, annotations);
  }

  @Test
  void aLegacyIstioProxyDrainsUntilTheAppIsDoneInsideTheGracePeriod() throws IOException {
    JsonNode config = istioProxyConfig("{image: a:1, mesh: istio}", K8S_1_28);
    assertThat(config.get("holdApplicationUntilProxyStarts").asBoolean()).isTrue();
    // SIGTERM reaches proxy and app together: the proxy carries traffic for drain + shutdown
    assertThat(config.get("terminationDrainDuration").asText()).isEqualTo("15s");
    assertThat(annotations("{image: a:1, mesh: istio}", K8S_1_28))
        .containsEntry("sidecar.istio.io/nativeSidecar", "false");
    assertThat(deployment("{image: a:1, mesh: istio}", K8S_1_28).getSpec().getTemplate()
        .getSpec().getTerminationGracePeriodSeconds()).isEqualTo(17);
  }

  @Test
  void aLegacyIstioProxyAlsoOutlivesTheCollectorsFlush() throws IOException {
    String spec = "{image: a:1, mesh: istio, telemetry: {mode: sidecar, endpoint: 'http://g:4317'}}";
    assertThat(istioProxyConfig(spec, K8S_1_28).get("terminationDrainDuration").asText())
        .isEqualTo("20s");
    assertThat(deployment(spec, K8S_1_28).getSpec().getTemplate().getSpec()
        .getTerminationGracePeriodSeconds()).isEqualTo(22);
  }

  @Test
  void aNativeIstioProxyIsStoppedLastSoItsShortDrainComesAfterEverythingElse()
      throws IOException {
    for (ClusterFacts facts : List.of(K8S_1_29, K8S_1_33)) {
      assertThat(annotations("{image: a:1, mesh: istio}", facts))
          .containsEntry("sidecar.istio.io/nativeSidecar", "true");
      assertThat(istioProxyConfig("{image: a:1, mesh: istio}", facts)
          .get("terminationDrainDuration").asText()).isEqualTo("5s");
      // drain 5 + shutdown 10, then the proxy's 5 s, + margin 2
      assertThat(deployment("{image: a:1, mesh: istio}", facts).getSpec().getTemplate()
          .getSpec().getTerminationGracePeriodSeconds()).isEqualTo(22);
    }
  }

  @Test
  void aServiceThatOptsOutOfTheNativeIstioProxyGetsTheLegacyBudget() throws IOException {
    String spec = "{image: a:1, mesh: istio, "
        + "podAnnotations: {sidecar.istio.io/nativeSidecar: 'false'}}";
    assertThat(istioProxyConfig(spec, K8S_1_33).get("terminationDrainDuration").asText())
        .isEqualTo("15s");
    assertThat(annotations(spec, K8S_1_33)).containsEntry("sidecar.istio.io/nativeSidecar",
        "false");
  }

  @Test
  void theUsersOwnIstioProxyConfigIsMergedNotOverwritten() throws IOException {
    JsonNode config = istioProxyConfig("{image: a:1, mesh: istio, podAnnotations: "
        + "{proxy.istio.io/config: \"tracing: {sampling: 10}\\nconcurrency: 2\\n"
        + "terminationDrainDuration: 1s\\n\"}}", K8S_1_28);
    assertThat(config.at("/tracing/sampling").asInt()).isEqualTo(10);
    assertThat(config.get("concurrency").asInt()).isEqualTo(2);
    // the two keys the budget depends on are the operator's
    assertThat(config.get("terminationDrainDuration").asText()).isEqualTo("15s");
    assertThat(config.get("holdApplicationUntilProxyStarts").asBoolean()).isTrue();
  }

  @Test
  void probesStayPlainHttpGetSoIstioCanRewriteThemUnderStrictMtls() {
    Container app = deployment("{image: a:1, mesh: istio}", K8S_1_33).getSpec().getTemplate()
        .getSpec().getContainers().get(0);
    for (var probe : List.of(app.getStartupProbe(), app.getReadinessProbe(),
        app.getLivenessProbe())) {
      assertThat(probe.getHttpGet()).isNotNull();
      assertThat(probe.getExec()).isNull();
    }
  }

  @Test
  void aLegacyLinkerdProxyWaitsBeforeExitUntilTheAppIsDone() {
    Map<String, String> annotations = annotations("{image: a:1, mesh: linkerd}", K8S_1_28);
    assertThat(annotations)
        .containsEntry("config.linkerd.io/proxy-await", "enabled")
        .containsEntry("config.alpha.linkerd.io/proxy-wait-before-exit-seconds", "15")
        .containsEntry("config.alpha.linkerd.io/proxy-enable-native-sidecar", "false");
    // it waits inside the grace period
    assertThat(deployment("{image: a:1, mesh: linkerd}", K8S_1_28).getSpec().getTemplate()
        .getSpec().getTerminationGracePeriodSeconds()).isGreaterThan(15);
  }

  @Test
  void aNativeLinkerdProxyNeedsNoWaitBeforeExit() {
    Map<String, String> annotations = annotations("{image: a:1, mesh: linkerd}", K8S_1_29);
    assertThat(annotations)
        .containsEntry("config.linkerd.io/proxy-await", "enabled")
        .containsEntry("config.alpha.linkerd.io/proxy-enable-native-sidecar", "true")
        .doesNotContainKey("config.alpha.linkerd.io/proxy-wait-before-exit-seconds");
    assertThat(deployment("{image: a:1, mesh: linkerd}", K8S_1_29).getSpec().getTemplate()
        .getSpec().getTerminationGracePeriodSeconds()).isEqualTo(17);
  }

  @Test
  void autoReadsTheNamespaceAndThePodTemplateSwitchesTheMeshesRead() {
    String auto = "{image: a:1}";
    assertThat(Mesh.of(service(auto).getSpec(), K8S_1_33)).isEqualTo(Mesh.NONE);
    assertThat(Mesh.of(service(auto).getSpec(),
        namespace(Map.of("istio-injection", "enabled"), Map.of()))).isEqualTo(Mesh.ISTIO);
    assertThat(Mesh.of(service(auto).getSpec(),
        namespace(Map.of("istio.io/rev", "1-24"), Map.of()))).isEqualTo(Mesh.ISTIO);
    assertThat(Mesh.of(service(auto).getSpec(),
        namespace(Map.of(), Map.of("linkerd.io/inject", "enabled")))).isEqualTo(Mesh.LINKERD);
    assertThat(Mesh.of(service("{image: a:1, podLabels: {sidecar.istio.io/inject: 'true'}}")
        .getSpec(), K8S_1_33)).isEqualTo(Mesh.ISTIO);
    assertThat(Mesh.of(service("{image: a:1, podAnnotations: {linkerd.io/inject: enabled}}")
        .getSpec(), K8S_1_33)).isEqualTo(Mesh.LINKERD);
    // the pod template can opt out of its namespace's injection
    assertThat(Mesh.of(service("{image: a:1, podLabels: {sidecar.istio.io/inject: 'false'}}")
        .getSpec(), namespace(Map.of("istio-injection", "enabled"), Map.of())))
        .isEqualTo(Mesh.NONE);
    assertThat(Mesh.of(service("{image: a:1, podAnnotations: {linkerd.io/inject: disabled}}")
        .getSpec(), namespace(Map.of(), Map.of("linkerd.io/inject", "enabled"))))
        .isEqualTo(Mesh.NONE);
    // an explicit mesh wins over what the namespace says
    assertThat(Mesh.of(service("{image: a:1, mesh: none}").getSpec(),
        namespace(Map.of("istio-injection", "enabled"), Map.of()))).isEqualTo(Mesh.NONE);
  }

  @Test
  void noMeshNoMeshAnnotations() {
    assertThat(annotations("{image: a:1, mesh: none}", K8S_1_33)).doesNotContainKeys(
        MeshAnnotations.ISTIO_PROXY_CONFIG, "sidecar.istio.io/nativeSidecar",
        "config.linkerd.io/proxy-await");
  }

  @Test
  void everyContainerFitsInTheGracePeriodWhateverTheCombination() {
    for (ClusterFacts facts : List.of(K8S_1_28, K8S_1_29, K8S_1_33)) {
      for (String mesh : List.of("none", "istio", "linkerd")) {
        for (String telemetry : List.of("{mode: none}",
            "{mode: sidecar, endpoint: 'http://g:4317'}")) {
          String spec = "{image: a:1, mesh: " + mesh + ", telemetry: " + telemetry
              + ", shutdown: {drainSeconds: 7, timeoutSeconds: 11}}";
          TerminationBudget budget = DesiredState.budget(service(spec), facts);
          long grace = budget.gracePeriodSeconds();
          String what = facts.version() + " " + spec;
          assertThat(grace).as(what).isGreaterThanOrEqualTo(7 + 11 + budget.marginSeconds());
          // a proxy stopped with the app must carry traffic until app and collector are done
          if (!budget.proxyNativeSidecar()) {
            assertThat(budget.proxyDrainSeconds()).as(what)
                .isEqualTo(mesh.equals("none") ? 0 : 7 + 11 + budget.collectorFlushSeconds());
          }
          assertThat((long) budget.proxyDrainSeconds()).as(what).isLessThanOrEqualTo(grace);
          assertThat(grace).as(what).isEqualTo(7 + 11 + budget.collectorFlushSeconds()
              + budget.proxyTailSeconds() + budget.marginSeconds());
        }
      }
    }
  }
}
