package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.TelemetryMode;
import dev.operated.api.TelemetrySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When the collector's ConfigMap is wanted: in sidecar mode, and after it only while a pod of the
 * Deployment may still mount it, as {@code kubectl rollout status} reads a rollout
 * (deployment_status.go: observed generation, every replica updated).
 */
class CollectorConfigDependentTest {

  private static final OperatedService WITHOUT_SIDECAR =
      new OperatedService("shop", "orders", OperatedServiceSpec.ofImage("orders:1"));
  private static final ConfigMap STORED = new ConfigMapBuilder().withNewMetadata()
      .withName("orders-otel-collector").withNamespace("shop").endMetadata().build();

  private final CollectorConfigDependent.Wanted wanted = new CollectorConfigDependent.Wanted();

  @Test
  void inSidecarModeItIsWanted() {
    OperatedService sidecar = new OperatedService("shop", "orders", OperatedServiceSpec
        .ofImage("orders:1").withTelemetry(new TelemetrySpec(TelemetryMode.SIDECAR,
            "http://gw:4317", null, null, null)));
    assertThat(wanted.isMet(dependent(Optional.empty()), sidecar, context(null))).isTrue();
  }

  @Test
  void afterItItIsKeptWhileATemplateMountsItOrARolloutIsUnderway() {
    assertThat(isMet(STORED, deployment(true, 2L, 2L, 2, 2))).as("the template mounts it")
        .isTrue();
    assertThat(isMet(STORED, deployment(false, 2L, 1L, 2, 2))).as("not observed yet").isTrue();
    assertThat(isMet(STORED, deployment(false, 2L, 2L, 3, 2))).as("an old pod left").isTrue();
    assertThat(isMet(STORED, deployment(false, 2L, 2L, 2, 2))).as("rolled out").isFalse();
    assertThat(isMet(STORED, null)).as("no Deployment").isFalse();
  }

  /**
   * A service that never had the sidecar has no ConfigMap to keep, whatever its rollout: kept,
   * its workflow would stay undone ({@code Settled}) and be run again on every event.
   */
  @Test
  void withoutAStoredConfigMapNothingIsKept() {
    assertThat(isMet(null, deployment(false, 1L, null, 0, 0))).isFalse();
  }

  private boolean isMet(ConfigMap stored, Deployment deployment) {
    return wanted.isMet(dependent(Optional.ofNullable(stored)), WITHOUT_SIDECAR,
        context(deployment));
  }

  private static Deployment deployment(boolean mounts, Long generation, Long observed,
      int replicas, int updated) {
    var template = new DeploymentBuilder().withNewMetadata().withName("orders")
        .withNamespace("shop").withGeneration(generation).endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().endSpec().endTemplate().endSpec()
        .withNewStatus().withObservedGeneration(observed).withReplicas(replicas)
        .withUpdatedReplicas(updated).endStatus().build();
    if (mounts) {
      template.getSpec().getTemplate().getSpec().getVolumes().add(new io.fabric8.kubernetes.api
          .model.VolumeBuilder().withName("otel-collector-config").withNewConfigMap()
          .withName("orders-otel-collector").endConfigMap().build());
    }
    return template;
  }

  @SuppressWarnings("unchecked")
  private static DependentResource<ConfigMap, OperatedService> dependent(
      Optional<ConfigMap> stored) {
    return (DependentResource<ConfigMap, OperatedService>) Proxy.newProxyInstance(
        CollectorConfigDependentTest.class.getClassLoader(),
        new Class<?>[] {DependentResource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getSecondaryResource")) {
            return stored;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @SuppressWarnings("unchecked")
  private static Context<OperatedService> context(Deployment deployment) {
    return (Context<OperatedService>) Proxy.newProxyInstance(
        CollectorConfigDependentTest.class.getClassLoader(), new Class<?>[] {Context.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getSecondaryResources") && args[0] == Deployment.class) {
            return deployment == null ? Set.of() : Set.of(deployment);
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }
}
