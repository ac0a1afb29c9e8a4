package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watches over chunked HTTP, as client-go opens them: "Efficient detection of changes" in
 * https://kubernetes.io/docs/reference/using-api/api-concepts/ (one JSON event per line, the
 * initial state when no resourceVersion is given, a stream that ends at timeoutSeconds).
 */
class HttpWatchConformanceTest {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).build();
  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static void configMap(String namespace, String name, String value) {
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(name).withLabels(java.util.Map.of("app", name)).endMetadata()
        .addToData("k", value).build()).serverSideApply();
    assertThat(client.configMaps().inNamespace(namespace).withName(name).get().getData())
        .containsEntry("k", value);
  }

  /** Reads the stream's events on a thread of its own; the list fills as they arrive. */
  private static List<JsonNode> watch(String pathAndQuery, List<String> ended) throws Exception {
    HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(
        cluster.config().getMasterUrl().replaceAll("/$", "") + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    List<JsonNode> events = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
          StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          events.add(Storage.parse(line));
        }
        ended.add("ended");
      } catch (Exception e) {
        ended.add("failed: " + e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    return events;
  }

  private static List<String> summary(List<JsonNode> events) {
    return events.stream().map(event -> event.path("type").asText() + " "
        + event.path("object").path("metadata").path("name").asText()).toList();
  }

  @Test
  void withoutAResourceVersionTheCurrentObjectsComeFirstThenEveryChange() throws Exception {
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName("watch-a").endMetadata().build()).create();
    configMap("watch-a", "first", "1");
    List<String> ended = new CopyOnWriteArrayList<>();
    List<JsonNode> events = watch("/api/v1/namespaces/watch-a/configmaps?watch=true", ended);
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);

    configMap("watch-a", "first", "2");
    configMap("watch-a", "second", "1");
    client.configMaps().inNamespace("watch-a").withName("first").delete();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(summary(events))
        .containsExactly("ADDED first", "MODIFIED first", "ADDED second", "DELETED first"));
    assertThat(events.get(1).path("object").path("data").path("k").asText()).isEqualTo("2");
    assertThat(ended).isEmpty();
  }

  @Test
  void fromAResourceVersionOnlyLaterChangesAndSelectorsFilterThem() throws Exception {
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName("watch-b").endMetadata().build()).create();
    configMap("watch-b", "kept", "1");
    configMap("watch-b", "other", "1");
    String version = client.configMaps().inNamespace("watch-b").list().getMetadata()
        .getResourceVersion();
    List<String> ended = new CopyOnWriteArrayList<>();
    List<JsonNode> events = watch("/api/v1/namespaces/watch-b/configmaps?watch=true"
        + "&resourceVersion=" + version + "&fieldSelector=metadata.name%3Dkept", ended);
    List<JsonNode> labelled = watch("/api/v1/namespaces/watch-b/configmaps?watch=true"
        + "&resourceVersion=" + version + "&labelSelector=app%3Dother", ended);

    configMap("watch-b", "other", "2");
    configMap("watch-b", "kept", "2");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(summary(events)).containsExactly("MODIFIED kept");
      assertThat(summary(labelled)).containsExactly("MODIFIED other");
    });
  }

  @Test
  void theStreamEndsCleanlyAtTimeoutSeconds() throws Exception {
    List<String> ended = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    watch("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", ended);
    await().atMost(Duration.ofSeconds(10)).until(() -> !ended.isEmpty());
    assertThat(ended).containsExactly("ended");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(900));
  }

  @Test
  void aTableWatchSendsEachObjectAsATableRow() throws Exception {
    List<String> ended = new CopyOnWriteArrayList<>();
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
        cluster.config().getMasterUrl().replaceAll("/$", "")
            + "/api/v1/namespaces?watch=true&timeoutSeconds=1"))
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonNode first = Storage.parse(response.body().lines().findFirst().orElseThrow());
    assertThat(first.path("type").asText()).isEqualTo("ADDED");
    assertThat(first.path("object").path("kind").asText()).isEqualTo("Table");
    assertThat(first.path("object").path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Status", "Age");
    assertThat(first.path("object").path("rows").get(0).path("cells").get(1).asText())
        .isEqualTo("Active");
    assertThat(ended).isEmpty();
  }
}
