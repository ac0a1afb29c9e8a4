package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IstioSidecarInjectionTest {

  private final IstioSidecarInjection injection = new IstioSidecarInjection();

  @Test
  void aNativeProxyIsTheFirstInitContainerAndTheAppMovesBehindIt() {
    Pod injected = injection.apply(pod(Map.of(IstioSidecarInjection.NATIVE_ANNOTATION, "true",
        IstioSidecarInjection.PROXY_CONFIG_ANNOTATION,
        "holdApplicationUntilProxyStarts: true\nterminationDrainDuration: 5s\n")));

    Container proxy = injected.getSpec().getInitContainers().get(0);
    assertThat(proxy.getName()).isEqualTo(IstioSidecarInjection.CONTAINER);
    assertThat(proxy.getRestartPolicy()).isEqualTo("Always");
    assertThat(proxy.getStartupProbe()).isNotNull();
    assertThat(proxy.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .contains(org.assertj.core.groups.Tuple.tuple("PROXY_INBOUND", "8080:18080"),
            org.assertj.core.groups.Tuple.tuple("TERMINATION_DRAIN_DURATION_SECONDS", "5"));
    assertThat(injected.getSpec().getInitContainers().get(1).getName()).isEqualTo("otel-collector");
    Container app = injected.getSpec().getContainers().get(0);
    assertThat(app.getName()).isEqualTo("app");
    assertThat(app.getEnv()).contains(new EnvVar("PORT", "18080", null));
    // the kubelet's probes go past the proxy to the app, as Istio's probe rewrite sends them
    assertThat(app.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(18080));
    assertThat(app.getPorts().get(0).getContainerPort()).isEqualTo(8080);
  }

  @Test
  void aLegacyProxyIsTheFirstAppContainerWithTheDrainTheOperatorAskedFor() {
    Pod legacy = pod(Map.of(IstioSidecarInjection.NATIVE_ANNOTATION, "false",
        IstioSidecarInjection.PROXY_CONFIG_ANNOTATION, "terminationDrainDuration: 20s\n",
        IstioSidecarInjection.DEFAULT_CONTAINER_ANNOTATION, "app"));
    // on 1.28 the collector is a regular container after the app, with ports of its own
    Container collector = legacy.getSpec().getInitContainers().remove(0);
    collector.setRestartPolicy(null);
    collector.setPorts(List.of(new ContainerPort(4317, null, null, "otlp-grpc", "TCP"),
        new ContainerPort(4318, null, null, "otlp-http", "TCP")));
    legacy.getSpec().getContainers().add(collector);
    Pod injected = injection.apply(legacy);

    assertThat(injected.getSpec().getContainers()).extracting(Container::getName)
        .containsExactly(IstioSidecarInjection.CONTAINER, "app", "otel-collector");
    assertThat(injected.getSpec().getContainers().get(2).getEnv()).as("not the app: not moved")
        .isEmpty();
    Container proxy = injected.getSpec().getContainers().get(0);
    assertThat(proxy.getRestartPolicy()).isNull();
    assertThat(proxy.getEnv()).contains(new EnvVar("TERMINATION_DRAIN_DURATION_SECONDS", "20",
        null));
  }

  @Test
  void aPodWithoutTheInjectionLabelIsLeftAlone() {
    Pod pod = new PodBuilder(pod(Map.of())).editMetadata().withLabels(Map.of()).endMetadata()
        .build();
    assertThat(injection.apply(pod)).isSameAs(pod);
  }

  @Test
  void drainDurationsAreGoDurations() {
    assertThat(IstioSidecarInjection.drain(null)).isEqualTo(Duration.ofSeconds(5));
    assertThat(IstioSidecarInjection.drain("terminationDrainDuration: 1m30s"))
        .isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> IstioSidecarInjection.drain("terminationDrainDuration: soon"))
        .hasMessageContaining("terminationDrainDuration is 'soon'");
  }

  private static Pod pod(Map<String, String> annotations) {
    return new PodBuilder().withNewMetadata().withName("p").withNamespace("shop")
        .withLabels(Map.of(IstioSidecarInjection.INJECT_LABEL, "true"))
        .withAnnotations(annotations).endMetadata()
        .withNewSpec()
          .addNewInitContainer().withName("otel-collector").withImage("otel/c:1")
            .withRestartPolicy("Always").endInitContainer()
          .addNewContainer().withName("app").withImage("sample:1")
            .addNewPort().withName("http").withContainerPort(8080).endPort()
            .withNewReadinessProbe().withNewHttpGet().withPath("/readyz")
              .withPort(new IntOrString("http")).endHttpGet().endReadinessProbe()
          .endContainer()
        .endSpec().build();
  }
}
