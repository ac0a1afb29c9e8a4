package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.WatchRequest;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kube-apiserver over TLS speaks HTTP/2 to a client that negotiates it and allows a connection
 * 100 concurrent streams ({@code SecureServingInfo.Serve},
 * staging/src/k8s.io/apiserver/pkg/server/secure_serving.go); an HTTP watch holds its stream for
 * as long as it is open. The embedded server serves HTTPS the same way, here with a limit of
 * {@value #STREAMS} so that three namespaces' watches are enough to pass it.
 */
class Http2StreamLimitTest {

  private static final int STREAMS = 12;
  private static final List<String> WATCHED = List.of("shop", "billing", "search");
  private static final String OWN = "operated";

  private EmbeddedCluster cluster;
  private KubernetesClient admin;

  @BeforeEach
  void start() {
    cluster = TestClusters.withCrds().https(true).http2MaxStreamsPerConnection(STREAMS).start();
    admin = cluster.newClient();
    TestClusters.createNamespaces(admin, OWN, "shop", "billing", "search");
  }

  @AfterEach
  void stop() {
    admin.close();
    cluster.close();
  }

  /**
   * The premise, pinned: a client as fabric8 builds it (the JDK's HTTP client, HTTP/2 allowed)
   * puts every watch on one connection, and once the server's streams are taken the JDK fails
   * every request after them (the next informer's list, a create), where client-go would open
   * another connection.
   */
  @Test
  void aClientOnOneHttp2ConnectionIsRefusedOnceItsWatchesHoldEveryStream() {
    List<SharedIndexInformer<ConfigMap>> informers = new ArrayList<>();
    try (KubernetesClient http2 = TestClusters.fabric8HttpWatchClient(cluster)) {
      for (int i = 0; i < STREAMS; i++) {
        SharedIndexInformer<ConfigMap> informer = http2.configMaps().inNamespace("shop")
            .withLabel("watch", String.valueOf(i)).runnableInformer(0);
        informers.add(informer);
        informer.run();
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(cluster.watches().open()).hasSize(STREAMS)
              .extracting(WatchRequest::transport).containsOnly(WatchRequest.Transport.HTTP2));

      SharedIndexInformer<ConfigMap> oneMore = http2.configMaps().inNamespace("shop")
          .withLabel("watch", "one-more").runnableInformer(0);
      informers.add(oneMore);
      assertThatThrownBy(oneMore::run).hasStackTraceContaining("too many concurrent streams");
      assertThatThrownBy(() -> http2.configMaps().inNamespace("shop")
          .resource(new ConfigMapBuilder().withNewMetadata().withName("refused").endMetadata()
              .build()).create())
          .hasStackTraceContaining("too many concurrent streams");
    } finally {
      informers.forEach(SharedIndexInformer::close);
    }
  }

  /**
   * The operator as it runs (its client, HTTP watches, leader election and its fence), watching
   * three namespaces: more watches than one connection has streams. Its client speaks HTTP/1.1
   * ({@code OperatorClient.configureHttp}); negotiating HTTP/2 instead, it does not start
   * (JOSDK's start throws: its informers past the limit cannot list).
   */
  @Test
  void theOperatorWatchingMoreThanOneConnectionsStreamsReconcilesEveryNamespace() {
    List<Integer> exits = new CopyOnWriteArrayList<>();
    OperatorSettings settings = new OperatorSettings(
        new WatchedNamespaces.Listed(new TreeSet<>(WATCHED)), Optional.of(OWN), "127.0.0.1", 0,
        "INFO", true, "operated-operator-lease", "operator-0", false, Duration.ofSeconds(10),
        Optional.empty(), Optional.empty(), OperatorSettings.LeaseTimings.STANDARD);
    try (KubernetesClient operatorClient = OperatorClient.forConfig(cluster.config(),
        settings.watchTransport())) {
      OperatorRuntime runtime = OperatorRuntime.start(settings, operatorClient,
          Clock.systemUTC(), exits::add, overrides -> { });
      try {
        WATCHED.forEach(namespace -> Examples.apply(admin, Examples.SAMPLE, namespace));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(WATCHED).allSatisfy(namespace -> assertThat(ready(namespace))
              .as("Ready of the OperatedService in %s", namespace).isEqualTo("True"));
          assertThat(runtime.health().ready().details()).containsEntry("status", "ready");
        });
        assertThat(cluster.watches().open()).hasSizeGreaterThan(STREAMS)
            .extracting(WatchRequest::transport).containsOnly(WatchRequest.Transport.HTTP);
        assertThat(exits).isEmpty();
      } finally {
        runtime.shutdown();
      }
    }
  }

  private String ready(String namespace) {
    OperatedService resource = admin.resources(OperatedService.class).inNamespace(namespace)
        .withName("sample-service").get();
    return resource == null || resource.getStatus() == null ? null
        : resource.getStatus().condition("Ready").map(c -> c.getStatus()).orElse(null);
  }
}
