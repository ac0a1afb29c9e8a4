package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/**
 * The copy of an OperatedService JOSDK hands each reconcile: its own metadata, the cached
 * object's spec and status.
 *
 * <p>JOSDK copies the cached primary before every reconcile, so that the reconciler may change
 * it, and its default copy writes the whole object to JSON and reads it back: 8 % of the
 * operator's CPU samples in a storm of a thousand services, at about ten reconciles each
 * (docs/benchmarks.md). Nothing here changes a primary's spec or status (they are records, and a
 * status is reported on a fresh object, {@link StatusReport}); JOSDK itself changes only the
 * copy's metadata (its resourceVersion, around a status update without server-side apply), which
 * is the copy's own. Any other object is copied as JOSDK copies it.
 */
final class SpecSharingCloner implements Cloner {

  private final KubernetesSerialization serialization;

  SpecSharingCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    if (object.getClass() != OperatedService.class) {
      return serialization.clone(object);
    }
    OperatedService cached = (OperatedService) object;
    OperatedService copy = new OperatedService();
    copy.setMetadata(new ObjectMetaBuilder(cached.getMetadata()).build());
    copy.setSpec(cached.getSpec());
    copy.setStatus(cached.getStatus());
    @SuppressWarnings("unchecked")
    R same = (R) copy;
    return same;
  }
}
