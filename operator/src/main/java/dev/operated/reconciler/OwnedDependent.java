package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredDigest;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dependent the operator creates and owns. JOSDK creates with server-side apply guarded by
 * {@code resourceVersion: "1"}, so an object of the same name that its informer does not see is
 * never overwritten; the API server answers 409 instead. Two things reach that guard, and a bare
 * retry would answer both with a 409 every backoff, forever:
 * <ul>
 *   <li>an object of ours that left the informer's view because someone removed its managed-by
 *       label: it is taken back (the apply restores the label);</li>
 *   <li>a foreign object of the same name: it is left alone, and the status says which object
 *       is in the way and what to do.</li>
 * </ul>
 */
abstract class OwnedDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, OperatedService> {

  private static final Logger LOG = LoggerFactory.getLogger(OwnedDependent.class);

  /**
   * The digest of what this dependent applies for each service ({@link PerGeneration}): the
   * builders are pure in the spec and the cluster facts, and digesting the whole object was the
   * largest share of building it.
   */
  private final PerGeneration<String> digests = new PerGeneration<>();

  OwnedDependent(Class<R> type) {
    super(type);
  }

  /** What the operator applies, as a pure builder in {@code desired} makes it. */
  protected abstract R build(OperatedService primary, Context<OperatedService> context);

  /**
   * Whether {@code built} follows from the spec and the cluster facts alone, so its digest can
   * be remembered for them; one that also read the cluster's state is digested afresh.
   */
  protected boolean fromSpecAndFactsAlone(OperatedService primary, ClusterFacts facts,
      R built) {
    return true;
  }

  /**
   * Built once per reconcile. JOSDK asks for it twice: for the name it finds the cached object
   * by ({@code targetSecondaryResourceID}), then to apply or compare; building and digesting
   * twice was a tenth of the operator's CPU in a storm (docs/benchmarks.md, "CPU per reconcile").
   * The context lives for one reconcile, so a changed spec or cluster fact is never answered from
   * an older build.
   */
  @Override
  protected final R desired(OperatedService primary, Context<OperatedService> context) {
    var reconcileScope = context.managedWorkflowAndDependentResourceContext();
    Optional<R> builtBefore = reconcileScope.get(this, resourceType());
    if (builtBefore.isPresent()) {
      return builtBefore.get();
    }
    Optional<ClusterFacts> facts = reconcileScope.get(ClusterFacts.class, ClusterFacts.class);
    R built = build(primary, context);
    R desired = DesiredDigest.stamped(built, unstamped ->
        facts.isPresent() && fromSpecAndFactsAlone(primary, facts.get(), unstamped)
            ? digests.get(primary, facts.get(), () -> DesiredDigest.of(unstamped))
            : DesiredDigest.of(unstamped));
    reconcileScope.put(this, desired);
    return desired;
  }

  /**
   * Compared with the object as the informer keeps it, without {@code managedFields}
   * ({@link AppliedState}), instead of JOSDK's matcher, which reads them.
   */
  @Override
  public Result<R> match(R actual, R desired, OperatedService primary,
      Context<OperatedService> context) {
    addMetadata(true, actual, desired, primary, context);
    Optional<String> difference = AppliedState.firstDifference(actual, desired);
    // the one line that says why an object is applied again, when writes repeat
    difference.ifPresent(path -> LOG.debug("{} {}/{} differs from the desired state at {}",
        actual.getKind(), actual.getMetadata().getNamespace(), actual.getMetadata().getName(),
        path));
    return Result.computed(difference.isEmpty(), desired);
  }

  @Override
  public R create(R desired, OperatedService primary, Context<OperatedService> context) {
    try {
      return super.create(desired, primary, context);
    } catch (KubernetesClientException conflict) {
      if (conflict.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw conflict;
      }
      R existing = context.getClient().resource(desired).get();
      if (existing == null) {
        throw conflict; // deleted in between: the retry creates it
      }
      if (!ownedBy(existing, primary)) {
        throw new IllegalStateException(existing.getKind() + " "
            + existing.getMetadata().getNamespace() + "/" + existing.getMetadata().getName()
            + " already exists and was not created for this OperatedService (it has no owner "
            + "reference to it), so the operator leaves it alone: delete it, or give the "
            + "OperatedService another name");
      }
      desired.getMetadata().setResourceVersion(null);
      return update(existing, desired, primary, context);
    }
  }

  private static boolean ownedBy(HasMetadata existing, OperatedService primary) {
    List<OwnerReference> owners = existing.getMetadata().getOwnerReferences();
    return owners != null && owners.stream()
        .anyMatch(owner -> primary.getMetadata().getUid().equals(owner.getUid()));
  }
}
