package dev.operated.reconciler;

import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredServiceMonitor;
import dev.operated.desired.KubernetesVersion;
import dev.operated.desired.StandardLabels;
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

  public ObservedCluster(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public ClusterFacts observe(Map<String, String> namespaceLabels) {
    Snapshot current = snapshot;
    if (current == null || current.readAt().plus(REFRESH).isBefore(clock.instant())) {
      current = new Snapshot(version(), prometheusOperatorInstalled(), clock.instant());
      snapshot = current;
    }
    return new ClusterFacts(current.version(), current.prometheusOperator(), namespaceLabels);
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
