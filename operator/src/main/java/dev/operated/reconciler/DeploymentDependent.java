package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorSidecar;
import dev.operated.desired.DesiredDeployment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

@KubernetesDependent(informer = @Informer(labelSelector = ObservedCluster.MANAGED_SELECTOR))
public class DeploymentDependent
    extends OwnedDependent<Deployment> {

  private final ReplicasHandover replicasHandover = new ReplicasHandover();

  /** Where this reconcile keeps the Deployment its spec check built. */
  private static final String BUILT_BY_CHECK = "the Deployment built by the spec check";

  public DeploymentDependent() {
    super(Deployment.class);
  }

  /**
   * The Deployment the spec check built in this reconcile, from the same spec and cluster facts,
   * is the one applied: built again, the same Deployment cost as much a second time (a third of
   * the check's samples, JFR at N = 1,000).
   */
  static void use(Context<OperatedService> context, Deployment builtByCheck) {
    context.managedWorkflowAndDependentResourceContext().put(BUILT_BY_CHECK, builtByCheck);
  }

  @Override
  protected Deployment build(OperatedService primary, Context<OperatedService> context) {
    Deployment built = context.managedWorkflowAndDependentResourceContext()
        .get(BUILT_BY_CHECK, Deployment.class)
        .orElseGet(() -> DesiredDeployment.build(primary, ObservedCluster.facts(context)));
    return rollingOntoStoredConfigOnly(built, primary, context);
  }

  /**
   * The pods move to a collector configuration only once it is stored. The ConfigMap and the
   * Deployment are applied side by side (ordering them with JOSDK's {@code dependsOn} would make
   * it delete the Deployment whenever the ConfigMap's precondition fails), and the collector
   * reads its configuration only at start: pods rolled for a new gateway while its ConfigMap was
   * refused kept exporting to the old one until some later rollout. So while the stored
   * configuration is not the desired one, the template keeps the configuration hash it runs
   * with, and the ConfigMap's event rolls the pods once it is. Without a ConfigMap yet (a new
   * service) the pods wait for it in ContainerCreating, so there is nothing to hold.
   */
  private static Deployment rollingOntoStoredConfigOnly(Deployment built,
      OperatedService primary, Context<OperatedService> context) {
    String wanted = configHash(built).orElse(null);
    if (wanted == null) {
      return built; // no collector sidecar
    }
    Optional<String> stored = context.getSecondaryResources(ConfigMap.class).stream()
        .filter(config -> CollectorSidecar.configMapName(primary)
            .equals(config.getMetadata().getName()))
        .findFirst().flatMap(CollectorSidecar::configHash);
    Optional<String> running = ServiceDeployment.of(primary, context)
        .flatMap(DeploymentDependent::configHash);
    if (stored.isEmpty() || stored.get().equals(wanted) || running.isEmpty()) {
      return built;
    }
    Map<String, String> annotations =
        new LinkedHashMap<>(built.getSpec().getTemplate().getMetadata().getAnnotations());
    annotations.put(CollectorSidecar.CONFIG_HASH_ANNOTATION, running.get());
    built.getSpec().getTemplate().getMetadata().setAnnotations(annotations);
    return built;
  }

  private static Optional<String> configHash(Deployment deployment) {
    return Optional.ofNullable(deployment.getSpec().getTemplate().getMetadata())
        .map(ObjectMeta::getAnnotations)
        .map(annotations -> annotations.get(CollectorSidecar.CONFIG_HASH_ANNOTATION));
  }

  @Override
  public Deployment update(Deployment actual, Deployment desired, OperatedService primary,
      Context<OperatedService> context) {
    if (desired.getSpec().getReplicas() == null) {
      replicasHandover.beforeApplyingWithout(context.getClient(), actual);
    } else {
      replicasHandover.takenBack(actual);
    }
    return super.update(actual, desired, primary, context);
  }

  /** A Deployment held to its running configuration depends on the cluster, not the spec alone. */
  @Override
  protected boolean fromSpecAndFactsAlone(OperatedService primary, ClusterFacts facts,
      Deployment built) {
    return configHash(built)
        .map(hash -> hash.equals(CollectorSidecar.configHash(primary, facts))).orElse(true);
  }
}
