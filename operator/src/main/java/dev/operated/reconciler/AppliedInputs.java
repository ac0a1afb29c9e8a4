package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.RecentlyUsed;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What each service's workflow last ran on: the spec's generation, the cluster facts and every
 * dependent as the cache held it. A reconcile that finds all of them as they were has nothing to
 * apply, and skips building the desired objects and comparing them with the cache. Most
 * reconciles in a storm are for a pod's or a Deployment's status (9 to 10 per service at
 * N = 1,000), and building and comparing was 12 % of the operator's CPU while the services were
 * applied (docs/benchmarks.md, "the sixth round").
 *
 * <p>A dependent is as it was while its uid, the metadata the operator sets (labels, annotations,
 * owners) and its spec are: the spec by {@code generation} for the kinds whose status a controller
 * writes on every pod change (Deployment, PodDisruptionBudget), where the API server counts spec
 * changes; by {@code resourceVersion} for the others, which only writers change. The state is
 * taken before the workflow runs, so a workflow that writes leaves a state the next reconcile no
 * longer finds (its write is a new version), and that reconcile compares again. Whatever the
 * states say, the comparison runs again once {@link #LONGEST} has passed.
 */
final class AppliedInputs {

  /** The longest the comparison is skipped: the periodic resync's interval. */
  static final Duration LONGEST = Duration.ofMinutes(OperatedServiceReconciler.RESYNC_MINUTES);
  /** Every kind a workflow applies. */
  private static final List<Class<? extends HasMetadata>> DEPENDENT_KINDS = List.of(Deployment.class,
      Service.class, PodDisruptionBudget.class, ConfigMap.class, ServiceMonitor.class);
  /** Kinds whose generation the API server raises on a spec change and not on a status write. */
  private static final Set<String> SPEC_COUNTED = Set.of("Deployment", "PodDisruptionBudget");
  /** Enough for every service one operator watches; the oldest is forgotten first. */
  private static final int REMEMBERED = 10_000;

  /** One dependent as the cache holds it, reduced to what the operator's apply would change. */
  record DependentState(String kind, String name, String uid, String version,
      Map<String, String> labels, Map<String, String> annotations, List<OwnerReference> owners) {

    static DependentState of(HasMetadata object) {
      ObjectMeta metadata = object.getMetadata();
      Long generation = metadata.getGeneration();
      String version = SPEC_COUNTED.contains(object.getKind()) && generation != null
          && generation > 0 ? "generation " + generation
          : "resourceVersion " + metadata.getResourceVersion();
      // the cached object's own maps, not copies: the cache replaces objects, never edits them
      return new DependentState(object.getKind(), metadata.getName(), metadata.getUid(), version,
          metadata.getLabels(), metadata.getAnnotations(), metadata.getOwnerReferences());
    }
  }

  /** What a workflow ran on. */
  record Inputs(long generation, ClusterFacts facts, List<DependentState> dependents) {
  }

  private record Ran(Inputs inputs, Instant at) {
  }

  private final Map<String, Ran> lastRuns = RecentlyUsed.synchronizedMap(REMEMBERED);

  /**
   * Runs {@code workflow} unless it last ran on the same inputs less than {@link #LONGEST} ago;
   * returns whether it ran. A workflow that throws is not remembered, nor one that left a
   * dependent not ready (the collector's configuration kept for pods that may still mount it):
   * it runs again at the next event, the Deployment's status as its rollout goes on.
   */
  boolean runUnlessUnchanged(OperatedService resource, ClusterFacts facts,
      Context<OperatedService> context, Instant now,
      Supplier<WorkflowReconcileResult> workflow) {
    String uid = resource.getMetadata().getUid();
    Long generation = resource.getMetadata().getGeneration();
    if (uid == null || generation == null) {
      workflow.get();
      return true;
    }
    Inputs inputs = new Inputs(generation, facts, dependents(context));
    Ran last = lastRuns.get(uid);
    if (last != null && last.inputs().equals(inputs)
        && Duration.between(last.at(), now).compareTo(LONGEST) < 0) {
      return false;
    }
    lastRuns.remove(uid);
    if (workflow.get().allDependentResourcesReady()) {
      lastRuns.put(uid, new Ran(inputs, now));
    }
    return true;
  }

  private static List<DependentState> dependents(Context<OperatedService> context) {
    return DEPENDENT_KINDS.stream()
        .flatMap(kind -> context.getSecondaryResources(kind).stream())
        .map(DependentState::of)
        .sorted(Comparator.comparing(DependentState::kind).thenComparing(DependentState::name,
            Comparator.nullsFirst(Comparator.naturalOrder())))
        .toList();
  }
}
