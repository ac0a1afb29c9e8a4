package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The index answers every lookup and list with the objects fabric8's dispatcher finds by
 * scanning (the same writes go to both, and every query is asked of both), listed in
 * kube-apiserver's order rather than the dispatcher's.
 */
class IndexedCrudStoreTest {

  private final KubernetesCrudDispatcher scanned = new KubernetesCrudDispatcher();
  private final IndexedCrudStore indexed = new IndexedCrudStore();

  @Test
  void answersAsTheScanningDispatcherAfterCreatesUpdatesAndDeletes() {
    for (String namespace : List.of("a", "b")) {
      for (int i = 0; i < 3; i++) {
        write("/apis/apps/v1/namespaces/" + namespace + "/deployments/web-" + i,
            deployment(namespace, "web-" + i, Map.of("app", "web", "tier", "t" + (i % 2)), 1));
        write("/api/v1/namespaces/" + namespace + "/pods/web-" + i + "-x",
            pod(namespace, "web-" + i + "-x", Map.of("app", "web")));
      }
    }
    write("/api/v1/namespaces/a", namespaceObject("a"));
    // an update moves the object to the end of the store's order; a delete removes it
    write("/apis/apps/v1/namespaces/a/deployments/web-0",
        deployment("a", "web-0", Map.of("app", "web", "tier", "t9"), 2));
    delete("/apis/apps/v1/namespaces/b/deployments/web-1");

    for (String path : List.of(
        "/apis/apps/v1/namespaces/a/deployments",
        "/apis/apps/v1/namespaces/b/deployments",
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/namespaces/a/deployments/web-0",
        "/apis/apps/v1/namespaces/b/deployments/web-1",
        "/apis/apps/v1/namespaces/a/deployments?labelSelector=tier%3Dt1",
        "/apis/apps/v1/deployments?labelSelector=tier%3Dt9",
        "/apis/apps/v1/deployments?labelSelector=tier%20in%20%28t0%2Ct9%29",
        "/apis/apps/v1/deployments?labelSelector=tier%21%3Dt0",
        "/api/v1/namespaces/b/pods",
        "/api/v1/pods",
        "/api/v1/namespaces/a",
        "/api/v1/namespaces",
        "/api/v1/namespaces/c/pods",
        "/apis/apps/v1/namespaces/a/replicasets")) {
      MockResponse expected = scanned.handleGet(path);
      MockResponse actual = indexed.handleGet(path);
      assertThat(actual.code()).as(path).isEqualTo(expected.code());
      // a body is read once: it is a buffer
      String answer = body(actual);
      assertThat(inKeyOrder(answer)).as(path).isEqualTo(inKeyOrder(body(expected)));
      assertThat(storageKeys(answer)).as(path + ": listed in key order").isSorted();
    }
    for (String path : List.of("/apis/apps/v1/namespaces/a/deployments/web-2",
        "/apis/apps/v1/namespaces/b/deployments/web-1", "/api/v1/namespaces/a")) {
      assertThat(String.valueOf(indexed.findResource(indexed.getKey(path))))
          .as(path).isEqualTo(String.valueOf(scanned.findResource(scanned.getKey(path))));
    }
  }

  /**
   * etcd3 store's GetList (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go) reads the
   * range of keys {@code /registry/<resource>/[<namespace>/]<name>}, which etcd answers in byte
   * order: by namespace and name as one string, whatever the order of the writes. A pod whose
   * status changed stays where its name puts it in {@code kubectl get pods}.
   */
  @Test
  void listsComeInTheOrderOfTheirStorageKeys() {
    write("/api/v1/namespaces/default/pods/web-b", pod("default", "web-b", Map.of("app", "web")));
    write("/api/v1/namespaces/default/pods/web-a", pod("default", "web-a", Map.of("app", "web")));
    write("/api/v1/namespaces/default-2/pods/web-c",
        pod("default-2", "web-c", Map.of("app", "web")));
    write("/api/v1/namespaces/default/pods/api", pod("default", "api", Map.of("app", "api")));
    // an update (new labels, so a new key in the dispatcher's map) changes nothing in the order
    write("/api/v1/namespaces/default/pods/web-a",
        pod("default", "web-a", Map.of("app", "web", "ready", "true")));

    assertThat(storageKeys(body(indexed.handleGet("/api/v1/namespaces/default/pods"))))
        .containsExactly("default/api", "default/web-a", "default/web-b");
    assertThat(storageKeys(body(indexed.handleGet("/api/v1/pods"))))
        .as("'-' sorts before '/': default-2/... before default/...")
        .containsExactly("default-2/web-c", "default/api", "default/web-a", "default/web-b");
    assertThat(storageKeys(body(indexed.handleGet("/api/v1/pods?labelSelector=app%3Dweb"))))
        .containsExactly("default-2/web-c", "default/web-a", "default/web-b");
  }

