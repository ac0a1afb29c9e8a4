package dev.operated.playground;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: values in order, downward-API field
 * references filled in, and {@code $(VAR)} expanded from the variables declared before it
 * ({@code $$(VAR)} stays literal, an unknown reference is left as written).
 */
final class ContainerEnvironment {

  private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");

  private ContainerEnvironment() {
  }

  static Map<String, String> of(Pod pod, Container container, String podIp, String hostIp) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable : container.getEnv()) {
      String value;
      if (variable.getValueFrom() != null && variable.getValueFrom().getFieldRef() != null) {
        value = field(pod, variable.getValueFrom().getFieldRef(), podIp, hostIp);
      } else if (variable.getValueFrom() != null) {
        throw new IllegalArgumentException("env " + variable.getName() + " of container "
            + container.getName() + ": only fieldRef is supported by the local node");
      } else {
        value = expand(variable.getValue() == null ? "" : variable.getValue(), env);
      }
      env.put(variable.getName(), value);
    }
    return env;
  }

  static String expand(String value, Map<String, String> declared) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group().equals("$$")) {
        replacement = "$";
      } else {
        replacement = declared.getOrDefault(matcher.group(1), matcher.group());
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String field(Pod pod, ObjectFieldSelector selector, String podIp,
      String hostIp) {
    String path = selector.getFieldPath();
    return switch (path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP" -> podIp;
      case "status.hostIP" -> hostIp;
      default -> {
        if (path.startsWith("metadata.labels['") && path.endsWith("']")) {
          yield pod.getMetadata().getLabels().getOrDefault(label(path), "");
        }
        if (path.startsWith("metadata.annotations['") && path.endsWith("']")) {
          yield pod.getMetadata().getAnnotations().getOrDefault(label(path), "");
        }
        throw new IllegalArgumentException("fieldRef " + path + " is not supported by the "
            + "local node");
      }
    };
  }

  private static String label(String path) {
    return path.substring(path.indexOf("['") + 2, path.length() - 2);
  }
}
