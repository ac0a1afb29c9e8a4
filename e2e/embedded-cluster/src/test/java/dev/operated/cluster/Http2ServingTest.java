package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Over TLS kube-apiserver serves HTTP/2 to a client that negotiates it, with a limit on one
 * connection's concurrent streams (100 by default), and HTTP/1.1 alone with
 * {@code --disable-http2-serving} ({@code SecureServingInfo.Serve},
 * staging/src/k8s.io/apiserver/pkg/server/secure_serving.go). kubectl (client-go) negotiates
 * HTTP/2, so its watch is one stream of a connection.
 */
class Http2ServingTest {

  @ParameterizedTest(name = "streams per connection {0}: a {1} watch")
  @CsvSource({"100, HTTP2", "0, HTTP"})
  void kubectlWatchesOverTlsAsTheServerOffers(int streams, WatchRequest.Transport expected,
      @TempDir Path temp) throws Exception {
    String kubectl = Kubectl.onPath().orElse(null);
    assumeThat(kubectl).as("kubectl on the PATH").isNotNull();
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().https(true)
        .http2MaxStreamsPerConnection(streams).start();
        KubernetesClient client = cluster.newClient()) {
      Path out = temp.resolve("watch.out");
      Process watch = new ProcessBuilder(kubectl, "--server", cluster.config().getMasterUrl(),
          "--insecure-skip-tls-verify", "--token", cluster.config().getOauthToken(),
          "--cache-dir", temp.resolve("cache").toString(), "get", "configmaps", "-n", "default",
          "-w", "--request-timeout=0").redirectErrorStream(true).redirectOutput(out.toFile())
          .start();
      try {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> cluster.watches().open().size() == 1);
        assertThat(cluster.watches().open()).singleElement()
            .extracting(WatchRequest::transport).isEqualTo(expected);

        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
            .withNewMetadata().withName("seen").endMetadata().build()).create();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> Files.readString(out).contains("seen"));
        assertThat(cluster.watches().closeStreams(WatchControl.watchesOf("configmaps")))
            .isEqualTo(1);
        assertThat(watch.waitFor(30, TimeUnit.SECONDS))
            .as("kubectl get -w ended with its stream: %s", Files.readString(out)).isTrue();
      } finally {
        watch.destroyForcibly();
      }
    }
  }
}
