package dev.operated.desired;

import dev.operated.api.ContractDefaults;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OtlpProtocol;
import dev.operated.api.TelemetryMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Deployment a senior SRE would have written by hand for an OperatedService. */
public final class DesiredDeployment {

  public static final String METRICS_PORT_NAME = "metrics";
  public static final String HEALTH_PORT_NAME = "health";

  private DesiredDeployment() {
  }

  public static Deployment build(OperatedService resource, ClusterFacts facts) {
    OperatedServiceSpec spec = resource.getSpec();
    TerminationBudget budget = DesiredState.budget(resource, facts);
    Map<String, String> podLabels = new LinkedHashMap<>(spec.podLabels());
    podLabels.putAll(StandardLabels.of(resource));
    boolean sidecar = spec.telemetry().mode() == TelemetryMode.SIDECAR;
    List<Container> containers = new ArrayList<>();
    List<Container> initContainers = new ArrayList<>();
    List<Volume> volumes = new ArrayList<>();
    containers.add(appContainer(resource, budget));
    if (sidecar) {
      Container collector = CollectorSidecar.container(resource, facts, budget);
      if (facts.supportsNativeSidecars()) {
        // Last of the init containers: a mesh proxy injected before it outlives it.
        initContainers.add(collector);
      } else {
        initContainers.add(CollectorSidecar.sleepHelper(facts));
        containers.add(collector);
      }
      volumes.addAll(CollectorSidecar.volumes(resource, facts));
    }

    Deployment deployment = new DeploymentBuilder()
        .withNewMetadata()
          .withName(resource.getMetadata().getName())
          .withNamespace(resource.getMetadata().getNamespace())
          .withLabels(StandardLabels.of(resource))
        .endMetadata()
        .withNewSpec()
          // Unset when the user leaves scaling to an HPA: server-side apply then never owns it.
          .withReplicas(spec.replicas())
          .withNewSelector().withMatchLabels(StandardLabels.selector(resource)).endSelector()
          .withNewStrategy()
            .withType("RollingUpdate")
            // Never below the desired ready capacity during a rollout.
            .withNewRollingUpdate()
              .withMaxUnavailable(new IntOrString(0))
              .withMaxSurge(new IntOrString("25%"))
            .endRollingUpdate()
          .endStrategy()
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(podLabels)
              .withAnnotations(podAnnotations(resource, facts, budget))
            .endMetadata()
            .withNewSpec()
              .withTerminationGracePeriodSeconds(budget.gracePeriodSeconds())
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
    // Set on the built pod spec: given to the builder, each container would be copied into a
    // new builder and built again at every level above it (pod spec, template, Deployment
    // spec, Deployment), two fifths of the Deployment's build (docs/benchmarks.md).
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    pod.setInitContainers(initContainers);
    pod.setContainers(containers);
    pod.setVolumes(volumes);
    return deployment;
  }

  static Container appContainer(OperatedService resource, TerminationBudget budget) {
    OperatedServiceSpec spec = resource.getSpec();
    IntOrString healthPort = portReference(spec.health().port(), spec.port(), HEALTH_PORT_NAME);
    Container container = new ContainerBuilder()
        .withName(AppEnvironment.APP_CONTAINER)
        .withImage(spec.image())
        .withPorts(ports(spec))
        .withStartupProbe(Probes.startup(spec.health(), healthPort))
        .withLivenessProbe(Probes.liveness(spec.health(), healthPort))
        .withReadinessProbe(Probes.readiness(spec.health(), healthPort))
        // A crash's last log line (the panic event) becomes the termination message.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withResources(spec.resources())
        .withLifecycle(preStop(budget).orElse(null))
        .build();
    // set on the built container, as the containers on the pod: not copied twice by a builder
    container.setEnv(AppEnvironment.build(resource, budget, collectorEndpoint(spec)));
    return container;
  }

