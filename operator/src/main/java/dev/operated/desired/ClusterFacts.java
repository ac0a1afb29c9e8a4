package dev.operated.desired;

import java.util.Map;

/**
 * What the desired state depends on besides the spec. Observed from the cluster by the reconciler
 * and given on the command line by {@code render}, so the builders stay pure.
 *
 * @param namespaceLabels labels of the service's namespace (mesh injection is declared there)
 */
public record ClusterFacts(KubernetesVersion version, boolean prometheusOperatorInstalled,
    Map<String, String> namespaceLabels) {

  public ClusterFacts {
    namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
  }

  /** The kubelet's {@code preStop: sleep} action: beta and on by default from 1.30. */
  public boolean supportsSleepPreStop() {
    return version.atLeast(1, 30);
  }

  /** Init containers with {@code restartPolicy: Always}: beta and on by default from 1.29. */
  public boolean supportsNativeSidecars() {
    return version.atLeast(1, 29);
  }
}
