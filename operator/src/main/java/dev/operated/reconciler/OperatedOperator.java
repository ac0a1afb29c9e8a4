package dev.operated.reconciler;

import dev.operated.desired.CollectorDefaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import java.time.Clock;
import java.util.Set;
import java.util.function.Consumer;

/** The operator with its one controller, configured as it runs in production. */
public final class OperatedOperator {

  private OperatedOperator() {
  }

  /**
   * @param overrides applied after the production settings; only tests pass anything here (to
   *                  switch server-side apply off against a mock API server that lacks it)
   */
  public static Operator create(KubernetesClient client, Clock clock,
      Consumer<ConfigurationServiceOverrider> overrides) {
    return create(client, clock, CollectorDefaults.standard(), overrides);
  }

  public static Operator create(KubernetesClient client, Clock clock,
      CollectorDefaults collectorDefaults, Consumer<ConfigurationServiceOverrider> overrides) {
    return create(client, clock, collectorDefaults, Set.of(Constants.WATCH_ALL_NAMESPACES),
        overrides);
  }

  /** @param namespaces where OperatedServices are reconciled (JOSDK's WATCH_* constants too) */
  public static Operator create(KubernetesClient client, Clock clock,
      CollectorDefaults collectorDefaults, Set<String> namespaces,
      Consumer<ConfigurationServiceOverrider> overrides) {
    Operator operator = new Operator(configuration -> {
      configuration.withKubernetesClient(client).withCloseClientOnStop(false)
          // never JOSDK's System.exit from an informer thread: the runtime overrides this
          .withInformerStoppedHandler(StoppedInformers.logOnly())
          .withResourceCloner(new SpecSharingCloner(client.getKubernetesSerialization()));
      overrides.accept(configuration);
    });
    operator.register(new OperatedServiceReconciler(
        new ObservedCluster(client, collectorDefaults), new ServiceEvents(client, clock),
        clock), controller -> {
          controller.settingNamespaces(namespaces);
          // hook: one informer (all namespaces, or one) can keep a pruned store; several would
          // share it, and each informer's relist would erase the others' objects
          if (namespaces.size() == 1) {
            controller.withItemStore(CachedObjects.store(CachedObjects::withoutManagedFields));
          }
        });
    return operator;
  }
}
