package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.RequestFaults;
import dev.operated.cluster.WatchRequest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The embedded server's connection-reset fault over HTTP/2 resets the request's stream alone, as
 * Go's server resets the stream of a handler that panicked: the client's watch on the same
 * connection goes on. (Here, not in the embedded cluster's own tests: the JDK's client is the one
 * that negotiates HTTP/2, and only this module has it.)
 */
class Http2StreamResetTest {

  @Test
  void aResetOverHttp2EndsItsOwnStreamAndNotTheWatchBesideIt() {
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().https(true).start();
        KubernetesClient http2 = TestClusters.fabric8HttpWatchClient(cluster);
        SharedIndexInformer<ConfigMap> informer = http2.configMaps().inNamespace("default")
            .inform()) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> cluster.watches().open().size() == 1);
      WatchRequest watch = cluster.watches().open().get(0);
      assertThat(watch.transport()).isEqualTo(WatchRequest.Transport.HTTP2);
      cluster.faults().times(1, RequestFaults.requests("POST", "/api/v1/namespaces/default/"),
          RequestFaults.Fault.connectionReset());

      assertThatThrownBy(() -> create(http2, "reset"))
          .isInstanceOfSatisfying(KubernetesClientException.class,
              refused -> assertThat(refused.getStatus()).as("no Status came back").isNull());
      create(http2, "after-the-reset");

      await().atMost(Duration.ofSeconds(10))
          .until(() -> informer.getStore().getByKey("default/after-the-reset") != null);
      assertThat(cluster.watches().open()).as("the same watch, never reconnected")
          .containsExactly(watch);
      assertThat(informer.getStore().getByKey("default/reset")).as("nothing stored").isNull();
    }
  }

  private static void create(KubernetesClient client, String name) {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName(name).endMetadata().build()).create();
  }
}
