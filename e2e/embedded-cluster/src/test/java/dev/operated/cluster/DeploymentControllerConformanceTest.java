package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Deployment controller as documented in
 * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/ (sections named per test).
 */
class DeploymentControllerConformanceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  /** Pods of these images become ready; others stay running but unready. */
  private static final Set<String> READY_IMAGES = ConcurrentHashMap.newKeySet();
  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  /** A node whose readiness the test controls by image. */
  private static final class GatedNode implements Node {
    private final java.util.Map<String, PodReporter> pods = new ConcurrentHashMap<>();

    @Override
    public void podAdded(Pod pod, PodReporter reporter) {
      pods.put(pod.getMetadata().getUid(), reporter);
      report(pod, reporter);
    }

    void report(Pod pod, PodReporter reporter) {
      reporter.report(pod.getSpec().getContainers().stream().map(container ->
          ContainerReport.running(container.getName(), false,
              READY_IMAGES.contains(container.getImage()))).toList());
    }

    @Override
    public void podDeleted(Pod pod, PodReporter reporter) {
      pods.remove(pod.getMetadata().getUid());
      reporter.terminated();
    }
  }

  private static final GatedNode NODE = new GatedNode();

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().node(NODE).start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static Deployment deployment(String name, String image, int replicas) {
    return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0))
        .endRollingUpdate().endStrategy()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer()
        .endSpec().endTemplate().endSpec().build();
  }

  private static Deployment get(String name) {
    return client.apps().deployments().withName(name).get();
  }

  private static DeploymentCondition condition(Deployment deployment, String type) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getConditions()
        .stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static List<Pod> livePods(String app) {
    return client.pods().withLabel("app", app).list().getItems().stream()
        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
  }

  /**
   * "Creating a Deployment": a ReplicaSet named and labelled with the pod-template-hash, its
   * pods, and a status with observedGeneration, counts, Available and Progressing.
   */
  @Test
  void aDeploymentRollsOutThroughAReplicaSet() {
    READY_IMAGES.add("web:1");
    client.apps().deployments().resource(deployment("web", "web:1", 3)).create();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Deployment deployment = get("web");
      assertThat(deployment.getStatus()).as("written by the controller").isNotNull();
      assertThat(deployment.getStatus().getObservedGeneration()).isEqualTo(1L);
      assertThat(deployment.getStatus().getReplicas()).isEqualTo(3);
      assertThat(deployment.getStatus().getUpdatedReplicas()).isEqualTo(3);
      assertThat(deployment.getStatus().getReadyReplicas()).isEqualTo(3);
      assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(3);
      assertThat(condition(deployment, "Available").getStatus()).isEqualTo("True");
      assertThat(condition(deployment, "Progressing").getReason())
          .isEqualTo("NewReplicaSetAvailable");
    });
    ReplicaSet replicaSet = client.apps().replicaSets().withLabel("app", "web").list()
        .getItems().get(0);
    String hash = replicaSet.getMetadata().getLabels().get("pod-template-hash");
    assertThat(replicaSet.getMetadata().getName()).isEqualTo("web-" + hash);
    assertThat(replicaSet.getSpec().getSelector().getMatchLabels())
        .containsEntry("pod-template-hash", hash);
    assertThat(livePods("web")).hasSize(3).allSatisfy(pod -> {
      assertThat(pod.getMetadata().getName()).startsWith("web-" + hash + "-");
      assertThat(pod.getMetadata().getOwnerReferences().get(0).getUid())
          .isEqualTo(replicaSet.getMetadata().getUid());
    });
  }

  /**
   * "Rolling Update Deployment" / "Max Surge" / "Max Unavailable": with maxSurge 1 and
   * maxUnavailable 0, never more than replicas+1 pods and never fewer than replicas available;
   * the old ReplicaSet is scaled to zero once the new pods are ready.
   */
  @Test
  void aRollingUpdateStaysWithinItsBudget() {
    READY_IMAGES.add("api:1");
    client.apps().deployments().resource(deployment("api", "api:1", 3)).create();
    await().atMost(TIMEOUT).until(() -> get("api").getStatus() != null
        && Integer.valueOf(3).equals(get("api").getStatus().getAvailableReplicas()));

    edit("api", deployment -> {
      deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("api:2");
      return deployment;
    });

    // api:2 is not ready yet: the rollout must stop at one surge pod, keeping all three old.
    AtomicInteger maxLive = new AtomicInteger();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<Pod> live = livePods("api");
      maxLive.accumulateAndGet(live.size(), Math::max);
      Deployment deployment = get("api");
      assertThat(deployment.getStatus()).as("written by the controller").isNotNull();
      assertThat(deployment.getStatus().getObservedGeneration()).isEqualTo(2L);
      assertThat(deployment.getStatus().getUpdatedReplicas()).isEqualTo(1);
      assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(3);
      assertThat(condition(deployment, "Progressing").getReason())
          .isIn("NewReplicaSetCreated", "ReplicaSetUpdated");
    });
    assertThat(maxLive.get()).isLessThanOrEqualTo(4);

    READY_IMAGES.add("api:2");
    for (Pod pod : livePods("api")) {
      // Readiness changed on the node: it reports again.
      if ("api:2".equals(pod.getSpec().getContainers().get(0).getImage())) {
        NODE.report(pod, NODE.pods.get(pod.getMetadata().getUid()));
      }
    }
    await().atMost(TIMEOUT).untilAsserted(() -> {
      List<Pod> live = livePods("api");
      maxLive.accumulateAndGet(live.size(), Math::max);
      for (Pod pod : live) {
        if ("api:2".equals(pod.getSpec().getContainers().get(0).getImage())
            && NODE.pods.containsKey(pod.getMetadata().getUid())) {
          NODE.report(pod, NODE.pods.get(pod.getMetadata().getUid()));
        }
      }
      Deployment deployment = get("api");
      assertThat(deployment.getStatus().getUpdatedReplicas()).isEqualTo(3);
      assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(3);
      assertThat(deployment.getStatus().getReplicas()).isEqualTo(3);
      assertThat(condition(deployment, "Progressing").getReason())
          .isEqualTo("NewReplicaSetAvailable");
    });
    assertThat(maxLive.get()).as("replicas + maxSurge").isLessThanOrEqualTo(4);
    assertThat(client.apps().replicaSets().withLabel("app", "api").list().getItems())
        .extracting(rs -> rs.getSpec().getReplicas()).containsExactlyInAnyOrder(0, 3);
  }

  /** "Failed Deployment": no progress within progressDeadlineSeconds → ProgressDeadlineExceeded. */
  @Test
  void aStuckRolloutExceedsItsProgressDeadline() {
    Deployment stuck = deployment("stuck", "never-ready:1", 1);
    stuck.getSpec().setProgressDeadlineSeconds(1);
    client.apps().deployments().resource(stuck).create();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      DeploymentCondition progressing = condition(get("stuck"), "Progressing");
      assertThat(progressing.getStatus()).isEqualTo("False");
      assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
      assertThat(condition(get("stuck"), "Available").getStatus()).isEqualTo("False");
    });
  }

  /**
   * "Checking Rollout History of a Deployment" and "Rolling Back to a Previous Revision": each
   * template's ReplicaSet has a revision, the Deployment the current one (written with its status,
   * so no generation is spent on it), and a template rolled back to takes the next revision, its
   * old one kept in the revision history (deploymentutil.SetNewReplicaSetAnnotations).
   */
  @Test
  void eachTemplateIsARevisionAndRollingBackMakesTheNextOne() {
    READY_IMAGES.addAll(List.of("history:1", "history:2"));
    Deployment first = deployment("history", "history:1", 1);
    first.getMetadata().setAnnotations(java.util.Map.of("kubernetes.io/change-cause", "first"));
    client.apps().deployments().resource(first).create();
    awaitRevision("history", "1", 1L);

    edit("history", d -> {
      d.getMetadata().getAnnotations().put("kubernetes.io/change-cause", "second");
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("history:2");
      return d;
    });
    awaitRevision("history", "2", 2L);
    assertThat(replicaSetOf("history", "history:1").getMetadata().getAnnotations())
        .containsEntry(DeploymentController.REVISION, "1")
        .containsEntry("kubernetes.io/change-cause", "first");
    assertThat(replicaSetOf("history", "history:2").getMetadata().getAnnotations())
        .containsEntry(DeploymentController.REVISION, "2")
        .containsEntry("kubernetes.io/change-cause", "second");

    edit("history", d -> {
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("history:1");
      return d;
    });
    awaitRevision("history", "3", 3L);
    assertThat(replicaSetOf("history", "history:1").getMetadata().getAnnotations())
        .containsEntry(DeploymentController.REVISION, "3")
        .containsEntry(DeploymentController.REVISION_HISTORY, "1");
  }

  /**
   * Like kubectl edit: the controller may write the Deployment between the read and the update,
   * so a 409 means read and change it again.
   */
  private static void edit(String name, java.util.function.UnaryOperator<Deployment> change) {
    await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(
        io.fabric8.kubernetes.client.KubernetesClientException.class).until(() ->
            client.apps().deployments().withName(name).edit(change) != null);
  }

  private static void awaitRevision(String name, String revision, long generation) {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Deployment deployment = get(name);
      assertThat(deployment.getMetadata().getAnnotations())
          .containsEntry(DeploymentController.REVISION, revision);
      assertThat(deployment.getMetadata().getGeneration()).isEqualTo(generation);
      assertThat(deployment.getStatus().getObservedGeneration()).isEqualTo(generation);
    });
  }

  private static ReplicaSet replicaSetOf(String app, String image) {
    return client.apps().replicaSets().withLabel("app", app).list().getItems().stream()
        .filter(rs -> image.equals(rs.getSpec().getTemplate().getSpec().getContainers().get(0)
            .getImage())).findFirst().orElseThrow();
  }

  /**
   * "Pausing and Resuming a rollout of a Deployment": while paused, a new template makes no new
   * ReplicaSet (syncDeployment's sync with createIfNotExisted false) but the count still scales
   * the active one; Progressing says DeploymentPaused, Unknown (checkPausedConditions); resumed,
   * the new template rolls out as the next revision.
   */
  @Test
  void aPausedDeploymentScalesButRollsOutNothingUntilResumed() {
    READY_IMAGES.add("frozen:1");
    READY_IMAGES.add("frozen:2");
    client.apps().deployments().resource(deployment("frozen", "frozen:1", 2)).create();
    awaitRevision("frozen", "1", 1);
    await().atMost(TIMEOUT).until(() -> livePods("frozen").size() == 2);

    edit("frozen", deployment -> new DeploymentBuilder(deployment).editSpec().withPaused(true)
        .endSpec().build());
    edit("frozen", deployment -> new DeploymentBuilder(deployment).editSpec().withReplicas(3)
        .editTemplate().editSpec().editFirstContainer().withImage("frozen:2").endContainer()
        .endSpec().endTemplate().endSpec().build());

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Deployment deployment = get("frozen");
      assertThat(deployment.getStatus().getObservedGeneration())
          .isEqualTo(deployment.getMetadata().getGeneration());
      assertThat(livePods("frozen")).hasSize(3);
      assertThat(deployment.getStatus().getReplicas()).isEqualTo(3);
    });
    Deployment paused = get("frozen");
    assertThat(condition(paused, "Progressing").getStatus()).isEqualTo("Unknown");
    assertThat(condition(paused, "Progressing").getReason()).isEqualTo("DeploymentPaused");
    assertThat(condition(paused, "Progressing").getMessage()).isEqualTo("Deployment is paused");
    assertThat(paused.getStatus().getUpdatedReplicas()).isZero();
    assertThat(client.apps().replicaSets().withLabel("app", "frozen").list().getItems())
        .as("no ReplicaSet for the paused template").hasSize(1);
    assertThat(livePods("frozen")).allSatisfy(pod -> assertThat(pod.getSpec().getContainers()
        .get(0).getImage()).isEqualTo("frozen:1"));

    edit("frozen", deployment -> new DeploymentBuilder(deployment).editSpec().withPaused(false)
        .endSpec().build());

    awaitRevision("frozen", "2", paused.getMetadata().getGeneration() + 1);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(condition(get("frozen"), "Progressing").getReason())
          .isEqualTo("NewReplicaSetAvailable");
      assertThat(livePods("frozen")).hasSize(3).allSatisfy(pod -> assertThat(pod.getSpec()
          .getContainers().get(0).getImage()).isEqualTo("frozen:2"));
    });
  }

  /** "Scaling a Deployment": the ReplicaSet follows spec.replicas, down as well as up. */
  @Test
  void scalingChangesThePodCount() {
    READY_IMAGES.add("scale:1");
    client.apps().deployments().resource(deployment("scale", "scale:1", 2)).create();
    await().atMost(TIMEOUT).until(() -> livePods("scale").size() == 2);

    client.apps().deployments().withName("scale").scale(1);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(livePods("scale")).hasSize(1);
      assertThat(get("scale").getStatus().getReplicas()).isEqualTo(1);
    });
  }

  /**
   * deploymentStrategy.ValidateUpdate (pkg/registry/apps/deployment/strategy.go): through apps/v1
   * a Deployment's selector is immutable (ValidateImmutableField, compared with
   * apiequality.Semantic, where an empty map is none); the rest of its spec is not.
   */
  @Test
  void aDeploymentsSelectorCannotChange() {
    client.apps().deployments().resource(deployment("selected", "web:1", 1)).serverSideApply();
    Deployment reselected = deployment("selected", "web:1", 1);
    reselected.getSpec().getSelector().getMatchLabels().put("tier", "front");
    reselected.getSpec().getTemplate().getMetadata().getLabels().put("tier", "front");

    assertThatThrownBy(() -> client.apps().deployments().resource(reselected).serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getMessage()).isEqualTo("Deployment.apps \"selected\" is "
              + "invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]"
              + "string{\"app\":\"selected\", \"tier\":\"front\"}, MatchExpressions:[]v1."
              + "LabelSelectorRequirement(nil)}: field is immutable");
          assertThat(e.getStatus().getDetails().getCauses()).singleElement().satisfies(cause ->
              assertThat(cause.getField()).isEqualTo("spec.selector"));
        });
    assertThat(client.apps().deployments().withName("selected").get().getSpec().getSelector()
        .getMatchLabels()).containsOnlyKeys("app");

    Deployment rolled = client.apps().deployments().resource(deployment("selected", "web:2", 1))
        .serverSideApply();
    assertThat(rolled.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("web:2");
  }

  /**
   * SetNewReplicaSetAnnotations: the revision history a rollback appends to is kept within
   * revHistoryLimitInChars (2,000), the oldest revisions dropped first.
   */
  @Test
  void theRevisionHistoryKeepsItsNewestTwoThousandCharacters() {
    assertThat(DeploymentController.revisionHistory("", "1")).isEqualTo("1");
    assertThat(DeploymentController.revisionHistory("1,3", "5")).isEqualTo("1,3,5");
    String full = String.join(",", java.util.Collections.nCopies(400, "1234")); // 1,999 chars

    String appended = DeploymentController.revisionHistory(full, "99999");

    assertThat(appended).as("the oldest dropped: 2,005 characters would be too many")
        .hasSize(2000).endsWith(",1234,99999");
    assertThat(appended.split(",")).hasSize(400);
  }
}
