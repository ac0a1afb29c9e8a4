package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.desired.DesiredDigest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.DefaultManagedWorkflowAndDependentResourceContext;
import java.lang.reflect.Proxy;
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

  /** One reconcile's context: only its per-reconcile scope is there. */
  @SuppressWarnings("unchecked")
  private static Context<OperatedService> reconcileContext() {
    var scope = new DefaultManagedWorkflowAndDependentResourceContext<OperatedService>(null, null,
        null);
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
}
