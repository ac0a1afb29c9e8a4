package dev.operated.desired;

import java.util.Map;

/**
 * What the desired state depends on besides the spec: the cluster (observed by the reconciler,
 * given on the command line by {@code render}) and the operator's own settings. With these as
 * inputs the builders stay pure.
 *
 * @param namespaceLabels      labels of the service's namespace (istio-injection, istio.io/rev)
 * @param namespaceAnnotations annotations of the namespace (linkerd.io/inject)
 */
public record ClusterFacts(KubernetesVersion version, boolean prometheusOperatorInstalled,
    Map<String, String> namespaceLabels, Map<String, String> namespaceAnnotations,
    CollectorDefaults collector) {

  public ClusterFacts {
    namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
    namespaceAnnotations = namespaceAnnotations == null ? Map.of()
        : Map.copyOf(namespaceAnnotations);
    collector = collector == null ? CollectorDefaults.standard() : collector;
  }

  public ClusterFacts(KubernetesVersion version, boolean prometheusOperatorInstalled,
      Map<String, String> namespaceLabels) {
    this(version, prometheusOperatorInstalled, namespaceLabels, Map.of(),
        CollectorDefaults.standard());
  }

  /** The kubelet's {@code preStop: sleep} action: beta and on by default from 1.30. */
  public boolean supportsSleepPreStop() {
    return version.atLeast(1, 30);
  }

  /** Init containers with {@code restartPolicy: Always}: beta and on by default from 1.29. */
  public boolean supportsNativeSidecars() {
    return version.atLeast(1, 29);
  }

  public ClusterFacts withNamespace(Map<String, String> labels, Map<String, String> annotations) {
    return new ClusterFacts(version, prometheusOperatorInstalled, labels, annotations, collector);
  }
}
