package dev.operated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code explain-budget} against fabric8's mock API server: the spec, the version and the
 * namespace are read as the operator reads them, and the numbers printed are
 * TerminationBudget's (checked here by hand, as a reader of the output would).
 */
class ExplainBudgetCommandTest {

  private MockApiServer api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void explainsAStoredServiceWithTheNamespacesMesh() {
    api = new MockApiServer("1.33");
    namespace("shop", Map.of("istio-injection", "enabled", "team", "orders"), Map.of());
    store("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders, namespace: shop}
        spec:
          image: orders:1.4.2
          shutdown: {drainSeconds: 5, timeoutSeconds: 10}
        """);
    deployment("shop", "orders", 22L);

    Cli cli = explain("orders", "-n", "shop");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out())
        .contains("operatedservice shop/orders on Kubernetes 1.33")
        .contains("preStop sleep 5s run by the kubelet")
        .contains("OPERATED_DRAIN_SECONDS=0")
        .contains("istio (spec.mesh auto; namespace shop: istio-injection=enabled)")
        .contains("native sidecar")
        .contains("drain 5s + app shutdown 10s + istio proxy drain 5s = 20s, + 2s margin = 22s"
            + " (computed)")
        .contains("deployment:   shop/orders has terminationGracePeriodSeconds 22s, as computed")
        .doesNotContain("team=orders");
  }

  @Test
  void beforeOneThirtyADistrolessAppDrainsItself() {
    api = new MockApiServer("1.28");
    namespace("shop", Map.of(), Map.of());
    store("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders, namespace: shop}
        spec:
          image: orders:1.4.2
          telemetry: {mode: sidecar, endpoint: "http://gateway:4317"}
          shutdown: {drainSeconds: 7, timeoutSeconds: 20}
        """);

    Cli cli = explain("orders", "--namespace", "shop");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out())
        .contains("on Kubernetes 1.28")
        .contains("by the app itself after SIGTERM")
        .contains("OPERATED_DRAIN_SECONDS=7")
        .contains("[app]")
        .contains("sidecar, flushes for 5s after the app exits")
        .contains("none (spec.mesh auto; namespace shop: no mesh labels)")
        .contains("drain 7s + app shutdown 20s + collector flush 5s = 32s, + 2s margin = 34s")
        .contains("deployment:   none yet");
  }

  @Test
  void anExplicitGracePeriodThatDoesNotCoverTheBudgetExitsOneWithTheFix() {
    api = new MockApiServer("1.33");
    namespace("shop", Map.of(), Map.of("linkerd.io/inject", "enabled"));
    store("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders, namespace: shop}
        spec:
          image: orders:1.4.2
          shutdown: {drainSeconds: 5, timeoutSeconds: 10, terminationGracePeriodSeconds: 12}
        """);
    deployment("shop", "orders", 17L); // what the operator applied before the spec changed

    Cli cli = explain("orders", "-n", "shop");

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.out()).contains("linkerd (spec.mesh auto; namespace shop: "
            + "linkerd.io/inject=enabled)")
        .contains("12s (spec.shutdown.terminationGracePeriodSeconds); needed: drain 5s + app "
            + "shutdown 10s = 15s: NOT covered")
        .contains("shop/orders has terminationGracePeriodSeconds 17s, not the 12s computed: "
            + "the operator has not applied the current spec");
    assertThat(cli.err()).contains("spec.shutdown.terminationGracePeriodSeconds 12s does not "
        + "cover drain 5s + app shutdown 10s = 15s")
        .contains("raise spec.shutdown.terminationGracePeriodSeconds");
  }

  @Test
  void aMissingServiceExitsNonZeroNamingIt() {
    api = new MockApiServer("1.33");

    Cli cli = explain("payments", "-n", "billing");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err()).contains("operatedservice billing/payments not found")
        .contains("kubectl get operatedservices -A");
  }

  /** The CRD does not require a spec, so the API server stores an OperatedService without one. */
  @Test
  void aServiceWithoutASpecExitsTwoNamingItNotAStackTrace() {
    api = new MockApiServer("1.33");
    namespace("shop", Map.of(), Map.of());
    store("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: bare, namespace: shop}
        """);

    Cli cli = explain("bare", "-n", "shop");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("operatedservice shop/bare has no spec the operator can read")
        .contains("kubectl describe operatedservice bare -n shop").doesNotContain("Exception");
  }

  @Test
  void anUnreachableServerExitsNonZeroNamingTheObjectAndTheServer() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort;

    Cli cli = explain(context -> new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl(url).withRequestRetryBackoffLimit(0).build()).build(),
        "orders", "-n", "shop");

    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("cannot read operatedservice shop/orders from " + url)
        .contains("ConnectException").contains("--context");
  }

  private void namespace(String name, Map<String, String> labels,
      Map<String, String> annotations) {
    api.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .withLabels(labels).withAnnotations(annotations).endMetadata().build()).create();
  }

  private void deployment(String namespace, String name, Long gracePeriodSeconds) {
    api.client.apps().deployments().resource(new DeploymentBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec()
        .withTerminationGracePeriodSeconds(gracePeriodSeconds)
        .endSpec().endTemplate().endSpec().build()).create();
  }

  private void store(String yaml) {
    api.client.resource(Serialization.unmarshal(yaml, OperatedService.class)).create();
  }

  /** The command in-process, given a fresh client of the mock server as kubeconfig would. */
  private Cli explain(String... args) {
    return explain(context -> api.server.createClient(), args);
  }

  private Cli explain(Function<String, KubernetesClient> clients, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == ExplainBudgetCommand.class) {
          return type.cast(new ExplainBudgetCommand(clients));
        }
        return CommandLine.defaultFactory().create(type);
      }
    };
    String[] command = new String[args.length + 1];
    command[0] = "explain-budget";
    System.arraycopy(args, 0, command, 1, args.length);
    int exitCode = new CommandLine(new OperatedCli(), factory)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(command);
    return new Cli(exitCode, out.toString(), err.toString());
  }
}
