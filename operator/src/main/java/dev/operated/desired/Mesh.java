package dev.operated.desired;

import dev.operated.api.OperatedServiceSpec;
import java.util.Map;

/** The service mesh whose proxy will be injected into the pods. */
public enum Mesh {
  NONE, ISTIO, LINKERD;

  /**
   * An explicit spec.mesh wins; {@code auto} reads the injection switches the meshes' own
   * webhooks read: the pod template's first (it can opt out), then the namespace's.
   */
  public static Mesh of(OperatedServiceSpec spec, ClusterFacts facts) {
    return switch (spec.mesh()) {
      case ISTIO -> ISTIO;
      case LINKERD -> LINKERD;
      case NONE -> NONE;
      case AUTO -> detect(spec.podLabels(), spec.podAnnotations(), facts);
    };
  }

  /** The per-pod switch both meshes honour over their installation-wide default. */
  static final String ISTIO_NATIVE_SIDECAR = "sidecar.istio.io/nativeSidecar";
  static final String LINKERD_NATIVE_SIDECAR = "config.alpha.linkerd.io/proxy-enable-native-sidecar";

  /**
   * Whether the proxy will run as a native sidecar. The operator asks for it wherever the cluster
   * has native sidecars (so the answer never depends on how the mesh was installed) unless the
   * service's own pod annotations say "false".
   */
  public boolean proxyIsNativeSidecar(OperatedServiceSpec spec, ClusterFacts facts) {
    String optOut = switch (this) {
      case ISTIO -> spec.podAnnotations().get(ISTIO_NATIVE_SIDECAR);
      case LINKERD -> spec.podAnnotations().get(LINKERD_NATIVE_SIDECAR);
      case NONE -> null;
    };
    return this != NONE && facts.supportsNativeSidecars() && !"false".equals(optOut);
  }

  private static Mesh detect(Map<String, String> podLabels, Map<String, String> podAnnotations,
      ClusterFacts facts) {
    String istioPod = podLabels.getOrDefault("sidecar.istio.io/inject",
        podAnnotations.get("sidecar.istio.io/inject"));
    String linkerdPod = podAnnotations.get("linkerd.io/inject");
    if ("true".equals(istioPod)) {
      return ISTIO;
    }
    if ("enabled".equals(linkerdPod) || "ingress".equals(linkerdPod)) {
      return LINKERD;
    }
    boolean istioNamespace = "enabled".equals(facts.namespaceLabels().get("istio-injection"))
        || facts.namespaceLabels().containsKey("istio.io/rev");
    if (istioNamespace && !"false".equals(istioPod)) {
      return ISTIO;
    }
    if ("enabled".equals(facts.namespaceAnnotations().get("linkerd.io/inject"))
        && !"disabled".equals(linkerdPod)) {
      return LINKERD;
    }
    return NONE;
  }
}
