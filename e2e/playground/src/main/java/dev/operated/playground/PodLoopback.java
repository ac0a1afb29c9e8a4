package dev.operated.playground;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code localhost} inside a pod is the pod's own network namespace: a URL to it reaches the
 * other containers of the same pod (the app exporting to its collector sidecar at
 * {@code http://localhost:4318}). The local node has no namespaces; a pod's containers listen on
 * the pod's address instead, so a URL's {@code localhost} host in a container's environment is
 * given as that address.
 */
final class PodLoopback {

  /** {@code localhost} as the host of a URL: after {@code ://}, before a port, path or end. */
  private static final Pattern URL_HOST = Pattern.compile("(?<=://)localhost(?=[:/]|$)");

  private PodLoopback() {
  }

  static Map<String, String> inPod(Map<String, String> env, String podAddress) {
    Map<String, String> rewritten = new LinkedHashMap<>();
    env.forEach((name, value) -> rewritten.put(name,
        URL_HOST.matcher(value).replaceAll(podAddress)));
    return rewritten;
  }
}
