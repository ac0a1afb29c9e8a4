package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pausing the built-in controllers ({@link EmbeddedCluster#pause(Controller)}): while paused a
 * controller writes nothing, whatever happens; resumed, it catches up on what it missed.
 */
class ControllerPauseTest {

  /** How long "writes nothing" is watched for: several of the controllers' one-second resyncs. */
  private static final Duration QUIET = Duration.ofSeconds(3);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** A node whose containers' readiness the test flips. */
  private static final class SwitchNode implements Node {
    final AtomicBoolean ready = new AtomicBoolean(true);
    final Map<String, PodReporter> pods = new ConcurrentHashMap<>();
    final Map<String, Pod> podsByUid = new ConcurrentHashMap<>();

    @Override
    public void podAdded(Pod pod, PodReporter reporter) {
      pods.put(pod.getMetadata().getUid(), reporter);
      podsByUid.put(pod.getMetadata().getUid(), pod);
      report(pod.getMetadata().getUid());
    }

    void flip(boolean nowReady) {
      ready.set(nowReady);
      pods.keySet().forEach(this::report);
    }

    private void report(String uid) {
      pods.get(uid).report(podsByUid.get(uid).getSpec().getContainers().stream()
          .map(container -> ContainerReport.running(container.getName(), false, ready.get()))
          .toList());
    }

    @Override
    public void podDeleted(Pod pod, PodReporter reporter) {
      pods.remove(pod.getMetadata().getUid());
      reporter.terminated();
    }
  }

  private final SwitchNode node = new SwitchNode();
  private EmbeddedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().node(node).start();
    client = cluster.newClient();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private static Deployment deployment(String name, int replicas) {
    return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer()
        .endSpec().endTemplate().endSpec().build();
  }

  private List<ReplicaSet> replicaSets() {
    return client.apps().replicaSets().list().getItems();
  }

  private List<Pod> pods() {
    return client.pods().list().getItems();
  }

  private Integer readyReplicas(String name) {
    Deployment current = client.apps().deployments().withName(name).get();
    return current.getStatus() == null ? null : current.getStatus().getReadyReplicas();
  }

  @Test
  void aPausedDeploymentControllerCreatesNoReplicaSetUntilResumed() {
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.DEPLOYMENT)) {
      client.apps().deployments().resource(deployment("web", 2)).create();
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> replicaSets().isEmpty()
          && client.apps().deployments().withName("web").get().getStatus() == null);
    }
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(2).equals(readyReplicas("web")));
    assertThat(replicaSets()).hasSize(1);
    assertThat(pods()).hasSize(2);
  }

  @Test
  void aPausedReplicaSetControllerCreatesNoPodsThoughItsDeploymentGetsAReplicaSet() {
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.REPLICA_SET)) {
      client.apps().deployments().resource(deployment("web", 2)).create();
      await().atMost(TIMEOUT).until(() -> replicaSets().size() == 1);
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> pods().isEmpty()
          && replicaSets().get(0).getStatus() == null);
    }
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(2).equals(readyReplicas("web")));
    assertThat(replicaSets().get(0).getStatus().getReadyReplicas()).isEqualTo(2);
  }

  @Test
  void aPausedKubeletWritesNoPodStatusThenWritesTheLatestReportOnResume() {
    client.apps().deployments().resource(deployment("web", 1)).create();
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(1).equals(readyReplicas("web")));
    String before = pods().get(0).getMetadata().getResourceVersion();

    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.KUBELET)) {
      node.flip(false);
      node.flip(true);
      node.flip(false);
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() ->
          pods().get(0).getMetadata().getResourceVersion().equals(before));
      assertThat(readyReplicas("web")).isEqualTo(1);
    }
    await().atMost(TIMEOUT).until(() -> "False".equals(readyCondition(pods().get(0)).getStatus()));
    await().atMost(TIMEOUT).until(() -> readyReplicas("web") == null || readyReplicas("web") == 0);
  }

  @Test
  void aPausedKubeletBindsNoNewPodAndStopsNoDeletedOneUntilResumed() {
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.KUBELET)) {
      client.apps().deployments().resource(deployment("web", 1)).create();
      await().atMost(TIMEOUT).until(() -> pods().size() == 1);
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() ->
          pods().get(0).getSpec().getNodeName() == null && pods().get(0).getStatus() == null
              || pods().get(0).getSpec().getNodeName() == null
                  && pods().get(0).getStatus().getPhase() == null);
    }
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(1).equals(readyReplicas("web")));

    String pod = pods().get(0).getMetadata().getName();
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.KUBELET)) {
      client.pods().withName(pod).delete();
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() ->
          client.pods().withName(pod).get() != null);
    }
    await().atMost(TIMEOUT).until(() -> client.pods().withName(pod).get() == null);
  }

  @Test
  void pausesNestAndOnlyTheLastResumeLetsTheControllerRun() {
    EmbeddedCluster.Pause outer = cluster.pause(Controller.DEPLOYMENT);
    EmbeddedCluster.Pause inner = cluster.pause(Controller.DEPLOYMENT);
    client.apps().deployments().resource(deployment("web", 1)).create();
    inner.close();
    inner.close(); // closing twice resumes once
    await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() -> replicaSets().isEmpty());
    outer.close();
    await().atMost(TIMEOUT).until(() -> replicaSets().size() == 1);
  }

  @Test
  void pausingTheGarbageCollectorHoldsDependentsOfADeletedOwner() {
    var owner = client.configMaps().resource(new ConfigMapBuilder().withNewMetadata()
        .withName("owner").endMetadata().build()).create();
    client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("dependent")
        .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner")
        .withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build())
        .create();
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.GARBAGE_COLLECTOR)) {
      client.configMaps().withName("owner").delete();
      await().during(QUIET).atMost(QUIET.plusSeconds(10)).until(() ->
          client.configMaps().withName("dependent").get() != null);
    }
    await().atMost(TIMEOUT).until(() -> client.configMaps().withName("dependent").get() == null);
  }

  private static PodCondition readyCondition(Pod pod) {
    return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
        .findFirst().orElseThrow();
  }
}