  /**
   * What a write computes from before it takes the lock (Storage's GuaranteedUpdate) is the very
   * text the map holds, and nothing once the object is deleted: a write read from anything else
   * would be computed a second time under the lock.
   */
  @Test
  void theLatestTextOfAnObjectIsTheStoredOneWithoutTheLock() {
    String path = "/apis/apps/v1/namespaces/a/deployments/web";
    assertThat(indexed.latest(path)).isNull();
    write(path, deployment("a", "web", Map.of("app", "web"), 1));
    assertThat(indexed.latest(path)).isSameAs(stored(path));
    write(path, deployment("a", "web", Map.of("app", "web", "tier", "t1"), 2));
    assertThat(indexed.latest(path)).isSameAs(stored(path)).contains("\"tier\"");
    write("/api/v1/namespaces/a/pods/web-x", pod("a", "web-x", Map.of("app", "web")));
    assertThat(indexed.latest("/api/v1/namespaces/a/pods/web-x"))
        .isSameAs(stored("/api/v1/namespaces/a/pods/web-x"));
    delete(path);
    assertThat(indexed.latest(path)).isNull();
    assertThat(stored(path)).isNull();
  }

  private String stored(String path) {
    Map.Entry<AttributeSet, String> entry = indexed.findResource(indexed.getKey(path));
    return entry == null ? null : entry.getValue();
  }

  private void write(String path, String json) {
    for (KubernetesCrudDispatcher store : List.of(scanned, indexed)) {
      AttributeSet key = store.getKey(path);
      Map.Entry<AttributeSet, String> existing = store.findResource(key);
      store.requestResourceVersion();
      store.processEvent(path, key, existing == null ? null : existing.getKey(),
          Serialization.unmarshal(json, GenericKubernetesResource.class), json);
    }
  }

  private void delete(String path) {
    for (KubernetesCrudDispatcher store : List.of(scanned, indexed)) {
      AttributeSet key = store.getKey(path);
      store.processEvent(path, key, store.findResource(key).getKey(), null, null);
    }
  }

  /** A list's body with its items sorted by namespace/name, the other fields as they were. */
  private static String inKeyOrder(String list) {
    if (list == null || !(Storage.parse(list) instanceof ObjectNode node)
        || !node.has("items")) {
      return list;
    }
    List<JsonNode> items = new ArrayList<>();
    node.get("items").forEach(items::add);
    items.sort(Comparator.comparing(IndexedCrudStoreTest::storageKey));
    node.putArray("items").addAll(items);
    return node.toString();
  }

  private static String storageKey(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    return (metadata.has("namespace") ? metadata.get("namespace").asText() + "/" : "")
        + metadata.path("name").asText();
  }

  private static List<String> storageKeys(String list) {
    List<String> keys = new ArrayList<>();
    if (list != null && !list.isEmpty()) {
      Storage.parse(list).path("items").forEach(item -> keys.add(storageKey(item)));
    }
    return keys;
  }

  private static String body(MockResponse response) {
    return response.getBody() == null ? null : response.getBody().readUtf8();
  }

  private static String deployment(String namespace, String name, Map<String, String> labels,
      int replicas) {
    return Serialization.asJson(Map.of("apiVersion", "apps/v1", "kind", "Deployment",
        "metadata", Map.of("name", name, "namespace", namespace, "labels", labels),
        "spec", Map.of("replicas", replicas)));
  }

  private static String pod(String namespace, String name, Map<String, String> labels) {
    return Serialization.asJson(Map.of("apiVersion", "v1", "kind", "Pod",
        "metadata", Map.of("name", name, "namespace", namespace, "labels", labels)));
  }

  private static String namespaceObject(String name) {
    return Serialization.asJson(Map.of("apiVersion", "v1", "kind", "Namespace",
        "metadata", Map.of("name", name)));
  }
}
