package dev.operated.validation;

import dev.operated.api.SpecProblem;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an API server of a given version would say about the objects {@code render} produced:
 * the same core rules ({@link KubernetesRules}) applied to the rendered pod template instead of
 * the spec, plus the parts of the pod schema that depend on the version. Paths are the rendered
 * objects' own (Deployment/orders: spec.template.spec.containers[0].env[1].name).
 */
final class RenderedObjects {

  /** util {@code IsValidPortName}: at most 15 lowercase letters, digits, '-'; a letter. */
  private static final Pattern PORT_NAME = Pattern.compile("[-a-z0-9]{1,15}");

  private RenderedObjects() {
  }

  static List<SpecProblem> problems(List<HasMetadata> objects, KubernetesVersion version) {
    List<SpecProblem> problems = new ArrayList<>();
    for (HasMetadata object : objects) {
      String where = object.getKind() + "/" + object.getMetadata().getName() + ": ";
      problems.addAll(KubernetesRules.labels(where + "metadata.labels",
          nonNull(object.getMetadata().getLabels())));
      problems.addAll(KubernetesRules.annotations(where + "metadata.annotations",
          nonNull(object.getMetadata().getAnnotations())));
      if (object instanceof Deployment deployment) {
        deployment(where, deployment, version, problems);
      }
      if (object instanceof Service service) {
        problems.addAll(KubernetesRules.serviceName(where + "metadata.name",
            service.getMetadata().getName()));
        List<ServicePort> ports = service.getSpec().getPorts();
        for (int i = 0; i < ports.size(); i++) {
          portNumber(where + "spec.ports[" + i + "].port", ports.get(i).getPort(), problems);
        }
      }
    }
    return problems;
  }

  private static void deployment(String where, Deployment deployment, KubernetesVersion version,
      List<SpecProblem> problems) {
    PodTemplateSpec template = deployment.getSpec().getTemplate();
    Map<String, String> labels = nonNull(template.getMetadata().getLabels());
    problems.addAll(KubernetesRules.labels(where + "spec.template.metadata.labels", labels));
    problems.addAll(KubernetesRules.annotations(where + "spec.template.metadata.annotations",
        nonNull(template.getMetadata().getAnnotations())));
    // apps ValidateDeploymentSpec: the selector must match the template's labels.
    deployment.getSpec().getSelector().getMatchLabels().forEach((key, value) -> {
      if (!value.equals(labels.get(key))) {
        problems.add(new SpecProblem(where + "spec.selector", "does not match the template's "
            + "labels at " + key));
      }
    });
    PodSpec pod = template.getSpec();
    Long grace = pod.getTerminationGracePeriodSeconds();
    if (grace != null && grace < 0) {
      problems.add(new SpecProblem(where + "spec.template.spec.terminationGracePeriodSeconds",
          "is negative"));
    }
    Set<String> names = new HashSet<>();
    List<Container> containers = pod.getContainers();
    for (int i = 0; i < containers.size(); i++) {
      container(where + "spec.template.spec.containers[" + i + "]", containers.get(i), grace,
          version, names, problems);
    }
    List<Container> init = nonNull(pod.getInitContainers());
    for (int i = 0; i < init.size(); i++) {
      String path = where + "spec.template.spec.initContainers[" + i + "]";
      Container container = init.get(i);
      container(path, container, grace, version, names, problems);
      // core validateInitContainers: restartPolicy (native sidecars) is served from 1.29.
      if (container.getRestartPolicy() != null && !version.atLeast(1, 29)) {
        problems.add(new SpecProblem(path + ".restartPolicy", "not served before 1.29"));
      }
      if (container.getRestartPolicy() == null && (container.getLifecycle() != null
          || container.getReadinessProbe() != null || container.getLivenessProbe() != null)) {
        problems.add(new SpecProblem(path, "lifecycle and probes need restartPolicy Always"));
      }
    }
  }

  private static void container(String path, Container container, Long grace,
      KubernetesVersion version, Set<String> names, List<SpecProblem> problems) {
    // core validateContainerCommon: a DNS-1123 label name, unique in the pod; an image.
    if (!KubernetesRules.isDns1123Label(container.getName()) || !names.add(container.getName())) {
      problems.add(new SpecProblem(path + ".name", "'" + container.getName() + "' is not a "
          + "unique DNS-1123 label"));
    }
    if (container.getImage() == null || container.getImage().isEmpty()) {
      problems.add(new SpecProblem(path + ".image", "is required"));
    }
    List<EnvVar> env = nonNull(container.getEnv());
    problems.addAll(KubernetesRules.env(path + ".env", env, version));
    for (int i = 0; i < env.size(); i++) {
      EnvVar variable = env.get(i);
      if (variable.getValueFrom() != null && variable.getValueFrom().getFileKeyRef() != null
          && !version.atLeast(1, 35)) {
        problems.add(new SpecProblem(path + ".env[" + i + "]", "fileKeyRef before 1.35"));
      }
      if (variable.getValueFrom() != null && variable.getValueFrom().getFieldRef() != null
          && "status.hostIPs".equals(variable.getValueFrom().getFieldRef().getFieldPath())
          && !version.atLeast(1, 29)) {
        problems.add(new SpecProblem(path + ".env[" + i + "]", "status.hostIPs before 1.29"));
      }
    }
    problems.addAll(KubernetesRules.resources(path + ".resources", container.getResources()));
    // core validateContainerPorts: valid, unique names; numbers in range.
    Set<String> portNames = new HashSet<>();
    List<ContainerPort> ports = nonNull(container.getPorts());
    for (int i = 0; i < ports.size(); i++) {
      ContainerPort port = ports.get(i);
      String name = port.getName();
      if (name != null && (!PORT_NAME.matcher(name).matches() || !name.matches(".*[a-z].*")
          || name.startsWith("-") || name.endsWith("-") || name.contains("--")
          || !portNames.add(name))) {
        problems.add(new SpecProblem(path + ".ports[" + i + "].name", "'" + name + "'"));
      }
      portNumber(path + ".ports[" + i + "].containerPort", port.getContainerPort(), problems);
    }
    if (container.getLifecycle() != null && container.getLifecycle().getPreStop() != null) {
      LifecycleHandler preStop = container.getLifecycle().getPreStop();
      if (preStop.getSleep() != null) {
        // core validateSleepAction; the sleep action is served from 1.30 (PodLifecycleSleepAction).
        long seconds = preStop.getSleep().getSeconds();
        if (!version.atLeast(1, 30)) {
          problems.add(new SpecProblem(path + ".lifecycle.preStop.sleep", "not before 1.30"));
        }
        if (seconds <= 0 || (grace != null && seconds > grace)) {
          problems.add(new SpecProblem(path + ".lifecycle.preStop.sleep.seconds",
              seconds + " not in 1.." + grace));
        }
      }
    }
  }

  private static void portNumber(String path, Integer port, List<SpecProblem> problems) {
    if (port == null || port < 1 || port > 65535) {
      problems.add(new SpecProblem(path, port + " is not a port"));
    }
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Map<String, String> nonNull(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }
}
