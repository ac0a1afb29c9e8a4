package dev.operated.reconciler;

import dev.operated.desired.CollectorDefaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.time.Clock;
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
    Operator operator = new Operator(configuration -> {
      configuration.withKubernetesClient(client).withCloseClientOnStop(false);
      overrides.accept(configuration);
    });
    operator.register(new OperatedServiceReconciler(
        new ObservedCluster(client, clock, collectorDefaults), new ServiceEvents(client, clock),
        clock));
    return operator;
  }
}
