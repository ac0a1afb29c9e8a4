package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.WatchRequest;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchTransport;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's watches go over HTTP ({@link WatchTransport#HTTP}, the default), and an HTTP
 * watch on which nothing has happened yet is not "watching" to fabric8 7.5 (its
 * {@code WatchHTTPManager} marks a watch started on the first byte of its body, not on the 200
 * kube-apiserver flushes at once: {@code serveWatch} in
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go). JOSDK counts such an informer
 * unhealthy, so readiness built on JOSDK's health alone stays false on a cluster where nothing
 * the operator watches changes (measured: the scale benchmark's operator never became ready).
 * Readiness reads the informers themselves: running, with a synced cache.
 */
class HttpWatchReadinessTest {

  private static final String NS = "shop";

  private EmbeddedCluster cluster;
  private KubernetesClient operatorClient;

  @BeforeEach
  void start() {
    cluster = TestClusters.withCrds().start();
    try (KubernetesClient admin = cluster.newClient()) {
      TestClusters.createNamespaces(admin, NS);
    }
    operatorClient = OperatorClient.forConfig(cluster.config(), WatchTransport.HTTP);
  }

  @AfterEach
  void stop() {
    operatorClient.close();
    cluster.close();
  }

  /** The premise: what fabric8 reports for a quiet HTTP watch, and for the same on a WebSocket. */
  @Test
  void aQuietHttpWatchIsSyncedButNotWatchingToFabric8() {
    try (KubernetesClient webSockets = OperatorClient.forConfig(cluster.config(),
        WatchTransport.WEBSOCKET)) {
      SharedIndexInformer<ConfigMap> overHttp = operatorClient.configMaps().inNamespace(NS)
          .inform();
      SharedIndexInformer<ConfigMap> overWebSocket = webSockets.configMaps().inNamespace(NS)
          .inform();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.watches().open().size() == 2);
        await().atMost(Duration.ofSeconds(10)).until(overWebSocket::isWatching);
        assertThat(cluster.watches().open()).extracting(WatchRequest::transport)
            .containsExactlyInAnyOrder(WatchRequest.Transport.HTTP,
                WatchRequest.Transport.WEBSOCKET);

        assertThat(overHttp.hasSynced()).isTrue();
        assertThat(overHttp.isRunning()).isTrue();
        // open on the server, no event yet: not watching, and it stays so
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
            .until(() -> !overHttp.isWatching());
      } finally {
        overHttp.close();
        overWebSocket.close();
      }
    }
  }

  @Test
  void theOperatorIsReadyWhileNothingItWatchesHasChanged() {
    List<Integer> exits = new CopyOnWriteArrayList<>();
    OperatorSettings settings = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of(NS), "127.0.0.1", 0, "INFO", false, "unused", "quiet", false,
        Duration.ofSeconds(10), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
    OperatorRuntime runtime = OperatorRuntime.start(settings, operatorClient, Clock.systemUTC(),
        exits::add, overrides -> { });
    try {
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(runtime.health().ready().details()).containsEntry("status", "ready"));
      assertThat(cluster.watches().open()).extracting(WatchRequest::transport)
          .isNotEmpty().containsOnly(WatchRequest.Transport.HTTP);
      assertThat(exits).isEmpty();
    } finally {
      runtime.shutdown();
    }
  }
}
