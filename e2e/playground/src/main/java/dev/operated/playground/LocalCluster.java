package dev.operated.playground;

import dev.operated.api.OperatedService;
import dev.operated.cluster.Authorizer;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorMetrics;
import dev.operated.runtime.OperatorSettings;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The embedded API server with the local node, the CRD installed and the operator running in its
 * production configuration: a cluster on this machine, for the end-to-end tests and the
 * playground. Requests are authorized by RBAC: the operator's client is the chart's
 * ServiceAccount ({@link OperatorServiceAccount}), {@link #client()} the admin user.
 */
public final class LocalCluster implements AutoCloseable {

  public static final String FIELD_MANAGER = "kubectl";

  /** Whether the playground runs an operator of its own in this JVM. */
  public enum InProcessOperator {
    /** The end-to-end tests' operator, as the playground's ServiceAccount. */
    START,
    /**
     * None: the operator is whatever the user installs, e.g. the chart's Deployment, whose pod
     * the local node runs as a process ({@link LocalNodeSettings#withOperator}).
     */
    NONE
  }

  private final EmbeddedCluster cluster;
  private final ProcessNode node;
  private final KubernetesClient client;
  private final KubernetesClient operatorClient;
  /** Null with {@link InProcessOperator#NONE}. */
  private final Operator operator;
  /** The operator's metrics, as its runtime exposes them on /metrics. */
  private final OperatorMetrics metrics = new OperatorMetrics(false);
  private final List<AutoCloseable> fronts = new ArrayList<>();

  private LocalCluster(EmbeddedCluster cluster, ProcessNode node, InProcessOperator mode) {
    this.cluster = cluster;
    this.node = node;
    this.client = cluster.newClient();
    if (mode == InProcessOperator.START) {
      // the operator runs as the chart's ServiceAccount, under its rules, with RBAC on
      OperatorServiceAccount.install(client);
      this.operatorClient = OperatorClient.forConfig(
          cluster.serviceAccountConfig(OperatorServiceAccount.NAMESPACE,
              OperatorServiceAccount.NAME), OperatorSettings.DEFAULT_WATCH_TRANSPORT);
      this.operator = OperatedOperator.create(operatorClient, Clock.systemUTC(),
          overrides -> overrides.withMetrics(metrics.josdkMetrics()));
    } else {
      this.operatorClient = null;
      this.operator = null;
    }
  }

  /**
   * @param repoRoot          the repository, for its crds/ folder
   * @param settings          how the node runs pods
   * @param kubernetesVersion what the API server reports (decides sleep preStop, native sidecars)
   */
  public static LocalCluster start(Path repoRoot, LocalNodeSettings settings,
      String kubernetesVersion) {
    return start(repoRoot, settings, kubernetesVersion, InProcessOperator.START);
  }

  /** As {@link #start(Path, LocalNodeSettings, String)}, with or without an operator here. */
  public static LocalCluster start(Path repoRoot, LocalNodeSettings settings,
      String kubernetesVersion, InProcessOperator mode) {
    ProcessNode node = new ProcessNode(settings);
    EmbeddedCluster cluster = EmbeddedCluster.builder().kubernetesVersion(kubernetesVersion)
        .crds(repoRoot.resolve("crds")).node(node).authorization(Authorizer.Mode.RBAC)
        // HTTPS, or kubectl would not send the kubeconfig's token (client-go only does over TLS)
        .https(true).start();
    // pods with a ServiceAccount (the chart's operator) reach the API server as it
    node.connect(new PodApiAccess(cluster.config().getMasterUrl(),
        cluster::serviceAccountToken));
    LocalCluster local = new LocalCluster(cluster, node, mode);
    if (local.operator != null) {
      local.operator.start();
    }
    return local;
  }

  /** The operator's metrics in the Prometheus text format, as /metrics serves them. */
  public String operatorMetrics() {
    return metrics.scrape();
  }

  public KubernetesClient client() {
    return client;
  }

  public ProcessNode node() {
    return node;
  }

  public EmbeddedCluster apiServer() {
    return cluster;
  }

  public void createNamespace(String namespace) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .endMetadata().build()).serverSideApply();
  }

  /**
   * The manifest's OperatedService as the typed object, every default of its record filled in,
   * server-side applied as the field manager {@code kubectl} (the playground applies a file as
   * written: {@link FaultEndpointsSwitch}).
   */
  public OperatedService apply(Path manifest, String namespace) throws IOException {
    OperatedService resource;
    try (InputStream in = Files.newInputStream(manifest)) {
      resource = client.resources(OperatedService.class).load(in).item();
    }
    return apply(resource, namespace);
  }

  public OperatedService apply(OperatedService resource, String namespace) {
    resource.getMetadata().setNamespace(namespace);
    resource.getMetadata().setResourceVersion(null);
    resource.getMetadata().setManagedFields(null);
    resource.setStatus(null);
    return client.resource(resource).fieldManager(FIELD_MANAGER).forceConflicts()
        .serverSideApply();
  }

  /** The Service's address on this machine, once the operator has created the Service. */
  public ServiceFront front(String namespace, String serviceName, Duration propagation) {
    Service service = client.services().inNamespace(namespace).withName(serviceName)
        .waitUntilCondition(Objects::nonNull, 60, TimeUnit.SECONDS);
    ServiceFront front = new ServiceFront(client, service, propagation, node::endpoint);
    fronts.add(front);
    return front;
  }

  @Override
  public void close() {
    for (AutoCloseable front : fronts) {
      try {
        front.close();
      } catch (Exception e) {
        // closing a local proxy
      }
    }
    if (operator != null) {
      operator.stop();
      operatorClient.close();
    }
    metrics.close();
    client.close();
    cluster.close(); // closes the node: every process it started is stopped
  }
}
