package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.status.StatusAggregator;
import dev.operated.validation.OperatedServiceValidator;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe, then reconcile: read the cluster facts, check the spec, and only when it is valid run
 * the workflow that applies the desired state (server-side apply, field manager "operated"),
 * unless it already ran on this spec, these facts and these dependents ({@link AppliedInputs}).
 * An invalid spec is reported in the status and leaves everything running as it was.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "collector-config", type = CollectorConfigDependent.class,
        reconcilePrecondition = CollectorConfigDependent.Wanted.class,
        readyPostcondition = CollectorConfigDependent.Settled.class),
    @Dependent(name = "deployment", type = DeploymentDependent.class),
    @Dependent(name = "service", type = ServiceDependent.class),
    @Dependent(name = "pod-disruption-budget", type = PodDisruptionBudgetDependent.class,
        reconcilePrecondition = PodDisruptionBudgetDependent.Wanted.class),
    @Dependent(name = "service-monitor", type = ServiceMonitorDependent.class,
        activationCondition = ServiceMonitorDependent.CrdInstalled.class,
        reconcilePrecondition = ServiceMonitorDependent.Wanted.class)
})
@ControllerConfiguration(name = OperatedServiceReconciler.NAME,
    fieldManager = OperatedServiceReconciler.FIELD_MANAGER,
    maxReconciliationInterval = @MaxReconciliationInterval(
        interval = OperatedServiceReconciler.RESYNC_MINUTES, timeUnit = TimeUnit.MINUTES))
// Never give up: JOSDK's default stops after 5 attempts (about 26 s) and then waits for the next
// event or resync, so an API outage of a minute left changes unapplied for hours. Backing off to
// a minute keeps the load of a long outage low and the recovery within a minute of its end.
@GradualRetry(maxAttempts = -1, initialInterval = 1_000, intervalMultiplier = 2,
    maxInterval = 60_000)
public class OperatedServiceReconciler implements Reconciler<OperatedService> {

  public static final String NAME = "operatedservice";
  /** The field manager of every server-side apply of the operator's objects. */
  public static final String FIELD_MANAGER = "operated";
  /**
   * A reconcile of every service this often even without an event: a missed event or a change
   * nothing watches is put right within it. Reads come from caches, so an idle one costs no
   * request and, with nothing changed, writes nothing.
   */
  static final int RESYNC_MINUTES = 10;
  /** A fact not observed yet (no version read, a namespace not in the cache) is asked again. */
  static final Duration FACTS_UNKNOWN_RETRY = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(OperatedServiceReconciler.class);

  private final ObservedCluster cluster;
  private final StatusDeferral deferral;
  private final StatusReport report;
  private final CheckedSpecs checkedSpecs = new CheckedSpecs();
  private final AppliedInputs appliedInputs = new AppliedInputs();
  private final Clock clock;

  public OperatedServiceReconciler(ObservedCluster cluster, ServiceEvents events, Clock clock) {
    this.cluster = cluster;
    this.deferral = new StatusDeferral(clock);
    this.report = new StatusReport(events, deferral, clock);
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, OperatedService>> prepareEventSources(
      EventSourceContext<OperatedService> context) {
    List<EventSource<?, OperatedService>> sources = new ArrayList<>();
    sources.addAll(ServicePods.eventSources(context));
    sources.addAll(cluster.eventSources(context));
    sources.add(ServiceAutoscalers.eventSource(context));
    return sources;
  }

  @Override
  public UpdateControl<OperatedService> reconcile(OperatedService resource,
      Context<OperatedService> context) {
    if (cluster.namespaceBeingDeleted(resource.getMetadata().getNamespace())) {
      // the namespace controller deletes the service with everything else; anything applied or
      // written now would be refused or deleted after it
      LOG.info("not applying {}/{}: its namespace is being deleted",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
    Optional<ClusterFacts> observed = cluster.observe(resource.getMetadata().getNamespace());
    if (observed.isEmpty()) {
      LOG.info("not applying {}/{} yet: the cluster's version or its namespace is not known yet",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName());
      return UpdateControl.<OperatedService>noUpdate().rescheduleAfter(FACTS_UNKNOWN_RETRY);
    }
    ClusterFacts facts = observed.get();
    ObservedCluster.put(context, facts);
    List<SpecProblem> problems = resource.getSpec() == null
        ? OperatedServiceValidator.validate(StoredObject.read(context.getClient(), resource), facts)
        : checkedSpecs.problems(resource, facts, built -> DeploymentDependent.use(context, built));
    if (problems.isEmpty()) {
      if (ServiceDeployment.of(resource, context).isEmpty()) {
        deferral.creating(resource);
      }
      appliedInputs.runUnlessUnchanged(resource, facts, context, clock.instant(),
          () -> ApplyFailure.marking(() ->
              context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()));
    } else {
      LOG.info("not applying {}/{}: {} problem(s) in the spec",
          resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
          problems.size());
    }
    ServiceDeployment applied = ServiceDeployment.read(resource, context);
    Instant now = clock.instant();
    OperatedServiceStatus status = StatusAggregator.aggregate(resource, applied.deployment(),
        applied.pods(), applied.autoscalers(), problems, now);
    return report.afterReconcile(resource, context, applied, status,
        StatusAggregator.reevaluateAfter(status, applied.pods(), now));
  }

  /**
   * When the API server refuses an apply (or is down), say so in the status, naming the object
   * and the API's message; JOSDK keeps retrying and the next success replaces it. Any other
   * failure leaves the status as it is for the retry to write.
   */
  @Override
  public ErrorStatusUpdateControl<OperatedService> updateErrorStatus(OperatedService resource,
      Context<OperatedService> context, Exception failure) {
    String service = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    Optional<ApplyFailure.ApplyFailed> applyFailed = ApplyFailure.of(failure);
    if (applyFailed.isPresent() && ApplyFailure.namespaceTerminating(applyFailed.get())) {
      // the namespace's deletion seen by the API server before this operator's cache: the next
      // attempt finds it there and applies nothing
      LOG.info("not applying {}: its namespace is being deleted", service);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    if (applyFailed.isEmpty()) {
      LOG.warn("reconciling {} failed, not in applying its objects; retrying: {}", service,
          failure.toString());
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    ServiceDeployment applied = ServiceDeployment.read(resource, context);
    return report.afterFailure(resource, context, applied, StatusAggregator.applyFailed(resource,
        applied.deployment(), ApplyFailure.describe(applyFailed.get().workflowFailure(), service),
        clock.instant()));
  }
}
