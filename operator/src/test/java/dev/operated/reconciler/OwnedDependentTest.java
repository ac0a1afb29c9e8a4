package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredDeployment;
import dev.operated.desired.DesiredDigest;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.DefaultManagedWorkflowAndDependentResourceContext;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OwnedDependentTest {

  /** Counts its builds; what it builds does not matter here. */
  private static final class CountingDependent extends OwnedDependent<ConfigMap> {
    private final AtomicInteger builds = new AtomicInteger();

    CountingDependent() {
      super(ConfigMap.class);
    }

    @Override
    protected ConfigMap build(OperatedService primary, Context<OperatedService> context) {
      builds.incrementAndGet();
      return new ConfigMapBuilder().withNewMetadata().withName("checkout").withNamespace("shop")
          .endMetadata().addToData("build", String.valueOf(builds.get())).build();
    }
  }

  private static final ClusterFacts FACTS =
      new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of());

  /** One reconcile's context: only its per-reconcile scope is there. */
  private static Context<OperatedService> reconcileContext() {
    return reconcileContext(null);
  }

  /** One reconcile's context, with the cluster facts the reconciler puts there (or none). */
  @SuppressWarnings("unchecked")
  private static Context<OperatedService> reconcileContext(ClusterFacts facts) {
    var scope = new DefaultManagedWorkflowAndDependentResourceContext<OperatedService>(null, null,
        null);
    if (facts != null) {
      scope.put(ClusterFacts.class, facts);
    }
    return (Context<OperatedService>) Proxy.newProxyInstance(
        OwnedDependentTest.class.getClassLoader(), new Class<?>[] {Context.class},
        (proxy, method, args) -> {
          if (method.getName().equals("managedWorkflowAndDependentResourceContext")) {
            return scope;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void theDesiredObjectIsBuiltOncePerReconcileThoughJosdkAsksForItTwice() {
    CountingDependent dependent = new CountingDependent();
    OperatedService primary = new OperatedService();
    Context<OperatedService> reconcile = reconcileContext();

    // KubernetesDependentResource.targetSecondaryResourceID, then reconcile's create or match
    ConfigMap forTheName = dependent.desired(primary, reconcile);
    ConfigMap toApply = dependent.desired(primary, reconcile);

    assertThat(toApply).isSameAs(forTheName);
    assertThat(dependent.builds).hasValue(1);
    assertThat(toApply.getMetadata().getAnnotations()).containsKey(DesiredDigest.ANNOTATION);

    ConfigMap nextReconcile = dependent.desired(primary, reconcileContext());
    assertThat(dependent.builds).as("the next reconcile builds anew").hasValue(2);
    assertThat(nextReconcile.getData()).containsEntry("build", "2");
  }

  private static OperatedService service(String uid, long generation) {
    OperatedService primary = new OperatedService();
    primary.getMetadata().setUid(uid);
    primary.getMetadata().setGeneration(generation);
    return primary;
  }

  private static String digestOf(ConfigMap desired) {
    return desired.getMetadata().getAnnotations().get(DesiredDigest.ANNOTATION);
  }

  private static String digestComputedFor(ConfigMap desired) {
    ConfigMap unstamped = new ConfigMapBuilder(desired).editMetadata()
        .removeFromAnnotations(DesiredDigest.ANNOTATION).endMetadata().build();
    return DesiredDigest.of(unstamped);
  }

  @Test
  void aGenerationUnderTheSameFactsIsDigestedOnceAcrossReconciles() {
    CountingDependent dependent = new CountingDependent();

    ConfigMap first = dependent.desired(service("uid-1", 3), reconcileContext(FACTS));
    // the builders are pure in the spec and the facts, so the next reconcile of the same
    // generation would digest the same object; this one builds another to show it is not digested
    ConfigMap next = dependent.desired(service("uid-1", 3), reconcileContext(FACTS));

    assertThat(digestOf(first)).isEqualTo(digestComputedFor(first));
    assertThat(digestOf(next)).isEqualTo(digestOf(first));
  }

  @Test
  void aNewGenerationChangedFactsOrAnotherObjectAreDigestedAgain() {
    CountingDependent dependent = new CountingDependent();
    dependent.desired(service("uid-1", 3), reconcileContext(FACTS));

    ConfigMap edited = dependent.desired(service("uid-1", 4), reconcileContext(FACTS));
    ConfigMap otherFacts = dependent.desired(service("uid-1", 4), reconcileContext(
        FACTS.withNamespace(Map.of("istio-injection", "enabled"), Map.of())));
    ConfigMap recreated = dependent.desired(service("uid-2", 4), reconcileContext(
        FACTS.withNamespace(Map.of("istio-injection", "enabled"), Map.of())));
    ConfigMap withoutFacts = dependent.desired(service("uid-2", 4), reconcileContext());

    for (ConfigMap desired : new ConfigMap[] {edited, otherFacts, recreated, withoutFacts}) {
      assertThat(digestOf(desired)).isEqualTo(digestComputedFor(desired));
    }
  }

  /**
   * The Deployment the spec check built in this reconcile is the one applied; a reconcile whose
   * check was remembered builds its own, the same for the same spec and facts.
   */
  @Test
  void theDeploymentTheSpecCheckBuiltIsTheOneApplied() {
    OperatedService primary = new OperatedService("shop", "checkout",
        OperatedServiceSpec.ofImage("ghcr.io/acme/checkout:1.0"));
    DeploymentDependent dependent = new DeploymentDependent();
    Deployment builtByCheck = DesiredDeployment.build(primary, FACTS);
    Context<OperatedService> checked = reconcileContext(FACTS);
    DeploymentDependent.use(checked, builtByCheck);

    assertThat(dependent.desired(primary, checked)).isSameAs(builtByCheck);

    Deployment built = dependent.desired(primary, reconcileContext(FACTS));
    assertThat(built).isNotSameAs(builtByCheck).isEqualTo(builtByCheck);
  }
}
