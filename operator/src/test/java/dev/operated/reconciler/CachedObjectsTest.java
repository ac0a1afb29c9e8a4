package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.status.GraceDeadlineKills;
import dev.operated.status.PodDiagnosis;
import dev.operated.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The informers keep only what the operator reads: the status computed from a kept pod is the
 * one computed from the pod as the API server sent it, for every recorded pod state.
 */
class CachedObjectsTest {

  private static final Instant RECORDED = Instant.parse("2026-11-25T10:00:00Z");

  static Stream<String> recordings() {
    return Stream.of("all-ready.yaml", "app-crash-loop-panic.yaml", "image-pull-failing.yaml",
        "probe-failing.yaml", "rollout-mixed.yaml", "sidecar-never-started.yaml",
        "sidecar-not-ready.yaml", "terminating.yaml");
  }

  @ParameterizedTest
  @MethodSource("recordings")
  void theStatusFromKeptPodsIsTheStatusFromWholePods(String recording) {
    List<Pod> whole = pods(recording).stream().map(CachedObjectsTest::asTheApiServerSendsIt)
        .toList();
    List<Pod> kept = whole.stream().map(CachedObjects::pod).toList();
    OperatedService resource = new OperatedService("shop", "orders", new OperatedServiceSpec(
        "orders:2", 2, null, null, null, null, null, null, null, null, null, null));
    // before, at and after the recorded moment, so readiness budgets fall on both sides
    for (Duration offset : List.of(Duration.ofMinutes(-2), Duration.ofSeconds(-30), Duration.ZERO,
        Duration.ofMinutes(10))) {
      Instant now = RECORDED.plus(offset);
      assertThat(StatusAggregator.aggregate(resource, Optional.of(rollingOut()), kept, List.of(),
          now)).as("%s at %s", recording, now)
          .isEqualTo(StatusAggregator.aggregate(resource, Optional.of(rollingOut()), whole,
              List.of(), now));
      assertThat(PodDiagnosis.diagnose(kept, now)).isEqualTo(PodDiagnosis.diagnose(whole, now));
      assertThat(PodDiagnosis.nextChange(kept, now)).isEqualTo(PodDiagnosis.nextChange(whole, now));
    }
    assertThat(kept.stream().map(GraceDeadlineKills::containers).toList())
        .isEqualTo(whole.stream().map(GraceDeadlineKills::containers).toList());
  }

  @Test
  void aKeptPodHasNoManagedFieldsVolumesEnvironmentOrImages() {
    Pod whole = asTheApiServerSendsIt(pods("all-ready.yaml").get(0));
    Pod kept = CachedObjects.pod(whole);

    assertThat(kept.getMetadata().getManagedFields()).isEmpty();
    assertThat(kept.getMetadata().getAnnotations()).doesNotContainKey("example.com/notes");
    assertThat(kept.getSpec().getVolumes()).isEmpty();
    assertThat(kept.getSpec().getContainers()).allSatisfy(container -> {
      assertThat(container.getEnv()).isEmpty();
      assertThat(container.getImage()).isNull();
      assertThat(container.getResources()).isNull();
    });
    assertThat(kept.getMetadata().getLabels()).isEqualTo(whole.getMetadata().getLabels());
    assertThat(kept.getMetadata().getUid()).isEqualTo(whole.getMetadata().getUid());
    assertThat(Serialization.asJson(kept).length())
        .as("a kept pod is a fraction of the pod as sent")
        .isLessThan(Serialization.asJson(whole).length() / 2);
  }

