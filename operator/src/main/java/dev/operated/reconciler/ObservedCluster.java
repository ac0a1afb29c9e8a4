package dev.operated.reconciler;

import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorDefaults;
import dev.operated.desired.DesiredServiceMonitor;
import dev.operated.desired.KubernetesVersion;
import dev.operated.desired.StandardLabels;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observes the cluster facts the desired state depends on. Each fact is read at most once per
 * refresh interval: they change on upgrades and installs, not per reconcile.
 */
public final class ObservedCluster {

  static final String MANAGED_SELECTOR = StandardLabels.MANAGED_BY + "=" + StandardLabels.MANAGER;
  static final Duration REFRESH = Duration.ofMinutes(1);

  private static final Logger LOG = LoggerFactory.getLogger(ObservedCluster.class);

  private final KubernetesClient client;
  private final Clock clock;
  private volatile Snapshot snapshot;

  private record Snapshot(KubernetesVersion version, boolean prometheusOperator, Instant readAt) {
  }

  private final CollectorDefaults collectorDefaults;

  public ObservedCluster(KubernetesClient client, Clock clock,
      CollectorDefaults collectorDefaults) {
    this.client = client;
    this.clock = clock;
    this.collectorDefaults = collectorDefaults;
  }

  /** The facts for a service in this namespace (whose labels switch mesh injection on). */
  public ClusterFacts observe(String namespace) {
    Snapshot current = snapshot;
    if (current == null || current.readAt().plus(REFRESH).isBefore(clock.instant())) {
      current = new Snapshot(version(), prometheusOperatorInstalled(), clock.instant());
      snapshot = current;
    }
    Namespace found = namespace(namespace);
    Map<String, String> labels = found == null ? null : found.getMetadata().getLabels();
    Map<String, String> annotations = found == null ? null
        : found.getMetadata().getAnnotations();
    return new ClusterFacts(current.version(), current.prometheusOperator(), labels,
        annotations, collectorDefaults);
  }

  private Namespace namespace(String name) {
    try {
      return client.namespaces().withName(name).get();
    } catch (KubernetesClientException e) {
      // Without permission to read namespaces, mesh: auto sees only the pod's own switches.
      LOG.warn("cannot read namespace {} for mesh detection ({}); set spec.mesh explicitly",
          name, e.getMessage());
      return null;
    }
  }

  private KubernetesVersion version() {
    VersionInfo info = client.getKubernetesVersion();
    if (info.getMajor() != null && info.getMinor() != null) {
      return KubernetesVersion.of(info.getMajor(), info.getMinor());
    }
    return KubernetesVersion.parse(info.getGitVersion());
  }

  private boolean prometheusOperatorInstalled() {
    try {
      return client.apiextensions().v1().customResourceDefinitions()
          .withName(DesiredServiceMonitor.CRD_NAME).get() != null;
    } catch (KubernetesClientException e) {
      // Without permission to read CRDs, annotations are the safe way to be scraped.
      LOG.warn("cannot tell whether the Prometheus Operator is installed ({}); using "
          + "prometheus.io annotations", e.getMessage());
      return false;
    }
  }

  static void put(Context<?> context, ClusterFacts facts) {
    context.managedWorkflowAndDependentResourceContext().put(ClusterFacts.class, facts);
  }

  static ClusterFacts facts(Context<?> context) {
    return context.managedWorkflowAndDependentResourceContext()
        .getMandatory(ClusterFacts.class, ClusterFacts.class);
  }
}
