package dev.operated.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import dev.operated.runtime.OperatorSerialization;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The CPU of decoding one watch event as the operator's informers receive them, on one thread:
 * fabric8's way (the object read into a tree, then into its class, its managedFields ignored, as
 * the operator read them before {@link OperatorSerialization}) against the operator's (one pass,
 * the managedFields cut from the text first). The events are a thousand pods of the example
 * service as the kubelet reports them and their Deployments, each with the managedFields an API
 * server keeps. Not a test (no *Test name: surefire never runs it).
 *
 * <pre>
 * ./mvnw -B -o -q -pl operator test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
 *   -XX:+UseCompactObjectHeaders -XX:MaxRAM=256m -XX:MaxRAMPercentage=70 \
 *   -cp operator/target/classes:operator/target/test-classes:$(cat operator/target/cp.txt) \
 *   dev.operated.bench.WatchDecodeCost [events per round]
 * </pre>
 */
public final class WatchDecodeCost {

  private static final int ROUNDS = 5;
  private static final int DISTINCT = 1_000;

  private WatchDecodeCost() {
  }

  public static void main(String[] args) {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    // writes what the API server sends; the two that read drop managedFields, as the operator did
    KubernetesSerialization writer = new KubernetesSerialization();
    KubernetesSerialization fabric8 = new KubernetesSerialization(
        new ObjectMapper().addMixIn(ObjectMeta.class, NoManagedFields.class), true);
    KubernetesSerialization operator = OperatorSerialization.create();
    OperatedService service = new OperatedService("bench", "orders",
        new OperatedServiceSpec("example.com/orders:1", 2, null, null, null, null, null, null,
            null, null, null, null));
    service.getMetadata().setGeneration(1L);
    List<HasMetadata> desired = DesiredState.of(service,
        new ClusterFacts(KubernetesVersion.of("1", "33"), false, Map.of()));
    Deployment deployment = (Deployment) desired.get(0);
    // every pod and Deployment its own, as in a storm: names and uids differ, and so do the keys
    // of their managedFields (an owner reference is keyed by its uid)
    Map<String, List<String>> wire = new TreeMap<>();
    for (int i = 0; i < DISTINCT; i++) {
      Deployment own = new DeploymentBuilder(deployment).editMetadata()
          .withName("orders-" + i).withUid(UUID.randomUUID().toString()).endMetadata().build();
      wire.computeIfAbsent("pod", kind -> new ArrayList<>()).add(writer.asJson(
          new WatchEvent(withManagedFields(pod(own), writer), "MODIFIED")));
      wire.computeIfAbsent("deployment", kind -> new ArrayList<>()).add(writer.asJson(
          new WatchEvent(withManagedFields(own, writer), "MODIFIED")));
    }
    wire.forEach((kind, distinct) -> System.out.printf("%s event: %,d bytes%n", kind,
        distinct.get(0).length()));
    for (int round = 1; round <= ROUNDS; round++) {
      for (var event : wire.entrySet()) {
        System.out.printf("round %d, %-10s fabric8 %6.1f µs, operator %6.1f µs per event%n",
            round, event.getKey(), micros(fabric8, event.getValue(), events),
            micros(operator, event.getValue(), events));
      }
    }
  }

  @JsonIgnoreProperties(value = "managedFields", ignoreUnknown = true)
  private interface NoManagedFields {
  }

  private static double micros(KubernetesSerialization serialization, List<String> wire,
      int events) {
    long started = System.nanoTime();
    for (int i = 0; i < events; i++) {
      if (serialization.unmarshal(wire.get(i % wire.size()), WatchEvent.class)
          .getObject() == null) {
        throw new IllegalStateException("no object decoded");
      }
    }
    return (System.nanoTime() - started) / 1_000.0 / events;
  }

  /**
   * The object with the managedFields an API server keeps on it: one entry whose field set is
   * every field the object has, keyed as server-side apply keys list items (by name, or by uid
   * for owner references, which makes the keys of every pod's entry its own).
   */
  private static <T extends HasMetadata> T withManagedFields(T object,
      KubernetesSerialization serialization) {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode fields = fieldSet(mapper.valueToTree(object), mapper);
    ManagedFieldsEntry entry = new ManagedFieldsEntryBuilder()
        .withManager("kube-controller-manager")
        .withOperation("Update").withApiVersion(object.getApiVersion()).withFieldsType("FieldsV1")
        .withTime("2026-12-02T17:00:00Z").withNewFieldsV1().endFieldsV1().build();
    mapper.convertValue(fields, Map.class).forEach((name, value) ->
        entry.getFieldsV1().setAdditionalProperty((String) name, value));
    object.getMetadata().setManagedFields(List.of(entry));
    return serialization.clone(object);
  }

  private static JsonNode fieldSet(JsonNode value, ObjectMapper mapper) {
    ObjectNode set = mapper.createObjectNode();
    if (value.isObject()) {
      value.fields().forEachRemaining(field -> set.set("f:" + field.getKey(),
          fieldSet(field.getValue(), mapper)));
    } else if (value.isArray()) {
      for (JsonNode item : value) {
        JsonNode key = item.has("uid") ? item.get("uid") : item.get("name");
        if (key != null) {
          ObjectNode itemKey = mapper.createObjectNode().set(item.has("uid") ? "uid" : "name", key);
          set.set("k:" + itemKey, fieldSet(item, mapper));
        } else {
          set.set("v:" + item, mapper.createObjectNode());
        }
      }
    }
    return set;
  }

  /** One of the Deployment's pods, running and ready, as the kubelet reports it. */
  private static Pod pod(Deployment deployment) {
    var template = deployment.getSpec().getTemplate();
    return new PodBuilder()
        .withNewMetadataLike(template.getMetadata())
          .withName(deployment.getMetadata().getName() + "-7d9f8c6b5-x2x4q")
          .withNamespace(deployment.getMetadata().getNamespace())
          .withUid(UUID.randomUUID().toString()).withResourceVersion("104711")
          .withCreationTimestamp("2026-12-02T17:00:00Z")
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
              .withKind("ReplicaSet").withName(deployment.getMetadata().getName() + "-7d9f8c6b5")
              .withUid(deployment.getMetadata().getUid()).withController(true)
              .withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withSpec(template.getSpec())
        .withNewStatus().withPhase("Running").withPodIP("10.0.0.7").withHostIP("10.0.1.2")
          .withStartTime("2026-12-02T17:00:01Z")
          .addNewCondition().withType("PodScheduled").withStatus("True")
            .withLastTransitionTime("2026-12-02T17:00:00Z").endCondition()
          .addNewCondition().withType("Initialized").withStatus("True")
            .withLastTransitionTime("2026-12-02T17:00:01Z").endCondition()
          .addNewCondition().withType("ContainersReady").withStatus("True")
            .withLastTransitionTime("2026-12-02T17:00:05Z").endCondition()
          .addNewCondition().withType("Ready").withStatus("True")
            .withLastTransitionTime("2026-12-02T17:00:05Z").endCondition()
          .withContainerStatuses(template.getSpec().getContainers().stream()
              .map(container -> new ContainerStatusBuilder().withName(container.getName())
                  .withImage(container.getImage()).withImageID("sha256:0f1e2d3c")
                  .withContainerID("containerd://4b5c6d7e").withReady(true).withStarted(true)
                  .withRestartCount(0).withNewState().withNewRunning()
                  .withStartedAt("2026-12-02T17:00:02Z").endRunning().endState().build())
              .toList())
        .endStatus()
        .build();
  }
}