  @Test
  void aStoreKeepsThePrunedObjectUnderItsKeyWithItsResourceVersion() {
    ItemStore<Pod> store = CachedObjects.store(CachedObjects::pod);
    Pod whole = asTheApiServerSendsIt(pods("all-ready.yaml").get(0));
    whole.getMetadata().setResourceVersion("42");
    store.put(store.getKey(whole), whole);

    Pod stored = store.get(store.getKey(whole));
    assertThat(stored.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(stored.getMetadata().getNamespace()).isEqualTo(whole.getMetadata().getNamespace());
    assertThat(stored.getMetadata().getManagedFields()).isEmpty();
  }

  @Test
  void aNamespaceKeepsItsLabelsAndAnnotationsAndACrdOnlyItsName() {
    Namespace whole = new NamespaceBuilder().withNewMetadata().withName("shop")
        .withResourceVersion("7").withLabels(Map.of("istio-injection", "enabled"))
        .withAnnotations(Map.of("linkerd.io/inject", "enabled"))
        .withManagedFields(managedFields()).endMetadata()
        .withNewSpec().withFinalizers("kubernetes").endSpec().build();
    Namespace kept = CachedObjects.namespace(whole);
    assertThat(kept.getMetadata().getLabels()).isEqualTo(whole.getMetadata().getLabels());
    assertThat(kept.getMetadata().getAnnotations())
        .isEqualTo(whole.getMetadata().getAnnotations());
    assertThat(kept.getMetadata().getManagedFields()).isEmpty();
    assertThat(kept.getSpec()).isNull();

    CustomResourceDefinition crd = new CustomResourceDefinitionBuilder().withNewMetadata()
        .withName("servicemonitors.monitoring.coreos.com").withResourceVersion("9").endMetadata()
        .withNewSpec().withGroup("monitoring.coreos.com").endSpec().build();
    assertThat(CachedObjects.existence(crd).getMetadata().getName())
        .isEqualTo("servicemonitors.monitoring.coreos.com");
    assertThat(CachedObjects.existence(crd).getSpec()).isNull();
  }

  /** Its controller rewrites the status every 15 s; the target and bounds are all it keeps. */
  @Test
  void anAutoscalerKeepsWhatItScalesAndItsBoundsNotItsStatusOrMetrics() {
    HorizontalPodAutoscaler whole = new HorizontalPodAutoscalerBuilder().withNewMetadata()
        .withName("orders").withNamespace("shop").withResourceVersion("12")
        .withManagedFields(managedFields()).endMetadata()
        .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
        .withName("orders").endScaleTargetRef().withMinReplicas(2).withMaxReplicas(6)
        .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
        .withType("Utilization").withAverageUtilization(80).endTarget().endResource().endMetric()
        .endSpec()
        .withNewStatus().withCurrentReplicas(2).withDesiredReplicas(2).endStatus().build();

    HorizontalPodAutoscaler kept = CachedObjects.autoscaler(whole);

    assertThat(kept.getSpec().getScaleTargetRef()).isEqualTo(whole.getSpec().getScaleTargetRef());
    assertThat(kept.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(kept.getSpec().getMaxReplicas()).isEqualTo(6);
    assertThat(kept.getSpec().getMetrics()).isEmpty();
    assertThat(kept.getStatus()).isNull();
    assertThat(kept.getMetadata().getManagedFields()).isEmpty();
    assertThat(ServiceAutoscalers.deployment(kept)).isEqualTo("orders");
  }

  @Test
  void theServiceItselfKeepsItsSpecAndStatusWithoutManagedFields() {
    OperatedService resource = new OperatedService("shop", "orders", new OperatedServiceSpec(
        "orders:2", 2, null, null, null, null, null, null, null, null, null, null));
    resource.getMetadata().setManagedFields(managedFields());
    OperatedServiceSpec spec = resource.getSpec();

    OperatedService kept = CachedObjects.withoutManagedFields(resource);
    assertThat(kept.getMetadata().getManagedFields()).isEmpty();
    assertThat(kept.getSpec()).isEqualTo(spec);
  }

  /** A recorded pod with what a real one also carries and the operator never reads. */
  private static Pod asTheApiServerSendsIt(Pod recorded) {
    PodBuilder pod = new PodBuilder(recorded)
        .editMetadata().withManagedFields(managedFields())
          .addToAnnotations("example.com/notes", "x".repeat(200)).endMetadata()
        .editSpec().addToVolumes(new VolumeBuilder().withName("tmp").withNewEmptyDir()
            .endEmptyDir().build()).withServiceAccountName("orders").endSpec();
    Pod whole = pod.build();
    whole.getSpec().getContainers().forEach(container -> {
      container.setImage("registry.example.com/" + container.getName() + ":1.2.3");
      container.setEnv(List.of(new EnvVarBuilder().withName("OTEL_SERVICE_NAME")
          .withValue("orders").build()));
      container.setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity("100m")).build());
    });
    return whole;
  }

  private static List<io.fabric8.kubernetes.api.model.ManagedFieldsEntry> managedFields() {
    FieldsV1 fields = new FieldsV1();
    fields.setAdditionalProperty("f:metadata", Map.of("f:labels", Map.of("f:app", Map.of())));
    return List.of(
        new ManagedFieldsEntryBuilder().withManager("operated").withOperation("Apply")
            .withFieldsType("FieldsV1").withFieldsV1(fields).build(),
        new ManagedFieldsEntryBuilder().withManager("kubelet").withOperation("Update")
            .withSubresource("status").withFieldsType("FieldsV1").withFieldsV1(fields).build(),
        new ManagedFieldsEntryBuilder().withManager("kube-controller-manager")
            .withOperation("Update").withFieldsType("FieldsV1").withFieldsV1(fields).build());
  }

  private static Deployment rollingOut() {
    return new DeploymentBuilder()
        .withNewMetadata().withName("orders").withGeneration(2L).endMetadata()
        .withNewSpec().withReplicas(2).endSpec()
        .withNewStatus().withObservedGeneration(2L).withReplicas(2).withUpdatedReplicas(1)
          .withReadyReplicas(1).withAvailableReplicas(1).endStatus()
        .build();
  }

  private static List<Pod> pods(String recording) {
    try (InputStream in = CachedObjectsTest.class.getResourceAsStream("/pods/" + recording)) {
      return Serialization.unmarshal(in, KubernetesList.class).getItems().stream()
          .map(Pod.class::cast).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
