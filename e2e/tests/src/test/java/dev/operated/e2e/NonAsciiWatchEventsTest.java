package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.cluster.EmbeddedCluster;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.WatchTransport;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Text outside ASCII in a watched object (an env value, an annotation, a pod's termination
 * message) reaches the operator's cache as written, and so does the next event after it, over
 * either transport of the operator's client.
 *
 * <p>fabric8 7.5.2's own HTTP watch does not manage it: it turns each chunk of bytes into
 * characters with {@code UTF_8.decode(chunk).array()}, the whole backing array, so a chunk with
 * a multi-byte character leaves NUL characters after its line, the next event cannot be parsed
 * and the informer stops for good (the operator would exit and restart on every such change).
 * The operator's client hands that watch ASCII ({@code AsciiWatchBodies}).
 */
class NonAsciiWatchEventsTest {

  private static final String NS = "shop";
  private static final String TEXT = "Grüße aus Köln 🚀";

  private EmbeddedCluster cluster;
  private KubernetesClient admin;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.start();
    admin = cluster.newClient();
    TestClusters.createNamespaces(admin, NS);
  }

  @AfterEach
  void stop() {
    admin.close();
    cluster.close();
  }

  @ParameterizedTest
  @EnumSource(WatchTransport.class)
  void theTextAndTheEventAfterItReachTheOperatorsCache(WatchTransport watches) {
    try (KubernetesClient operators = OperatorClient.forConfig(cluster.config(), watches)) {
      SharedIndexInformer<ConfigMap> informer = operators.configMaps().inNamespace(NS).inform();
      try {
        changeTheTextTwice(informer);
        await().atMost(Duration.ofSeconds(10)).until(() -> "plain".equals(cached(informer)));
        assertThat(informer.isRunning()).isTrue();
      } finally {
        informer.close();
      }
    }
  }

  /**
   * The premise, pinned: the day a fabric8 upgrade fixes its HTTP watch, this fails, and
   * {@code AsciiWatchBodies} can go.
   */
  @Test
  void fabric8sOwnHttpWatchStopsAtTheEventAfterTheText() {
    try (KubernetesClient plain = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(cluster.config()).withOnlyHttpWatches(true).build())
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      SharedIndexInformer<ConfigMap> informer = plain.configMaps().inNamespace(NS).inform();
      try {
        changeTheTextTwice(informer);
        await().atMost(Duration.ofSeconds(10)).until(() -> !informer.isRunning());
        assertThat(cached(informer)).as("the change after the text never arrived")
            .isNotEqualTo("plain");
      } finally {
        informer.close();
      }
    }
  }

  /** Creates the object with the text, waits for it in the cache, then writes plain text. */
  private void changeTheTextTwice(SharedIndexInformer<ConfigMap> informer) {
    await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
    admin.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("greeting").endMetadata().withData(Map.of("text", TEXT)).build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> cached(informer) != null);
    assertThat(cached(informer)).isEqualTo(TEXT);
    admin.configMaps().inNamespace(NS).withName("greeting").edit(configMap -> {
      configMap.setData(Map.of("text", "plain"));
      return configMap;
    });
  }

  private static String cached(SharedIndexInformer<ConfigMap> informer) {
    ConfigMap cached = informer.getStore().getByKey(NS + "/greeting");
    return cached == null ? null : cached.getData().get("text");
  }
}
