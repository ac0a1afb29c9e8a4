package dev.operated.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A digest of everything the operator applies to one object, written on the object itself. It
 * is how the operator knows, without {@code managedFields}, that a field it used to set is no
 * longer wanted: comparing the desired object with the stored one finds every field the operator
 * sets that was changed or removed by someone else, but a field the operator stopped setting
 * (a container removed, a label dropped) is only visible as a different digest. Kept on the
 * object, it survives a restart, so an unchanged service is not re-applied.
 */
public final class DesiredDigest {

  public static final String ANNOTATION = "operated.dev/desired-digest";

  private static final ObjectMapper CANONICAL_JSON = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private DesiredDigest() {
  }

  /** {@code desired} with its digest annotation, computed over everything else it sets. */
  public static <R extends HasMetadata> R stamped(R desired) {
    return stamped(desired, DesiredDigest::of);
  }

  /**
   * {@code desired} with its digest annotation, as {@code digest} gives it for the object without
   * the annotation: {@link #of}, or one remembered for the same inputs of a pure builder.
   */
  public static <R extends HasMetadata> R stamped(R desired,
      Function<? super R, String> digest) {
    Map<String, String> annotations = desired.getMetadata().getAnnotations() == null
        ? new LinkedHashMap<>() : new LinkedHashMap<>(desired.getMetadata().getAnnotations());
    annotations.remove(ANNOTATION);
    desired.getMetadata().setAnnotations(annotations);
    annotations.put(ANNOTATION, digest.apply(desired));
    return desired;
  }

  /** The digest of everything an object sets (its digest annotation must not be on it). */
  public static String of(HasMetadata object) {
    try {
      // written straight from the object: bean properties come in the model's declared order,
      // every map (labels, annotations, selectors, data) in key order. Converting to a tree or
      // a map first cost twice the writing, in every reconcile of every dependent.
      return ShortHash.of(CANONICAL_JSON.writeValueAsBytes(object), 12);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a Kubernetes object is always serialisable", e);
    }
  }
}
