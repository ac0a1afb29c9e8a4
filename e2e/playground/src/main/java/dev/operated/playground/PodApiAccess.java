package dev.operated.playground;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * How a pod on the local node reaches the API server as its ServiceAccount, standing in for
 * what the kubelet mounts into a real pod (the projected token, the CA, the namespace file): a
 * process has no /var/run/secrets, so the same facts go into the environment variables fabric8's
 * {@code Config} reads ({@code kubernetes.master}, {@code kubernetes.auth.token}, ... as
 * upper-case variables). Only a pod naming its {@code spec.serviceAccountName} gets them, and
 * not when {@code automountServiceAccountToken} is false, as on a real node.
 *
 * @param masterUrl the API server's address
 * @param tokens    a ServiceAccount's token by namespace and name (the TokenRequest API)
 */
record PodApiAccess(String masterUrl, BiFunction<String, String, String> tokens) {

  /** The variables for the pod's containers; empty when it has no ServiceAccount to act as. */
  Map<String, String> environment(Pod pod) {
    String serviceAccount = pod.getSpec().getServiceAccountName();
    if (serviceAccount == null || serviceAccount.isEmpty()
        || Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
      return Map.of();
    }
    String namespace = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KUBERNETES_MASTER", masterUrl);
    env.put("KUBERNETES_AUTH_TOKEN", tokens.apply(namespace, serviceAccount));
    env.put("KUBERNETES_NAMESPACE", namespace);
    // the embedded API server's certificate is its own, self-signed; a real pod gets the CA
    env.put("KUBERNETES_TRUST_CERTIFICATES", "true");
    // the machine's ~/.kube/config is the user's, not the pod's
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    return env;
  }
}
