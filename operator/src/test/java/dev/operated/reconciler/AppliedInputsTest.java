package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import org.junit.jupiter.api.Test;

/**
 * A reconcile skips the workflow exactly when nothing it would apply from or to has changed:
 * not for a pod or a status write, always for anything an apply would undo or do differently.
 */
class AppliedInputsTest {

  private static final ClusterFacts FACTS =
      new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of());
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

  private final AppliedInputs inputs = new AppliedInputs();
  private final List<String> runs = new ArrayList<>();
  private final Set<HasMetadata> cache = new LinkedHashSet<>();

  @Test
  void aStatusWriteOnADependentSkipsTheWorkflowAndEverythingAnApplyWouldUndoRunsIt() {
    put(deployment(3L, "10"));
    put(kubernetesService("11"));
    put(budget(1L, "12"));
    assertThat(reconcile(orders(2L), FACTS)).as("the first reconcile").isTrue();

    // the Deployment controller writes its status, the disruption controller the budget's
    put(deployment(3L, "20"));
    put(budget(1L, "21"));
    assertThat(reconcile(orders(2L), FACTS)).as("status written").isFalse();

    assertThat(runsAfter(edited(d -> d.getMetadata().setGeneration(4L))))
        .as("a hand-edited Deployment spec").isTrue();
    assertThat(runsAfter(edited(d -> d.getMetadata().getLabels()
        .remove("app.kubernetes.io/managed-by")))).as("a label removed").isTrue();
    assertThat(runsAfter(edited(d -> d.getMetadata().getAnnotations().put("x", "y"))))
        .as("an annotation added").isTrue();
    assertThat(runsAfter(edited(d -> d.getMetadata().setOwnerReferences(List.of()))))
        .as("the owner reference removed").isTrue();
    assertThat(runsAfter(edited(d -> d.getMetadata().setUid("uid-recreated"))))
        .as("deleted and created again by someone else").isTrue();
    assertThat(runsAfter(() -> put(kubernetesService("40"))))
        .as("any write to a kind without a spec generation").isTrue();
    assertThat(runsAfter(() -> cache.removeIf(o -> o instanceof PodDisruptionBudget)))
        .as("a dependent deleted").isTrue();
    assertThat(runsAfter(() -> put(budget(1L, "50")))).as("a dependent back").isTrue();
    assertThat(reconcile(orders(3L), FACTS)).as("a new generation").isTrue();
    ClusterFacts injected = new ClusterFacts(KubernetesVersion.parse("1.33"), false,
        Map.of("istio-injection", "enabled"));
    assertThat(reconcile(orders(3L), injected)).as("other cluster facts").isTrue();
    assertThat(reconcile(orders(3L), injected)).as("and the same again").isFalse();
  }

  @Test
  void aWorkflowThatFailsIsNotRememberedAndTheComparisonRunsAgainAfterTheResyncInterval() {
    put(deployment(1L, "10"));
    assertThatThrownBy(() -> inputs.runUnlessUnchanged(orders(1L), FACTS, context(), START,
        () -> {
          throw new IllegalStateException("the API server refused the apply");
        })).isInstanceOf(IllegalStateException.class);
    assertThat(reconcile(orders(1L), FACTS, START.plusSeconds(1))).as("after a failure")
        .isTrue();

    Instant ran = START.plusSeconds(1);
    assertThat(reconcile(orders(1L), FACTS, ran.plus(AppliedInputs.LONGEST).minusSeconds(1)))
        .as("unchanged, within the resync interval").isFalse();
    assertThat(reconcile(orders(1L), FACTS, ran.plus(AppliedInputs.LONGEST)))
        .as("unchanged, a resync interval after the last comparison").isTrue();
    assertThat(AppliedInputs.LONGEST)
        .isEqualTo(Duration.ofMinutes(OperatedServiceReconciler.RESYNC_MINUTES));
  }

  /** The collector's ConfigMap kept for an older template's pods leaves the workflow not done. */
  @Test
  void aWorkflowThatLeavesADependentNotReadyRunsAgainOnTheSameInputs() {
    put(deployment(1L, "10"));
    WorkflowReconcileResult keptForOlderPods = new WorkflowReconcileResult() {
      @Override
      public boolean allDependentResourcesReady() {
        return false;
      }
    };
    assertThat(inputs.runUnlessUnchanged(orders(1L), FACTS, context(), START,
        () -> keptForOlderPods)).isTrue();
    assertThat(reconcile(orders(1L), FACTS, START.plusSeconds(1))).as("not remembered")
        .isTrue();
    assertThat(reconcile(orders(1L), FACTS, START.plusSeconds(2))).as("done, remembered")
        .isFalse();
  }

  @Test
  void servicesAreRememberedApartByUid() {
    assertThat(reconcile(orders(1L), FACTS, START)).isTrue();
    OperatedService other = orders(1L);
    other.getMetadata().setUid("uid-other");
    assertThat(reconcile(other, FACTS, START)).isTrue();
    assertThat(reconcile(orders(1L), FACTS, START)).isFalse();
    assertThat(runs).hasSize(2);
  }

  private boolean runsAfter(Runnable change) {
    change.run();
    return reconcile(orders(2L), FACTS);
  }

  /** The cached Deployment as written again with one change (a new resourceVersion too). */
  private Runnable edited(Consumer<Deployment> change) {
    return () -> {
      Deployment current = (Deployment) cache.stream().filter(Deployment.class::isInstance)
          .findFirst().orElseThrow();
      Deployment next = new DeploymentBuilder(current).editMetadata()
          .withResourceVersion(current.getMetadata().getResourceVersion() + "1").endMetadata()
          .build();
      change.accept(next);
      put(next);
    };
  }

  private boolean reconcile(OperatedService resource, ClusterFacts facts) {
    return reconcile(resource, facts, START.plusSeconds(runs.size()));
  }

  private boolean reconcile(OperatedService resource, ClusterFacts facts, Instant now) {
    return inputs.runUnlessUnchanged(resource, facts, context(), now, () -> {
      runs.add(resource.getMetadata().getUid());
      return WorkflowReconcileResult.EMPTY;
    });
  }

  /** As the informer holds it after a write: the object of that kind replaced. */
  private void put(HasMetadata current) {
    cache.removeIf(o -> o.getKind().equals(current.getKind()));
    cache.add(current);
  }

  /** Only what the reconciler reads: the cached secondary resources of a kind. */
  @SuppressWarnings("unchecked")
  private Context<OperatedService> context() {
    return (Context<OperatedService>) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Context.class}, (proxy, method, args) -> {
          if (!method.getName().equals("getSecondaryResources")) {
            throw new UnsupportedOperationException(method.getName());
          }
          Class<?> kind = (Class<?>) args[0];
          Set<Object> found = new LinkedHashSet<>();
          cache.stream().filter(kind::isInstance).forEach(found::add);
          return found;
        });
  }

  private static OperatedService orders(Long generation) {
    OperatedService resource = new OperatedService();
    resource.getMetadata().setName("orders");
    resource.getMetadata().setNamespace("shop");
    resource.getMetadata().setUid("uid-orders");
    resource.getMetadata().setGeneration(generation);
    return resource;
  }

  private static Deployment deployment(Long generation, String resourceVersion) {
    return new DeploymentBuilder().withNewMetadata().withName("orders").withNamespace("shop")
        .withUid("uid-deployment").withGeneration(generation).withResourceVersion(resourceVersion)
        .addToLabels("app.kubernetes.io/managed-by", "operated")
        .addToAnnotations("operated.dev/desired-digest", "d1")
        .withOwnerReferences(new OwnerReferenceBuilder().withUid("uid-orders").build())
        .endMetadata().build();
  }

  private static Service kubernetesService(String resourceVersion) {
    return new ServiceBuilder().withNewMetadata().withName("orders").withNamespace("shop")
        .withUid("uid-service").withGeneration(1L).withResourceVersion(resourceVersion)
        .endMetadata().build();
  }

  private static PodDisruptionBudget budget(Long generation, String resourceVersion) {
    return new PodDisruptionBudgetBuilder().withNewMetadata().withName("orders")
        .withNamespace("shop").withUid("uid-budget").withGeneration(generation)
        .withResourceVersion(resourceVersion).endMetadata().build();
  }
}
