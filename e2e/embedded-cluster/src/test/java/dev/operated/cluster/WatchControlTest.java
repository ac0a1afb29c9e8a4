package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watch control ({@link WatchControl}) seen from real clients: a fabric8 watch and informer over
 * WebSocket, and client-go's HTTP watch (kubectl, and a plain HTTP client).
 *
 * <p>What fabric8 7.5.2 does, which the informer cases pin down (AbstractWatchManager,
 * Reflector): an ERROR event whose Status has code 410 closes the watch with an "HTTP gone"
 * {@code WatcherException}, and the informer's Reflector lists again and watches from the list's
 * version; its store's {@code retainAll} turns every object missing from the list into a delete
 * notification. A stream that simply ends is reconnected by the watch manager from the last
 * resourceVersion it saw, after its backoff (1 s at first); the informer is not told. So after a
 * dropped connection only the server's 410 for a too-old version makes the informer relist.
 */
class WatchControlTest {

  private static final String NS = "watched";
  private static final String USER_AGENT = "watch-control-test";

  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private KubernetesClient watcherClient;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
    watcherClient = new KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client
        .ConfigBuilder(cluster.config()).withUserAgent(USER_AGENT).build()).build();
  }

  @AfterEach
  void stop() {
    watcherClient.close();
    client.close();
    cluster.close();
  }

  @Test
  void aPausedWatchGetsItsEventsInOrderOnResume() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch ignored = watcherClient.configMaps().inNamespace(NS).watch(recording(events))) {
      awaitWatchOpen();
      WatchControl.Hold pause = cluster.watches().pause(WatchControl.watchesBy(USER_AGENT));
      configMap("a", "1");
      configMap("b", "1");
      configMap("a", "2");
      client.configMaps().inNamespace(NS).withName("b").delete();

      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
          .until(events::isEmpty);
      pause.release();

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events)
          .containsExactly("ADDED a=1", "ADDED b=1", "MODIFIED a=2", "DELETED b=1"));
      assertThat(cluster.watches().log()).extracting(WatchAction::type, WatchAction::events)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(WatchAction.Type.PAUSED, 0),
              org.assertj.core.groups.Tuple.tuple(WatchAction.Type.RESUMED, 4));
    }
  }

  @Test
  void aDelayedWatchGetsEachEventThatMuchLater() {
    List<String> events = new CopyOnWriteArrayList<>();
    List<Instant> received = new CopyOnWriteArrayList<>();
    try (Watch ignored = watcherClient.configMaps().inNamespace(NS).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        received.add(Instant.now());
        events.add(action + " " + resource.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    })) {
      awaitWatchOpen();
      Duration delay = Duration.ofMillis(1500);
      try (WatchControl.Hold ignoredDelay = cluster.watches().delay(
          WatchControl.watchesOf("configmaps"), delay)) {
        Instant written = Instant.now();
        configMap("late", "1");
        configMap("later", "1");
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events).containsExactly("ADDED late", "ADDED later");
        assertThat(Duration.between(written, received.get(0))).isGreaterThanOrEqualTo(delay);
      }
      assertThat(cluster.watches().log()).extracting(WatchAction::type)
          .containsExactly(WatchAction.Type.DELAYED);
    }
  }

  @Test
  void anInformerWhoseWatchIsDroppedWithGoneRelistsAndSeesTheDeleteItMissed() {
    List<String> deleted = new CopyOnWriteArrayList<>();
    configMap("kept", "1");
    configMap("gone", "1");
    try (SharedIndexInformer<ConfigMap> informer = informer(deleted)) {
      awaitWatchOpen();
      WatchControl.Hold pause = cluster.watches().pause(WatchControl.watchesOf("configmaps"));
      client.configMaps().inNamespace(NS).withName("gone").delete();
      Instant dropped = Instant.now();

      assertThat(cluster.watches().dropWithGone(WatchControl.watchesBy(USER_AGENT))).isEqualTo(1);
      pause.release();

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deleted)
          .containsExactly("gone"));
      assertThat(informer.getStore().list()).extracting(map -> map.getMetadata().getName())
          .containsExactly("kept");
      assertThat(cluster.watches().log()).filteredOn(action -> action.type()
          == WatchAction.Type.DROPPED_GONE).singleElement()
          .satisfies(action -> assertThat(action.events()).as("the DELETE lost with it")
              .isEqualTo(1));
      assertThat(cluster.requests().all()).as("the informer listed again")
          .anyMatch(request -> request.at().isAfter(dropped) && isListOfConfigMaps(request));
    }
  }

  @Test
  void anInformerWhoseStreamIsClosedReconnectsAndATooOldVersionMakesItRelist() {
    List<String> deleted = new CopyOnWriteArrayList<>();
    configMap("kept", "1");
    configMap("gone", "1");
    try (SharedIndexInformer<ConfigMap> informer = informer(deleted)) {
      awaitWatchOpen();

      // nothing deleted meanwhile: the reconnect resumes where it was, no relist
      assertThat(cluster.watches().closeStreams(WatchControl.watchesBy(USER_AGENT))).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.watches().log().stream()
          .filter(action -> action.type() == WatchAction.Type.CLOSED).count() == 1
          && !cluster.watches().open().isEmpty());
      assertThat(cluster.watches().log()).extracting(WatchAction::type)
          .doesNotContain(WatchAction.Type.EXPIRED);

      WatchControl.Hold pause = cluster.watches().pause(WatchControl.watchesOf("configmaps"));
      client.configMaps().inNamespace(NS).withName("gone").delete();
      cluster.watches().closeStreams(WatchControl.watchesBy(USER_AGENT));
      pause.release();

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(deleted)
          .containsExactly("gone"));
      assertThat(cluster.watches().log()).extracting(WatchAction::type)
          .containsSubsequence(WatchAction.Type.CLOSED, WatchAction.Type.CLOSED,
              WatchAction.Type.EXPIRED);
      assertThat(informer.getStore().list()).extracting(map -> map.getMetadata().getName())
          .containsExactly("kept");
    }
  }

  @Test
  void anHttpWatchFromAVersionBeforeADeleteIsToldGone() throws Exception {
    configMap("old", "1");
    String before = client.configMaps().inNamespace(NS).list().getMetadata().getResourceVersion();
    client.configMaps().inNamespace(NS).withName("old").delete();
    String after = client.configMaps().inNamespace(NS).list().getMetadata().getResourceVersion();

    List<String> ended = new CopyOnWriteArrayList<>();
    List<JsonNode> tooOld = httpWatch("/api/v1/namespaces/" + NS
        + "/configmaps?watch=true&resourceVersion=" + before, ended);
    await().atMost(Duration.ofSeconds(5)).until(() -> ended.size() == 1);
    assertThat(tooOld).singleElement().satisfies(event -> {
      assertThat(event.path("type").asText()).isEqualTo("ERROR");
      assertThat(event.path("object").path("code").asInt()).isEqualTo(410);
      assertThat(event.path("object").path("reason").asText()).isEqualTo("Expired");
      assertThat(event.path("object").path("message").asText())
          .startsWith("too old resource version: " + before);
    });

    List<JsonNode> current = httpWatch("/api/v1/namespaces/" + NS
        + "/configmaps?watch=true&resourceVersion=" + after, ended);
    configMap("new", "1");
    await().atMost(Duration.ofSeconds(5)).until(() -> current.size() == 1);
    assertThat(current.get(0).path("type").asText()).isEqualTo("ADDED");
    assertThat(ended).hasSize(1);
  }

  @Test
  void anHttpWatchPausedThenDroppedWithGoneGetsTheErrorEventAndEnds() throws Exception {
    List<String> ended = new CopyOnWriteArrayList<>();
    List<JsonNode> events = httpWatch("/api/v1/namespaces/" + NS + "/configmaps?watch=true",
        ended);
    await().atMost(Duration.ofSeconds(5)).until(() -> !cluster.watches().open().isEmpty());
    assertThat(cluster.watches().open()).singleElement().extracting(WatchRequest::transport)
        .isEqualTo(WatchRequest.Transport.HTTP);
    WatchControl.Hold pause = cluster.watches().pause(WatchControl.watchesOf("configmaps"));
    configMap("queued", "1");

    cluster.watches().dropWithGone(WatchControl.watchesOf("configmaps"));
    pause.release();

    await().atMost(Duration.ofSeconds(5)).until(() -> ended.size() == 1);
    assertThat(events).extracting(event -> event.path("type").asText())
        .as("the queued ADDED is lost with the connection").containsExactly("ERROR");
    assertThat(events.get(0).path("object").path("code").asInt()).isEqualTo(410);
  }

  @Test
  void kubectlGetWatchSeesItsStreamClosed(@TempDir Path temp) throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    Kubectl kubectl = Kubectl.against(cluster, executable, temp, temp);
    configMap("seen", "1");
    Path out = temp.resolve("watch.out");
    Process watch = new ProcessBuilder(executable, "--kubeconfig", kubectl.kubeconfig()
        .toString(), "--cache-dir", temp.resolve("cache").toString(), "get", "configmaps", "-n",
        NS, "-w", "--request-timeout=0").redirectErrorStream(true).redirectOutput(out.toFile())
        .start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.watches().open().stream()
          .anyMatch(open -> open.transport() == WatchRequest.Transport.HTTP));
      assertThat(cluster.watches().closeStreams(WatchControl.watchesOf("configmaps")))
          .isEqualTo(1);
      assertThat(watch.waitFor(30, TimeUnit.SECONDS)).as("kubectl get -w ended with its watch")
          .isTrue();
      assertThat(Files.readString(out)).contains("seen");
      assertThat(cluster.watches().log()).extracting(WatchAction::type)
          .containsExactly(WatchAction.Type.CLOSED);
    } finally {
      watch.destroyForcibly();
    }
  }

  @Test
  void aRestartClosesEveryWatchAnswers503AndClientsReconnectAfterIt() {
    List<String> deleted = new CopyOnWriteArrayList<>();
    configMap("kept", "1");
    try (SharedIndexInformer<ConfigMap> informer = informer(deleted)) {
      awaitWatchOpen();
      Duration unavailable = Duration.ofSeconds(3);

      cluster.restart(unavailable);
      // taken once the restart returned: its 503s began inside it, no later than now
      Instant restartedAt = Instant.now();

      assertThat(cluster.watches().open()).isEmpty();
      assertThatThrownBy(() -> client.configMaps().inNamespace(NS).list())
          .isInstanceOfSatisfying(KubernetesClientException.class,
              refused -> assertThat(refused.getCode()).isEqualTo(503));
      await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
        configMap("after-the-restart", "1");
        return true;
      });
      await().atMost(Duration.ofSeconds(20)).until(() -> informer.getStore().list().size() == 2);
      awaitWatchOpen();
      assertThat(cluster.requests().all()).filteredOn(request -> request.fault() != null)
          .allSatisfy(request -> assertThat(request.at())
              .isBefore(restartedAt.plus(unavailable).plusMillis(200)));
      assertThat(cluster.watches().log()).extracting(WatchAction::type)
          .contains(WatchAction.Type.CLOSED);
    }
  }

  /**
   * An event cut short is one the client cannot read: fabric8 7.5.2's watch manager closes the
   * watch with "Unexpected exception processing watch event" and an informer's Reflector stops
   * for good ("will stop"), its cache no longer following the cluster. Only that one event is
   * cut: a watch opened after it hears every later event whole.
   */
  @Test
  void anEventCutShortStopsAnInformerForGood() {
    configMap("a", "1");
    List<Throwable> stopped = new CopyOnWriteArrayList<>();
    SharedIndexInformer<ConfigMap> informer = watcherClient.configMaps().inNamespace(NS)
        .runnableInformer(0);
    informer.stopped().whenComplete((ignored, error) -> stopped.add(error));
    informer.run();
    try {
      awaitWatchOpen();
      assertThat(cluster.watches().cutNextEventShort(WatchControl.watchesBy(USER_AGENT)))
          .isEqualTo(1);
      configMap("a", "2");

      await().atMost(Duration.ofSeconds(10)).until(() -> !stopped.isEmpty());
      assertThat(stopped.get(0)).hasMessageContaining("Unexpected exception processing watch event");
      assertThat(informer.isRunning()).isFalse();
      assertThat(informer.getStore().getByKey(NS + "/a").getData()).containsEntry("k", "1");
      assertThat(cluster.watches().log()).extracting(WatchAction::type)
          .containsExactly(WatchAction.Type.CUT_SHORT);
    } finally {
      informer.stop();
    }

    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch ignored = watcherClient.configMaps().inNamespace(NS).watch(recording(events))) {
      configMap("a", "3");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events)
          .containsExactly("ADDED a=2", "MODIFIED a=3"));
    }
  }

  /**
   * A watch failed as it opens is a protocol error to the JDK's WebSocket client (the client
   * fabric8 uses in the operator): the close code is one only a client may send. Only the next
   * matching watch fails, once.
   */
  @Test
  void aWatchFailedAsItOpensIsAProtocolErrorToTheJdkClient() throws Exception {
    cluster.watches().failNextWatchAsItOpens(WatchControl.watchesBy(USER_AGENT));

    // Java 17 prints the code as a char ("Illegal status code: \u03f2"); later Javas as a number
    // the failure awaited as long as a loaded machine may need; staying open, for a second
    assertThat(openJdkWebSocketWatch(Duration.ofSeconds(10)))
        .isInstanceOf(java.net.ProtocolException.class)
        .rootCause().hasMessageStartingWith("Illegal status code");
    assertThat(openJdkWebSocketWatch(Duration.ofSeconds(1))).as("the next watch").isNull();
    assertThat(cluster.watches().log()).extracting(WatchAction::type)
        .containsExactly(WatchAction.Type.FAILED_AS_IT_OPENED);
  }

  /** What ended a WebSocket watch of the namespace's ConfigMaps, or null if it stayed open. */
  private Throwable openJdkWebSocketWatch(Duration wait) throws Exception {
    java.util.concurrent.CompletableFuture<Throwable> ended =
        new java.util.concurrent.CompletableFuture<>();
    java.net.URI uri = java.net.URI.create(cluster.config().getMasterUrl()
        .replaceFirst("^http", "ws").replaceFirst("/?$", "/") + "api/v1/namespaces/" + NS
        + "/configmaps?watch=true");
    java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient()
        .newWebSocketBuilder().header("User-Agent", USER_AGENT)
        .header("Authorization", "Bearer " + cluster.config().getOauthToken())
        .buildAsync(uri, new java.net.http.WebSocket.Listener() {
          @Override
          public void onError(java.net.http.WebSocket webSocket, Throwable error) {
            ended.complete(error);
          }
        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
    try {
      return ended.get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException stillOpen) {
      return null;
    } finally {
      socket.abort();
    }
  }

  private void awaitWatchOpen() {
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.watches().open().stream()
        .anyMatch(open -> USER_AGENT.equals(open.userAgent())));
  }

  private SharedIndexInformer<ConfigMap> informer(List<String> deleted) {
    SharedIndexInformer<ConfigMap> informer = watcherClient.configMaps().inNamespace(NS)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap configMap) {
          }

          @Override
          public void onUpdate(ConfigMap before, ConfigMap after) {
          }

          @Override
          public void onDelete(ConfigMap configMap, boolean finalStateUnknown) {
            deleted.add(configMap.getMetadata().getName());
          }
        });
    return informer;
  }

  private static boolean isListOfConfigMaps(ApiRequest request) {
    return "GET".equals(request.method()) && request.path().startsWith("/api/v1/namespaces/"
        + NS + "/configmaps") && !request.path().contains("watch=true");
  }

  private void configMap(String name, String value) {
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName(name).endMetadata().withData(Map.of("k", value)).build()).serverSideApply();
  }

  private static Watcher<ConfigMap> recording(List<String> events) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        events.add(action + " " + resource.getMetadata().getName() + "="
            + resource.getData().get("k"));
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    };
  }

  private List<JsonNode> httpWatch(String pathAndQuery, List<String> ended) throws Exception {
    HttpResponse<InputStream> response = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(
            cluster.config().getMasterUrl().replaceAll("/$", "") + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
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
}
