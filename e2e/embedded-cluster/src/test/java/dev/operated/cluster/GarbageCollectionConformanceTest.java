package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Garbage collection and finalizers as documented in
 * https://kubernetes.io/docs/concepts/architecture/garbage-collection/ and
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/.
 */
class GarbageCollectionConformanceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
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

  private static ConfigMap create(String name, ConfigMap owner, List<String> finalizers) {
    ConfigMapBuilder builder = new ConfigMapBuilder().withNewMetadata().withName(name)
        .withFinalizers(finalizers).endMetadata();
    if (owner != null) {
      builder.editMetadata().addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap")
          .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
          .endOwnerReference().endMetadata();
    }
    return client.configMaps().resource(builder.build()).create();
  }

  private static ConfigMap get(String name) {
    return client.configMaps().withName(name).get();
  }

  /** "Cascading deletion", background: dependents are deleted after their owner. */
  @Test
  void dependentsOfADeletedOwnerAreDeletedInTheBackground() {
    ConfigMap owner = create("bg-owner", null, List.of());
    create("bg-child", owner, List.of());
    create("bg-grandchild", get("bg-child"), List.of());

    client.configMaps().withName("bg-owner").withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();

    assertThat(get("bg-owner")).as("the owner goes at once").isNull();
    await().atMost(TIMEOUT).until(() -> get("bg-child") == null && get("bg-grandchild") == null);
  }

  /**
   * "Cascading deletion", orphan (kubectl delete --cascade=orphan): the owner goes, its
   * dependents stay without the reference to it (garbagecollector.go orphanDependents), and a
   * reference to another owner is kept.
   */
  @Test
  void anOrphaningDeleteLeavesTheDependentsWithoutTheirReference() {
    ConfigMap owner = create("orphan-owner", null, List.of());
    ConfigMap other = create("orphan-other-owner", null, List.of());
    create("orphan-child", owner, List.of());
    ConfigMap shared = create("orphan-shared", owner, List.of());
    shared.getMetadata().getOwnerReferences().add(new io.fabric8.kubernetes.api.model
        .OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
        .withName("orphan-other-owner").withUid(other.getMetadata().getUid()).build());
    client.configMaps().resource(shared).update();

    client.configMaps().withName("orphan-owner").withPropagationPolicy(DeletionPropagation.ORPHAN)
        .delete();

    await().atMost(TIMEOUT).until(() -> get("orphan-owner") == null);
    cluster.collectGarbage();
    assertThat(get("orphan-child")).isNotNull();
    assertThat(get("orphan-child").getMetadata().getOwnerReferences()).isEmpty();
    assertThat(get("orphan-shared").getMetadata().getOwnerReferences()).singleElement()
        .satisfies(reference -> assertThat(reference.getName()).isEqualTo("orphan-other-owner"));
  }

  /** "Owners and dependents": a dependent with another owner still alive stays. */
  @Test
  void aDependentWithALivingOwnerStays() {
    ConfigMap first = create("two-owners-a", null, List.of());
    ConfigMap second = create("two-owners-b", null, List.of());
    ConfigMap child = create("two-owners-child", first, List.of());
    child.getMetadata().getOwnerReferences().add(new io.fabric8.kubernetes.api.model
        .OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
        .withName("two-owners-b").withUid(second.getMetadata().getUid()).build());
    client.configMaps().resource(child).update();

    client.configMaps().withName("two-owners-a").delete();
    cluster.collectGarbage();

    assertThat(get("two-owners-child")).isNotNull();
  }

  /** "Finalizers": deleting an object with finalizers only marks it; removing them deletes it. */
  @Test
  void finalizersHoldTheObjectUntilRemoved() {
    create("finalized", null, List.of("example.com/cleanup"));

    client.configMaps().withName("finalized").delete();

    ConfigMap marked = get("finalized");
    assertThat(marked).isNotNull();
    assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
    client.configMaps().withName("finalized").edit(cm -> {
      cm.getMetadata().setFinalizers(List.of());
      return cm;
    });
    assertThat(get("finalized")).isNull();
  }

  /** "Cascading deletion" with a dependent's finalizer: the dependent is marked and waits. */
  @Test
  void aDependentsFinalizerIsHonoured() {
    ConfigMap owner = create("fin-owner", null, List.of());
    create("fin-child", owner, List.of("example.com/cleanup"));

    client.configMaps().withName("fin-owner").delete();

    await().atMost(TIMEOUT).until(() -> get("fin-child").getMetadata()
        .getDeletionTimestamp() != null);
    client.configMaps().withName("fin-child").edit(cm -> {
      cm.getMetadata().setFinalizers(List.of());
      return cm;
    });
    assertThat(get("fin-child")).isNull();
  }

  /** "Finalizers": an owner held by its finalizer still exists, so its dependents stay. */
  @Test
  void dependentsStayWhileTheOwnerIsHeldByAFinalizer() {
    ConfigMap owner = create("held-owner", null, List.of("example.com/cleanup"));
    create("held-child", owner, List.of());

    client.configMaps().withName("held-owner").delete();
    cluster.collectGarbage();
    assertThat(get("held-child")).isNotNull();

    client.configMaps().withName("held-owner").edit(cm -> {
      cm.getMetadata().setFinalizers(List.of());
      return cm;
    });
    await().atMost(TIMEOUT).until(() -> get("held-child") == null);
  }

  /**
   * "Foreground cascading deletion": the owner gets the foregroundDeletion finalizer and goes
   * only after its dependents.
   */
  @Test
  void foregroundDeletionRemovesDependentsFirst() {
    ConfigMap owner = create("fg-owner", null, List.of());
    create("fg-child", owner, List.of("example.com/cleanup"));

    client.configMaps().withName("fg-owner").withPropagationPolicy(
        DeletionPropagation.FOREGROUND).delete();

    ConfigMap marked = get("fg-owner");
    assertThat(marked.getMetadata().getFinalizers()).contains("foregroundDeletion");
    await().atMost(TIMEOUT).until(() -> get("fg-child").getMetadata()
        .getDeletionTimestamp() != null);
    assertThat(get("fg-owner")).as("held while a dependent remains").isNotNull();

    client.configMaps().withName("fg-child").edit(cm -> {
      cm.getMetadata().setFinalizers(List.of());
      return cm;
    });
    await().atMost(TIMEOUT).until(() -> get("fg-owner") == null);
  }
}
