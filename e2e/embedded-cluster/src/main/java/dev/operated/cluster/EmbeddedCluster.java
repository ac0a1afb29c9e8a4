package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Kubernetes API server in this JVM, on a free loopback port: fabric8's CRUD mock server with
 * server-side apply, managedFields, garbage collection, a Deployment controller and a pluggable
 * node. What it emulates and what it does not is in this module's README.
 *
 * <pre>{@code
 * try (EmbeddedCluster cluster = EmbeddedCluster.builder().crds(Path.of("crds")).start();
 *      KubernetesClient client = cluster.newClient()) {
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedCluster implements AutoCloseable {

  /** Field managers of the server's own controllers; {@link RequestLog#clientWrites()} skips them. */
  static final Set<String> CONTROLLER_MANAGERS = Set.of(GarbageCollector.MANAGER,
      DeploymentController.MANAGER, Kubelet.MANAGER, "kube-scheduler", CrdEstablisher.MANAGER);

  private final ApiHttpServer server;
  private final Storage api;
  private final RequestPipeline pipeline;
  private final RequestLog requestLog;
  private final WatchControl watchControl;
  private final String kubernetesVersion;
  private final Config config;
  private final List<AutoCloseable> controllers;
  private final NamespaceController namespaces;

  private EmbeddedCluster(Builder builder) {
    this.kubernetesVersion = builder.kubernetesVersion;
    String[] parts = kubernetesVersion.split("\\.");
    VersionInfo version = new VersionInfo.Builder().withMajor(parts[0]).withMinor(parts[1])
        .withGitVersion("v" + kubernetesVersion + (parts.length > 2 ? "" : ".0"))
        .withPlatform("linux/amd64").withGoVersion("go1.24").build();
    this.requestLog = new RequestLog();
    this.api = new Storage(builder.clock);
    this.pipeline = new RequestPipeline(api, Serialization.asJson(version), builder.clock,
        requestLog);
    pipeline.reads = new ResourceReads(api, api::read, builder.node, builder.clock);
    pipeline.accessControl.mode(builder.authorization);
    // Not fabric8's mock web server: it buffers every body, and kubectl's watches and
    // `logs -f` stream theirs.
    this.server = new ApiHttpServer(pipeline, InetAddress.getLoopbackAddress(), builder.https,
        builder.http2Streams);
    this.watchControl = new WatchControl(api, builder.clock); // stage: watch control
    server.watches = watchControl;
    this.config = new ConfigBuilder(Config.empty())
        .withMasterUrl((builder.https ? "https" : "http") + "://127.0.0.1:" + server.port())
        .withOauthToken(pipeline.accessControl.authentication.adminToken())
        .withNamespace("default")
        .withTrustCerts(true)
        .withRequestRetryBackoffLimit(0)
        .build();
    GarbageCollector garbageCollector = new GarbageCollector(api);
    Kubelet kubelet = new Kubelet(api, builder.node, builder.clock);
    DeploymentController deployments = new DeploymentController(api, builder.clock);
    CrdEstablisher crdEstablisher = new CrdEstablisher(api, builder.clock);
    ClusterRoleAggregation aggregation = new ClusterRoleAggregation(api);
    PodsByLabel podsByLabel = new PodsByLabel(api); // before the controllers that read it
    DisruptionController disruption = new DisruptionController(api, podsByLabel, builder.clock);
    EndpointSliceController endpointSlices = new EndpointSliceController(api, podsByLabel);
    HorizontalPodAutoscalerController autoscalers =
        new HorizontalPodAutoscalerController(api, builder.clock, builder.autoscalerSyncPeriod);
    DefaultServiceAccounts serviceAccounts = new DefaultServiceAccounts(api);
    this.namespaces = new NamespaceController(api, builder.clock);
    createSystemNamespaces();
    KubernetesService kubernetesService = new KubernetesService(api, server.port());
    this.controllers = List.of(deployments, kubelet, garbageCollector, crdEstablisher,
        aggregation, disruption, endpointSlices, autoscalers, serviceAccounts, kubernetesService,
        namespaces);
    kubelet.registerNode(version.getGitVersion());
    if (builder.authorization == Authorizer.Mode.RBAC) {
      try (KubernetesClient admin = newClient()) {
        BootstrapPolicy.create(admin);
      }
    }
    if (builder.crdFolder != null) {
      loadCrds(builder.crdFolder);
    }
  }

  /** What every cluster starts with (kube-apiserver's system namespaces controller). */
  static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public",
      "kube-node-lease");

  /**
   * An operator reads the labels of a service's namespace, so the namespaces a real cluster
   * always has exist here too; tests create their own, as they would on a cluster.
   */
  private void createSystemNamespaces() {
    try (KubernetesClient client = newClient()) {
      for (String name : SYSTEM_NAMESPACES) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
            .endMetadata().build()).create();
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** An empty cluster reporting Kubernetes 1.33, with the default node. */
  public static EmbeddedCluster start() {
    return builder().start();
  }

  /**
   * The configuration of a client of this server (namespace {@code default}), authenticated as
   * the admin user ({@link Authentication#ADMIN}, group {@code system:masters}).
   */
  public Config config() {
    return new ConfigBuilder(config).build();
  }

  /** A new client of this server; the caller closes it. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /**
   * A client configuration authenticated as the ServiceAccount (user
   * {@code system:serviceaccount:NAMESPACE:NAME}), which must exist; the token stops working
   * when the ServiceAccount is deleted.
   */
  public Config serviceAccountConfig(String namespace, String name) {
    return new ConfigBuilder(config).withOauthToken(serviceAccountToken(namespace, name))
        .withNamespace(namespace).build();
  }

  /** A bearer token for the ServiceAccount, as the TokenRequest API issues one. */
  public String serviceAccountToken(String namespace, String name) {
    return pipeline.accessControl.authentication.issueServiceAccountToken(namespace, name);
  }

  /** The admin user's bearer token, for a kubeconfig. */
  public String adminToken() {
    return pipeline.accessControl.authentication.adminToken();
  }

  /** The requests authentication or authorization refused, with the answers clients got. */
  public List<AccessRefusal> accessRefusals() {
    return pipeline.accessControl.refusals();
  }

  public Authorizer.Mode authorizationMode() {
    return pipeline.accessControl.mode();
  }

  public String kubernetesVersion() {
    return kubernetesVersion;
  }

  /** The requests this server has answered, for tests that count writes. */
  public RequestLog requests() {
    return requestLog;
  }

  /** Fault injection in front of every request; nothing is injected until a test adds a rule. */
  public RequestFaults faults() {
    return pipeline.faults;
  }

  /**
   * Watch control: pause, delay or drop the watches of a kind or a client; nothing is done
   * until a test asks. See {@link WatchControl}.
   */
  public WatchControl watches() {
    return watchControl;
  }

  /**
   * The API server restarting, the store kept (etcd outlives it): every open watch is closed,
   * every request is answered 503 for {@code unavailable} (each marked as an injected fault in
   * the request log), and the watch cache starts again at the current resourceVersion, so a
   * client that reconnects from an older one is told {@code 410 Gone} and relists. The
   * in-process controllers keep running.
   *
   * @return the outage, which {@link RequestFaults.Rule#lift()} ends early
   */
  public RequestFaults.Rule restart(java.time.Duration unavailable) {
    RequestFaults.Rule outage = faults().during(unavailable, request -> true,
        RequestFaults.Fault.unavailable());
    watchControl.restart();
    return outage;
  }

  /** Latency in front of the store: chosen requests served late or once a test releases them. */
  public RequestDelays delays() {
    return pipeline.delays;
  }

  /** Runs the garbage collector once now, for tests that must not wait for its next sweep. */
  public void collectGarbage() {
    ((GarbageCollector) controllers.get(2)).sweep();
  }

  /**
   * Holds garbage collection until the returned hold is released: the dependents of a deleted
   * owner stay, as they do while kube-controller-manager is down or behind (Sieve's stale
   * states). A test's direct {@link #collectGarbage()} still sweeps.
   */
  public AutoCloseable holdGarbageCollection() {
    GarbageCollector garbageCollector = (GarbageCollector) controllers.get(2);
    garbageCollector.hold();
    return garbageCollector::release;
  }

  /** A pause of a built-in controller; closing it resumes the controller. */
  @FunctionalInterface
  public interface Pause extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Pauses a built-in controller until the returned pause is closed: it writes nothing meanwhile
   * (an action in flight is waited for), then catches up on what it missed, as a controller
   * restarted after an outage does. A test's direct {@link #collectGarbage()} still sweeps.
   */
  public Pause pause(Controller controller) {
    return switch (controller) {
      case DEPLOYMENT -> ((DeploymentController) controllers.get(0)).deploymentGate.pause();
      case REPLICA_SET -> ((DeploymentController) controllers.get(0)).replicaSetGate.pause();
      case KUBELET -> ((Kubelet) controllers.get(1)).gate.pause();
      case NAMESPACE -> namespaces.gate.pause();
      case GARBAGE_COLLECTOR -> {
        AutoCloseable hold = holdGarbageCollection();
        yield () -> {
          try {
            hold.close();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
      }
    };
  }

  private void loadCrds(Path folder) {
    try (KubernetesClient client = newClient();
        Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")
          || f.toString().endsWith(".yaml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd = Serialization.unmarshal(in,
              CustomResourceDefinition.class);
          client.apiextensions().v1().customResourceDefinitions().resource(crd)
              .fieldManager("embedded-cluster").serverSideApply();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CRDs in " + folder, e);
    }
  }

  @Override
  public void close() {
    for (AutoCloseable controller : controllers) {
      try {
        controller.close();
      } catch (Exception e) {
        // closing the rest matters more than reporting one controller that would not stop
      }
    }
    watchControl.close();
    server.close();
  }

  /** How to start one. */
  public static final class Builder {
    /** kube-apiserver's limit on one HTTP/2 connection's concurrent streams when not set. */
    private static final int KUBE_APISERVER_HTTP2_STREAMS = 100;
    private String kubernetesVersion = "1.33";
    private Path crdFolder;
    private Node node = new ReadyNode();
    private Clock clock = Clock.systemUTC();
    private Authorizer.Mode authorization = Authorizer.Mode.ALWAYS_ALLOW;
    private boolean https;
    private int http2Streams = KUBE_APISERVER_HTTP2_STREAMS;
    private Duration autoscalerSyncPeriod = HorizontalPodAutoscalerController.SYNC_PERIOD;

    private Builder() {
    }

    /**
     * How often every HPA is synced, kube-controller-manager's
     * {@code --horizontal-pod-autoscaler-sync-period}; 15 s unless set.
     */
    public Builder horizontalPodAutoscalerSyncPeriod(Duration period) {
      this.autoscalerSyncPeriod = period;
      return this;
    }

    /** What {@code /version} reports, {@code major.minor}; 1.33 unless set. */
    public Builder kubernetesVersion(String majorDotMinor) {
      this.kubernetesVersion = majorDotMinor;
      return this;
    }

    /** Every {@code .yml}/{@code .yaml} CustomResourceDefinition in the folder, applied at start. */
    public Builder crds(Path folder) {
      this.crdFolder = folder;
      return this;
    }

    /** Where pods run; by default a node whose containers start and become ready at once. */
    public Builder node(Node runner) {
      this.node = runner;
      return this;
    }

    /**
     * How requests are authorized: {@link Authorizer.Mode#ALWAYS_ALLOW} unless set;
     * {@link Authorizer.Mode#RBAC} decides from the stored Roles, ClusterRoles and bindings
     * (with the bootstrap roles every cluster has) and answers 403 as kube-apiserver does.
     */
    public Builder authorization(Authorizer.Mode mode) {
      this.authorization = mode;
      return this;
    }

    /**
     * Serves HTTPS (fabric8's self-signed mock certificate; {@link #config()} trusts it) instead
     * of plain HTTP. Needed for kubectl to authenticate: client-go uses a kubeconfig's
     * credentials only over TLS (tools/clientcmd/client_config.go,
     * {@code DirectClientConfig.ClientConfig}: "only try to read the auth information if we are
     * secure"), so a kubeconfig for an {@code http://} server always acts as
     * {@code system:anonymous}.
     */
    public Builder https(boolean serveHttps) {
      this.https = serveHttps;
      return this;
    }

    /**
     * Over HTTPS, HTTP/2 is offered to clients that negotiate it, with at most this many
     * concurrent streams per connection: 100 unless set, kube-apiserver's default
     * ({@code SecureServingInfo.Serve}, staging/src/k8s.io/apiserver/pkg/server/secure_serving.go:
     * "match http2.initialMaxConcurrentStreams used by clients"); 0 serves HTTP/1.1 only, as
     * {@code --disable-http2-serving} does.
     */
    public Builder http2MaxStreamsPerConnection(int streams) {
      this.http2Streams = streams;
      return this;
    }

    public Builder clock(Clock timeSource) {
      this.clock = timeSource;
      return this;
    }

    public EmbeddedCluster start() {
      return new EmbeddedCluster(this);
    }
  }
}
