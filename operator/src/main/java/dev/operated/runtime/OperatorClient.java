package dev.operated.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

/**
 * The client {@code operated run} talks to the API server with.
 *
 * <p>Its HTTP client is named, not found: fabric8 otherwise takes whichever factory the
 * classpath offers, and with both the JDK's (JOSDK's choice) and Vert.x's (fabric8's default)
 * present it picks one at random and says so on every start. The JDK's needs no Netty or Vert.x
 * event-loop threads in the operator's pod, and the operator's jar ships no other
 * (operator/pom.xml excludes Vert.x's).
 *
 * <p>It reads objects as {@link OperatorSerialization} does: without their {@code managedFields},
 * and watch events in one pass.
 *
 * <p>Its watches go over the transport the settings name ({@link WatchTransport}: HTTP unless told
 * otherwise), and it speaks HTTP/1.1 only. Over TLS the JDK's client would otherwise negotiate
 * HTTP/2 and put every request and every watch on one connection, and an HTTP watch holds its
 * stream for as long as it is open: kube-apiserver allows 100 streams per connection
 * ({@code SecureServingInfo.Serve}), and where client-go opens another connection when they are
 * taken, the JDK's client fails the request ("too many concurrent streams",
 * {@code Http2Connection.reserveStream}). Watching a list of namespaces (seven watches
 * each, eight with the Prometheus Operator's CRD), the operator would fail to start from
 * fifteen, its reconciles would fail from thirteen with the CRD, and before that every apply
 * and status patch would compete with the watches for the streams left. Over HTTP/1.1 each
 * watch and each request in flight has a connection of its own, as each WebSocket watch had.
 */
public final class OperatorClient {

  private OperatorClient() {
  }

  /** From the kubeconfig's current context, or the pod's service account in a cluster. */
  public static KubernetesClient build(WatchTransport watches) {
    // what KubernetesClientBuilder configures itself with when given no Config, read once
    return client(new ConfigBuilder(), watches);
  }

  /** The operator's client of the server {@code config} names (tests: an embedded server). */
  public static KubernetesClient forConfig(Config config, WatchTransport watches) {
    return client(new ConfigBuilder(config), watches);
  }

  private static KubernetesClient client(ConfigBuilder config, WatchTransport watches) {
    return builder().withConfig(config.withOnlyHttpWatches(watches == WatchTransport.HTTP)
            .build())
        .withHttpClientBuilderConsumer(OperatorClient::configureHttp)
        .withKubernetesSerialization(OperatorSerialization.create()).build();
  }

  /**
   * What every HTTP client of the operator needs, for any client made from this one too (the
   * leadership fence builds its own, and JOSDK's informers run on it): HTTP/1.1 only, and watch
   * bodies in ASCII. fabric8 keeps one builder consumer, so a client that adds its own
   * interceptor must call this from it.
   */
  static void configureHttp(HttpClient.Builder http) {
    http.preferHttp11();
    http.addOrReplaceInterceptor(AsciiWatchBodies.NAME, new AsciiWatchBodies());
  }

  /** The JDK's HTTP client, named: for this client and for any client made from it. */
  static KubernetesClientBuilder builder() {
    return new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory());
  }
}
