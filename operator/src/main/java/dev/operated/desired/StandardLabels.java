package dev.operated.desired;

import dev.operated.api.ImageReference;
import dev.operated.api.LabelValues;
import dev.operated.api.OperatedService;
import java.util.LinkedHashMap;
import java.util.Map;

/** The app.kubernetes.io labels on everything the operator creates. */
public final class StandardLabels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String VERSION = "app.kubernetes.io/version";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "operated";

  private StandardLabels() {
  }

  /**
   * The Deployment's selector. Built from the resource's name only, because a selector is
   * immutable: no change of spec may ever change it.
   */
  public static Map<String, String> selector(OperatedService resource) {
    String name = resource.getMetadata().getName();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, name);
    labels.put(INSTANCE, name);
    return labels;
  }

  public static Map<String, String> of(OperatedService resource) {
    Map<String, String> labels = selector(resource);
    // a tag no label may carry (longer than 63, or ending in '-', '.' or '_') is left out: the
    // API server would refuse every object that carries it
    ImageReference.tag(resource.getSpec().image())
        .filter(LabelValues::isValid)
        .ifPresent(tag -> labels.put(VERSION, tag));
    labels.put(MANAGED_BY, MANAGER);
    return labels;
  }
}
