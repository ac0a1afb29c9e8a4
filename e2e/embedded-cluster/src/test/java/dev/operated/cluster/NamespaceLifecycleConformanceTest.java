package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A namespace's life, as kube-apiserver and kube-controller-manager run it: the NamespaceLifecycle
 * admission plugin (apiserver/pkg/admission/plugin/namespace/lifecycle, {@code Admit}), the
 * namespace's strategy (pkg/registry/core/namespace/strategy.go), its registry's two-step delete
 * (pkg/registry/core/namespace/storage/storage.go, {@code REST.Delete},
 * {@code ShouldDeleteNamespaceDuringUpdate}) and the namespace controller
 * (pkg/controller/namespace/deletion, {@code namespacedResourcesDeleter.Delete} and
 * {@code status_condition_utils.go}).
 */
class NamespaceLifecycleConformanceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);

  @Test
  void anObjectInANamespaceThatDoesNotExistIsNotCreated() {
    KubernetesClient client = clusters.client();
    ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("settings")
        .withNamespace("nope").endMetadata().addToData("a", "1").build();

    KubernetesClientException created = catchThrowableOfType(KubernetesClientException.class,
        () -> client.configMaps().inNamespace("nope").resource(configMap).create());
    KubernetesClientException applied = catchThrowableOfType(KubernetesClientException.class,
        () -> client.configMaps().inNamespace("nope").resource(configMap)
            .fieldManager("test").serverSideApply());

    for (KubernetesClientException refusal : new KubernetesClientException[] {created, applied}) {
      assertThat(refusal).isNotNull();
      assertThat(refusal.getCode()).isEqualTo(404);
      assertThat(refusal.getStatus().getReason()).isEqualTo("NotFound");
      assertThat(refusal.getStatus().getMessage()).isEqualTo("namespaces \"nope\" not found");
      assertThat(refusal.getStatus().getDetails().getKind()).isEqualTo("namespaces");
    }
    assertThat(client.configMaps().inAnyNamespace().list().getItems())
        .noneMatch(stored -> "settings".equals(stored.getMetadata().getName()));

    client.namespaces().resource(new NamespaceBuilder()
        .withNewMetadata().withName("nope").endMetadata().build()).create();
    assertThat(client.configMaps().inNamespace("nope").resource(configMap).create()
        .getMetadata().getNamespace()).isEqualTo("nope");
  }

  /**
   * PrepareForCreate: Active, with the {@code kubernetes} finalizer; SetDefaults_Namespace: the
   * {@code kubernetes.io/metadata.name} label. PrepareForUpdate: an update keeps the finalizers
   * and the status, which only {@code /finalize} and {@code /status} write.
   */
  @Test
  void aNamespaceIsCreatedActiveWithItsFinalizerAndNameLabelWhichAnUpdateKeeps() {
    KubernetesClient client = clusters.client();
    Namespace created = client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
        .withName("shop").addToLabels("team", "shop").endMetadata().build()).create();

    assertThat(created.getStatus().getPhase()).isEqualTo("Active");
    assertThat(created.getSpec().getFinalizers()).containsExactly("kubernetes");
    assertThat(created.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(
        Map.of("team", "shop", "kubernetes.io/metadata.name", "shop"));

    Namespace edited = new NamespaceBuilder(created).editSpec().withFinalizers(List.of())
        .endSpec().editStatus().withPhase("Terminating").endStatus().editMetadata()
        .removeFromLabels("kubernetes.io/metadata.name").endMetadata().build();
    Namespace updated = client.namespaces().resource(edited).update();

    assertThat(updated.getSpec().getFinalizers()).containsExactly("kubernetes");
    assertThat(updated.getStatus().getPhase()).isEqualTo("Active");
    assertThat(updated.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name",
        "shop");
  }

  /** The plugin's immortal namespaces: default, kube-system and kube-public. */
  @Test
  void theSystemNamespacesMayNotBeDeleted() {
    KubernetesClient client = clusters.client();
    for (String name : List.of("default", "kube-system", "kube-public")) {
      KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
          () -> client.namespaces().withName(name).delete());

      assertThat(refused).as(name).isNotNull();
      assertThat(refused.getCode()).isEqualTo(403);
      assertThat(refused.getStatus().getReason()).isEqualTo("Forbidden");
      assertThat(refused.getStatus().getMessage())
          .isEqualTo("namespaces \"" + name + "\" is forbidden: this namespace may not be deleted");
      assertThat(client.namespaces().withName(name).get().getMetadata().getDeletionTimestamp())
          .isNull();
    }
  }

  /**
   * REST.Delete marks the namespace Terminating and removes nothing; the plugin then refuses any
   * create in it with the {@code NamespaceTerminating} cause, while what is in it can still be
   * updated. The controller deletes the content (built-in kinds, pods through their grace, and
   * custom resources), finalizes the namespace, and it goes: made again, it is empty.
   */
  @Test
  void aDeletedNamespaceTerminatesRefusesNewContentAndGoesWithEverythingInIt() {
    KubernetesClient client = clusters.client();
    createNamespace(client, "shop");
    ConfigMap settings = client.configMaps().inNamespace("shop").resource(configMap("settings"))
        .create();
    client.apps().deployments().inNamespace("shop").resource(Workloads.deployment("web", 2))
        .create();
    await().atMost(TIMEOUT).until(() -> client.pods().inNamespace("shop").list().getItems()
        .size() == 2);

    try (EmbeddedCluster.Pause paused = clusters.cluster().pause(Controller.NAMESPACE)) {
      client.namespaces().withName("shop").delete();

      Namespace marked = client.namespaces().withName("shop").get();
      assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(marked.getStatus().getPhase()).isEqualTo("Terminating");
      assertThat(marked.getSpec().getFinalizers()).containsExactly("kubernetes");

      KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
          () -> client.configMaps().inNamespace("shop").resource(configMap("late")).create());
      assertThat(refused).isNotNull();
      assertThat(refused.getCode()).isEqualTo(403);
      assertThat(refused.getStatus().getReason()).isEqualTo("Forbidden");
      assertThat(refused.getStatus().getMessage()).isEqualTo("configmaps \"late\" is forbidden: "
          + "unable to create new content in namespace shop because it is being terminated");
      StatusCause cause = refused.getStatus().getDetails().getCauses().get(0);
      assertThat(List.of(cause.getReason(), cause.getField(), cause.getMessage())).containsExactly(
          "NamespaceTerminating", "metadata.namespace", "namespace shop is being terminated");
      KubernetesClientException applied = catchThrowableOfType(KubernetesClientException.class,
          () -> client.configMaps().inNamespace("shop").resource(configMap("late"))
              .fieldManager("test").serverSideApply());
      assertThat(applied).isNotNull();
      assertThat(applied.getCode()).isEqualTo(403);

      // admission before storage: a taken name in it is refused as new content too
      KubernetesClientException taken = catchThrowableOfType(KubernetesClientException.class,
          () -> client.configMaps().inNamespace("shop").resource(configMap("settings")).create());
      assertThat(taken.getCode()).isEqualTo(403);
      // the registry's Create over an object being deleted (kubectl create namespace)
      KubernetesClientException recreated = catchThrowableOfType(
          KubernetesClientException.class, () -> createNamespace(client, "shop"));
      assertThat(recreated.getCode()).isEqualTo(409);
      assertThat(recreated.getStatus().getMessage())
          .isEqualTo("object is being deleted: namespaces \"shop\" already exists");

      settings.setData(Map.of("a", "2"));
      assertThat(client.configMaps().inNamespace("shop").resource(settings).update().getData())
          .containsEntry("a", "2");
      // a second delete while the content remains changes nothing (REST.Delete)
      client.namespaces().withName("shop").delete();
      Namespace again = client.namespaces().withName("shop").get();
      assertThat(again.getStatus().getPhase()).isEqualTo("Terminating");
      assertThat(again.getMetadata().getResourceVersion())
          .isEqualTo(marked.getMetadata().getResourceVersion());
      assertThat(client.configMaps().inNamespace("shop").withName("settings").get()).isNotNull();
    }

    await().atMost(TIMEOUT).until(() -> client.namespaces().withName("shop").get() == null);
    assertThat(client.configMaps().inNamespace("shop").list().getItems()).isEmpty();
    assertThat(client.pods().inNamespace("shop").list().getItems()).isEmpty();
    assertThat(client.serviceAccounts().inNamespace("shop").list().getItems()).isEmpty();
    assertThat(client.apps().deployments().inNamespace("shop").list().getItems()).isEmpty();
    assertThat(client.apps().replicaSets().inNamespace("shop").list().getItems()).isEmpty();

    createNamespace(client, "shop");
    assertThat(client.configMaps().inNamespace("shop").list().getItems()).isEmpty();
    assertThat(client.apps().deployments().inNamespace("shop").list().getItems()).isEmpty();
  }

  /**
   * An object whose finalizer nobody removes holds the namespace in Terminating, and the
   * conditions say what and why, in the controller's words; once it goes, so does the namespace.
   */
  @Test
  void anObjectWithAFinalizerHoldsTheNamespaceAndIsNamedInItsConditions() {
    KubernetesClient client = clusters.client();
    createNamespace(client, "shop");
    client.configMaps().inNamespace("shop").resource(new ConfigMapBuilder(configMap("held"))
        .editMetadata().addToFinalizers("example.com/keep").endMetadata().build()).create();

    client.namespaces().withName("shop").delete();

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(conditions(client, "shop"))
        .containsEntry("NamespaceContentRemaining", List.of("True", "SomeResourcesRemain",
            "Some resources are remaining: configmaps. has 1 resource instances"))
        .containsEntry("NamespaceFinalizersRemaining", List.of("True", "SomeFinalizersRemain",
            "Some content in the namespace has finalizers remaining: example.com/keep in 1 "
                + "resource instances"))
        .containsEntry("NamespaceDeletionContentFailure", List.of("False", "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization")));
    assertThat(client.configMaps().inNamespace("shop").withName("held").get().getMetadata()
        .getDeletionTimestamp()).isNotNull();

    client.configMaps().inNamespace("shop").withName("held").edit(held -> new ConfigMapBuilder(held)
        .editMetadata().withFinalizers(List.of()).endMetadata().build());

    await().atMost(TIMEOUT).until(() -> client.namespaces().withName("shop").get() == null);
  }

  /**
   * The finalize subresource, how a stuck namespace is let go by hand ({@code kubectl replace
   * --raw /api/v1/namespaces/NAME/finalize}): its finalizers emptied on a namespace being deleted,
   * it goes with that update, whatever is left in it.
   */
  @Test
  void emptyingTheFinalizersThroughFinalizeLetsATerminatingNamespaceGo() {
    KubernetesClient client = clusters.client();
    createNamespace(client, "shop");
    try (EmbeddedCluster.Pause paused = clusters.cluster().pause(Controller.NAMESPACE)) {
      client.namespaces().withName("shop").delete();
      Namespace marked = client.namespaces().withName("shop").get();
      marked.getSpec().setFinalizers(List.of());

      client.raw(clusters.cluster().config().getMasterUrl() + "api/v1/namespaces/shop/finalize",
          "PUT", marked);

      assertThat(client.namespaces().withName("shop").get()).isNull();
    }
  }

  private static void createNamespace(KubernetesClient client, String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .endMetadata().build()).create();
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
        .addToData("a", "1").build();
  }

  private static Map<String, List<String>> conditions(KubernetesClient client, String name) {
    Namespace namespace = client.namespaces().withName(name).get();
    return namespace.getStatus().getConditions().stream().collect(Collectors.toMap(
        NamespaceCondition::getType,
        condition -> List.of(condition.getStatus(), condition.getReason(),
            condition.getMessage())));
  }
}
