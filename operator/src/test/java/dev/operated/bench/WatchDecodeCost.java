package dev.operated.bench;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import dev.operated.runtime.OperatorSerialization;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;

/**
 * The CPU of decoding one watch event as the operator's informers receive them, fabric8's way
 * (a tree, then the class) against the operator's ({@link OperatorSerialization}: one pass), on
 * one thread: a pod of the example service as the kubelet reports it, and its Deployment. Not a
 * test (no *Test name: surefire never runs it).
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

  private WatchDecodeCost() {
  }

  public static void main(String[] args) {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    KubernetesSerialization fabric8 = new KubernetesSerialization();
    KubernetesSerialization operator = OperatorSerialization.create();
    OperatedService service = new OperatedService("bench", "orders",
        new OperatedServiceSpec("example.com/orders:1", 2, null, null, null, null, null, null,
            null, null, null, null));
    service.getMetadata().setGeneration(1L);
    List<HasMetadata> desired = DesiredState.of(service,
        new ClusterFacts(KubernetesVersion.of("1", "33"), false, Map.of()));
    Deployment deployment = (Deployment) desired.get(0);
    Map<String, String> wire = Map.of(
        "pod", fabric8.asJson(new WatchEvent(pod(deployment), "MODIFIED")),
        "deployment", fabric8.asJson(new WatchEvent(deployment, "MODIFIED")));
    wire.forEach((kind, event) -> System.out.printf("%s event: %,d bytes%n", kind,
        event.length()));
    for (int round = 1; round <= ROUNDS; round++) {
      for (var event : wire.entrySet()) {
        System.out.printf("round %d, %-10s fabric8 %6.1f µs, operator %6.1f µs per event%n",
            round, event.getKey(), micros(fabric8, event.getValue(), events),
            micros(operator, event.getValue(), events));
      }
    }
  }

  private static double micros(KubernetesSerialization serialization, String event, int events) {
    long started = System.nanoTime();
    for (int i = 0; i < events; i++) {
      if (serialization.unmarshal(event, WatchEvent.class).getObject() == null) {
        throw new IllegalStateException("no object decoded");
      }
    }
    return (System.nanoTime() - started) / 1_000.0 / events;
  }

  /** One of the Deployment's pods, running and ready, as the kubelet reports it. */
  private static Pod pod(Deployment deployment) {
    var template = deployment.getSpec().getTemplate();
    return new PodBuilder()
        .withNewMetadataLike(template.getMetadata())
          .withName(deployment.getMetadata().getName() + "-7d9f8c6b5-x2x4q")
          .withNamespace(deployment.getMetadata().getNamespace())
          .withUid("6f1d2c1e-0c9b-4bde-9a53-1b1f5c3f2a10").withResourceVersion("104711")
          .withCreationTimestamp("2026-12-02T17:00:00Z")
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
              .withKind("ReplicaSet").withName(deployment.getMetadata().getName() + "-7d9f8c6b5")
              .withUid("9e1a7c55-3f1b-4f0e-b0a4-2d6f0b7c9e21").withController(true)
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
