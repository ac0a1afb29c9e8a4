package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes to one object from many clients at once all land, as on kube-apiserver, whose etcd3
 * store computes each write from the object as read and commits it only if the object is still
 * that revision, computing it again when another write got there first ({@code
 * GuaranteedUpdate}, staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go). This server
 * computes writes (decoding, field management, admission) outside the lock every write waits for
 * and commits under it; these tests lose writes if a write computed from a replaced version were
 * committed as it is.
 */
class ConcurrentWritesTest {

  private static final String NS = "shared";
  private static final int WRITERS = 8;
  private static final int WRITES_EACH = 25;

  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private ExecutorService writers;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
    writers = Executors.newFixedThreadPool(WRITERS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    writers.shutdownNow();
    writers.awaitTermination(10, TimeUnit.SECONDS);
    client.close();
    cluster.close();
  }

  private static ConfigMap labelled(String label) {
    return new ConfigMapBuilder().withNewMetadata().withName("target").withNamespace(NS)
        .addToLabels(label, "set").endMetadata().build();
  }

  private void createTarget() {
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("target").endMetadata().withData(Map.of("value", "0")).build()).create();
  }

  /** Runs {@code write(writer, index)} WRITERS x WRITES_EACH times, the writers at once. */
  private void concurrently(Write write) throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      int w = writer;
      done.add(writers.submit((Callable<Void>) () -> {
        for (int i = 0; i < WRITES_EACH; i++) {
          write.run(w, i);
        }
        return null;
      }));
    }
    for (Future<?> future : done) {
      future.get(2, TimeUnit.MINUTES);
    }
  }

  private interface Write {
    void run(int writer, int index);
  }

  @Test
  void mergePatchesWithoutAPreconditionFromManyClientsAllLand() throws Exception {
    createTarget();
    long before = Long.parseLong(client.configMaps().inNamespace(NS).withName("target").get()
        .getMetadata().getResourceVersion());

    concurrently((writer, index) -> client.configMaps().inNamespace(NS).withName("target")
        .patch(PatchContext.of(PatchType.JSON_MERGE), labelled("w" + writer + "-" + index)));

    ConfigMap after = client.configMaps().inNamespace(NS).withName("target").get();
    assertThat(after.getMetadata().getLabels()).hasSize(WRITERS * WRITES_EACH);
    // each patch changed the object, so each was stored with a version of its own
    assertThat(Long.parseLong(after.getMetadata().getResourceVersion()) - before)
        .isGreaterThanOrEqualTo(WRITERS * WRITES_EACH);
  }

  @Test
  void appliesByManyFieldManagersToOneObjectAllLandAndEachOwnsItsField() throws Exception {
    createTarget();

    concurrently((writer, index) -> client.configMaps().inNamespace(NS)
        .resource(labelled("w" + writer + "-" + index)).fieldManager("w" + writer + "-" + index)
        .serverSideApply());

    ConfigMap after = client.configMaps().inNamespace(NS).withName("target").get();
    assertThat(after.getMetadata().getLabels()).hasSize(WRITERS * WRITES_EACH);
    assertThat(after.getMetadata().getManagedFields())
        .filteredOn(entry -> "Apply".equals(entry.getOperation()))
        .hasSize(WRITERS * WRITES_EACH);
    assertThat(after.getData()).containsEntry("value", "0");
  }

  /**
   * The server's own controllers (kubelet, Deployment controller, garbage collector) write the
   * same way ({@code Storage.updateInternal}): a change computed from a version that another
   * write replaced meanwhile is computed again from the new one, so no increment is lost.
   */
  @Test
  void controllerUpdatesOfOneObjectFromManyThreadsAllLand() throws Exception {
    Storage api = new Storage(Clock.systemUTC());
    Workloads.createNamespace(api, NS); // NamespaceLifecycle: the namespace first
    ApiTarget configMaps = ApiTarget.parse("/api/v1/namespaces/" + NS + "/configmaps");
    ObjectNode counter = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1")
        .put("kind", "ConfigMap");
    counter.putObject("metadata").put("name", "counter");
    counter.putObject("data").put("value", "0");
    api.createInternal(configMaps, counter, "test");
    ApiTarget target = configMaps.withName("counter");

    concurrently((writer, index) -> api.updateInternal(target, configMap -> {
      ObjectNode data = (ObjectNode) configMap.get("data");
      data.put("value", String.valueOf(Integer.parseInt(data.get("value").asText()) + 1));
      return configMap;
    }, "controller-" + writer));

    assertThat(api.get(target).path("data").path("value").asText())
        .isEqualTo(String.valueOf(WRITERS * WRITES_EACH));
  }

  @Test
  void ofManyCreatesOfOneNameOneIsStoredAndTheOthersAreToldItExists() throws Exception {
    AtomicInteger created = new AtomicInteger();
    List<Integer> refusals = Collections.synchronizedList(new ArrayList<>());

    concurrently((writer, index) -> {
      try {
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
            .withName("once-" + index).endMetadata()
            .withData(Map.of("writer", String.valueOf(writer))).build()).create();
        created.incrementAndGet();
      } catch (KubernetesClientException e) {
        refusals.add(e.getCode());
      }
    });

    assertThat(created.get()).isEqualTo(WRITES_EACH);
    assertThat(refusals).hasSize((WRITERS - 1) * WRITES_EACH).containsOnly(409);
    assertThat(client.configMaps().inNamespace(NS).list().getItems())
        .filteredOn(configMap -> configMap.getMetadata().getName().startsWith("once-"))
        .hasSize(WRITES_EACH);
  }
}