  static Optional<Lifecycle> preStop(TerminationBudget budget) {
    return switch (budget.drainMethod()) {
      case KUBELET_SLEEP -> Optional.of(new LifecycleBuilder()
          .withNewPreStop().withNewSleep((long) budget.drainSeconds()).endPreStop().build());
      case EXEC_SLEEP -> Optional.of(new LifecycleBuilder()
          .withNewPreStop().withNewExec()
            .withCommand("/bin/sh", "-c", "sleep " + budget.drainSeconds())
          .endExec().endPreStop().build());
      case APP, NONE -> Optional.empty();
    };
  }

  private static List<ContainerPort> ports(OperatedServiceSpec spec) {
    List<ContainerPort> ports = new ArrayList<>();
    ports.add(port(ContractDefaults.PORT_NAME, spec.port()));
    Integer health = spec.health().port();
    if (health != null && !health.equals(spec.port())) {
      ports.add(port(HEALTH_PORT_NAME, health));
    }
    Integer metrics = spec.metrics().port();
    if (metrics != null && !metrics.equals(spec.port()) && !metrics.equals(health)) {
      ports.add(port(METRICS_PORT_NAME, metrics));
    }
    return ports;
  }

  private static ContainerPort port(String name, int number) {
    return new ContainerPortBuilder().withName(name).withContainerPort(number)
        .withProtocol("TCP").build();
  }

  /** Named when it is a port we declared, so a port change never leaves a probe behind. */
  static IntOrString portReference(Integer port, int appPort, String separateName) {
    if (port == null || port == appPort) {
      return new IntOrString(ContractDefaults.PORT_NAME);
    }
    return new IntOrString(separateName);
  }

  /** The metrics port's name on the pod and the Service. */
  public static String metricsPortName(OperatedServiceSpec spec) {
    Integer metrics = spec.metrics().port();
    if (metrics == null || metrics.equals(spec.port())) {
      return ContractDefaults.PORT_NAME;
    }
    return metrics.equals(spec.health().port()) ? HEALTH_PORT_NAME : METRICS_PORT_NAME;
  }

  public static int metricsPort(OperatedServiceSpec spec) {
    return spec.metrics().port() == null ? spec.port() : spec.metrics().port();
  }

  /**
   * The pod template's annotations, the user's and the operator's, as {@link #build} sets them:
   * what the validator checks against the API server's size limit without building the rest.
   */
  public static Map<String, String> podAnnotations(OperatedService resource, ClusterFacts facts) {
    return podAnnotations(resource, facts, DesiredState.budget(resource, facts));
  }

  private static Map<String, String> podAnnotations(OperatedService resource, ClusterFacts facts,
      TerminationBudget budget) {
    OperatedServiceSpec spec = resource.getSpec();
    Map<String, String> annotations = new LinkedHashMap<>();
    // `kubectl logs` and `exec` pick the app, whatever sidecars are injected before it.
    annotations.put("kubectl.kubernetes.io/default-container", AppEnvironment.APP_CONTAINER);
    if (ScrapePlan.of(spec, facts) == ScrapePlan.ANNOTATIONS) {
      annotations.put("prometheus.io/scrape", "true");
      annotations.put("prometheus.io/port", Integer.toString(metricsPort(spec)));
      annotations.put("prometheus.io/path", spec.metrics().path());
    }
    // The user's annotations win: they may point a scraper somewhere we cannot know about.
    annotations.putAll(spec.podAnnotations());
    // Except the mesh settings the budget depends on, merged into the user's.
    annotations.putAll(MeshAnnotations.of(budget, spec.podAnnotations()));
    if (spec.telemetry().mode() == TelemetryMode.SIDECAR) {
      annotations.put(CollectorSidecar.CONFIG_HASH_ANNOTATION,
          CollectorSidecar.configHash(resource, facts));
    }
    return annotations;
  }

  /** In sidecar mode the app exports to the collector next to it, over loopback. */
  static Optional<String> collectorEndpoint(OperatedServiceSpec spec) {
    if (spec.telemetry().mode() != TelemetryMode.SIDECAR) {
      return Optional.empty();
    }
    OtlpProtocol protocol = spec.telemetry().protocol();
    return Optional.of("http://localhost:" + protocol.standardPort());
  }
}
