package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredState;
import dev.operated.status.ServiceSignals;
import dev.operated.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe, then reconcile: read the cluster facts, check the spec, and only when it is valid run
 * the workflow that applies the desired state (server-side apply, field manager "operated").
 * An invalid spec is reported in the status and leaves everything running as it was.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "collector-config", type = CollectorConfigDependent.class,
        reconcilePrecondition = CollectorConfigDependent.Wanted.class),
    @Dependent(name = "deployment", type = DeploymentDependent.class),
    @Dependent(name = "service", type = ServiceDependent.class),
    @Dependent(name = "pod-disruption-budget", type = PodDisruptionBudgetDependent.class,
        reconcilePrecondition = PodDisruptionBudgetDependent.Wanted.class),
    @Dependent(name = "service-monitor", type = ServiceMonitorDependent.class,
        activationCondition = ServiceMonitorDependent.CrdInstalled.class,
        reconcilePrecondition = ServiceMonitorDependent.Wanted.class)
})
@ControllerConfiguration(name = OperatedServiceReconciler.NAME, fieldManager = "operated")
public class OperatedServiceReconciler implements Reconciler<OperatedService> {

  public static final String NAME = "operatedservice";
  private static final Logger LOG = LoggerFactory.getLogger(OperatedServiceReconciler.class);

  private final ObservedCluster cluster;
  private final ServiceEvents events;
  private final Clock clock;

  public OperatedServiceReconciler(ObservedCluster cluster, ServiceEvents events, Clock clock) {
    this.cluster = cluster;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, OperatedService>> prepareEventSources(
      EventSourceContext<OperatedService> context) {
    return List.of(ServicePods.eventSource(context));
  }

  @Override
  public UpdateControl<OperatedService> reconcile(OperatedService resource,
      Context<OperatedService> context) {
    ClusterFacts facts = cluster.observe(resource.getMetadata().getNamespace());
    ObservedCluster.put(context, facts);
    List<SpecProblem> problems = DesiredState.problems(resource, facts);
    if (problems.isEmpty()) {
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    } else {
      LOG.info("not applying {}/{}: {} problem(s) in the spec",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
          problems.size());
    }
    OperatedServiceStatus status = StatusAggregator.aggregate(resource,
        context.getSecondaryResource(Deployment.class),
        List.copyOf(context.getSecondaryResources(Pod.class)), problems, clock.instant());
    ServiceSignals.observe(context, resource, status);
    if (status.equals(resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    events.onTransition(resource, status);
    // A fresh object with only the status: patching the cached resource would carry a stale
    // resourceVersion and spec fields this patch must not own.
    OperatedService statusOnly = new OperatedService();
    statusOnly.getMetadata().setName(resource.getMetadata().getName());
    statusOnly.getMetadata().setNamespace(resource.getMetadata().getNamespace());
    statusOnly.setStatus(status);
    return UpdateControl.patchStatus(statusOnly);
  }
}
