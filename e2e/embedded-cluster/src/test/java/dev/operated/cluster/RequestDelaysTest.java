package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Latency in front of the store: a held write is in flight until released, a delayed one late. */
class RequestDelaysTest {

  private EmbeddedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
    client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("settings")
        .endMetadata().addToData("a", "1").build()).create();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private CompletableFuture<ConfigMap> patchAsync(String value) {
    return CompletableFuture.supplyAsync(() -> client.configMaps().withName("settings")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"a\":\"" + value + "\"}}"));
  }

  private String stored() {
    return client.configMaps().withName("settings").get().getData().get("a");
  }

  @Test
  void aHeldWriteIsStoredOnlyOnceReleasedAndOtherRequestsPassMeanwhile() throws Exception {
    RequestDelays.Hold hold = cluster.delays().hold(1,
        RequestFaults.requests("PATCH", "/api/v1/namespaces/default/configmaps/settings"),
        Duration.ofSeconds(30));

    CompletableFuture<ConfigMap> held = patchAsync("2");
    await().atMost(Duration.ofSeconds(10)).until(() -> hold.arrived() == 1);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
        .until(() -> "1".equals(stored()) && !held.isDone());
    ApiRequest inFlight = cluster.requests().writes(request -> request.method().equals("PATCH"))
        .get(0);
    assertThat(inFlight.code()).as("not answered yet").isZero();

    hold.release();
    assertThat(held.get().getData()).containsEntry("a", "2");
    assertThat(cluster.requests().writes(request -> request.method().equals("PATCH")).get(0)
        .code()).isEqualTo(200);
    // only the first was held
    assertThat(patchAsync("3").get().getData()).containsEntry("a", "3");
  }

  @Test
  void aDelayedRequestIsServedAfterTheLatency() throws Exception {
    cluster.delays().delay(1, RequestFaults.requests("PATCH", "/api/v1/"),
        Duration.ofMillis(700));
    Instant sent = Instant.now();
    patchAsync("2").get();
    assertThat(Duration.between(sent, Instant.now())).isGreaterThanOrEqualTo(
        Duration.ofMillis(700));
    assertThat(stored()).isEqualTo("2");
  }
}
