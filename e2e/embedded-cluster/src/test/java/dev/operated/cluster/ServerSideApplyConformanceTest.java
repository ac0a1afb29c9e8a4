package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-side apply as documented in https://kubernetes.io/docs/reference/using-api/server-side-apply/
 * (section named in each test).
 */
class ServerSideApplyConformanceTest {

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

  private static ConfigMap configMap(String name, Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
        .withData(data).build();
  }

  private static ConfigMap apply(String manager, ConfigMap configMap, boolean force) {
    var resource = client.configMaps().resource(configMap).fieldManager(manager);
    return force ? resource.forceConflicts().serverSideApply() : resource.serverSideApply();
  }

  private static ManagedFieldsEntry entry(io.fabric8.kubernetes.api.model.HasMetadata object,
      String manager, String operation) {
    return object.getMetadata().getManagedFields().stream()
        .filter(e -> manager.equals(e.getManager()) && operation.equals(e.getOperation()))
        .findFirst().orElse(null);
  }

  /** "Server-Side Apply": an apply of an object that does not exist creates it. */
  @Test
  void applyCreatesAnAbsentObject() {
    ConfigMap created = apply("alice", configMap("create", Map.of("a", "1")), false);

    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
    assertThat(client.configMaps().withName("create").get().getData()).containsEntry("a", "1");
    assertThat(entry(created, "alice", "Apply")).isNotNull();
  }

  /** "Merge strategy": a re-apply with a changed value updates the object in place. */
  @Test
  void reapplyUpdatesTheValue() {
    ConfigMap first = apply("alice", configMap("update", Map.of("a", "1")), false);
    ConfigMap second = apply("alice", configMap("update", Map.of("a", "2")), false);

    assertThat(second.getData()).containsExactly(Map.entry("a", "2"));
    assertThat(second.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
    assertThat(Long.parseLong(second.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(first.getMetadata().getResourceVersion()));
    assertThat(second.getMetadata().getManagedFields()).hasSize(1);
  }

  /** "Merge strategy": fields the manager applied before and omits now are removed. */
  @Test
  void fieldsOmittedFromAReapplyAreRemoved() {
    apply("alice", configMap("removal", Map.of("a", "1", "b", "2")), false);
    ConfigMap after = apply("alice", configMap("removal", Map.of("a", "1")), false);

    assertThat(after.getData()).containsOnlyKeys("a");
  }

  /** "Merge strategy": a field another manager owns stays when this manager stops applying it. */
  @Test
  void fieldsOfOtherManagersStay() {
    apply("alice", configMap("others", Map.of("a", "1")), false);
    apply("bob", configMap("others", Map.of("b", "2")), false);
    ConfigMap after = apply("alice", configMap("others", Map.of("c", "3")), false);

    assertThat(after.getData()).containsOnlyKeys("b", "c");
  }

  /** "Conflicts": changing another manager's field without force is a 409 naming the manager. */
  @Test
  void changingAnotherManagersFieldConflicts() {
    apply("alice", configMap("conflict", Map.of("a", "1")), false);

    assertThatThrownBy(() -> apply("bob", configMap("conflict", Map.of("a", "2")), false))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(409);
          assertThat(e.getMessage()).contains("alice").contains(".data.a");
        });
    assertThat(client.configMaps().withName("conflict").get().getData()).containsEntry("a", "1");
  }

  /** "Conflicts": with force the applier takes the field; the former owner loses it. */
  @Test
  void forceTakesOwnership() {
    apply("alice", configMap("force", Map.of("a", "1", "b", "1")), false);
    ConfigMap after = apply("bob", configMap("force", Map.of("a", "2")), true);

    assertThat(after.getData()).containsEntry("a", "2").containsEntry("b", "1");
    assertThat(entry(after, "bob", "Apply").getFieldsV1().getAdditionalProperties())
        .isEqualTo(Map.of("f:data", Map.of("f:a", Map.of())));
    assertThat(entry(after, "alice", "Apply").getFieldsV1().getAdditionalProperties())
        .isEqualTo(Map.of("f:data", Map.of("f:b", Map.of())));
  }

  /** "Field management": applying the same value another manager set shares ownership. */
  @Test
  void equalValuesAreSharedWithoutConflict() {
    apply("alice", configMap("shared", Map.of("a", "1")), false);
    ConfigMap after = apply("bob", configMap("shared", Map.of("a", "1")), false);

    assertThat(entry(after, "alice", "Apply")).isNotNull();
    assertThat(entry(after, "bob", "Apply")).isNotNull();
    // alice stops applying it; bob still owns it, so it stays
    ConfigMap later = apply("alice", configMap("shared", Map.of()), false);
    assertThat(later.getData()).containsEntry("a", "1");
  }

  /**
   * "Field management": writes other than apply are recorded as Update entries for the manager
   * named by fieldManager or the user agent, which then owns the fields it changed.
   */
  @Test
  void anUpdateTakesTheFieldsItChanged() {
    apply("alice", configMap("update-entry", Map.of("a", "1", "b", "1")), false);
    ConfigMap edited = client.configMaps().withName("update-entry").edit(cm -> {
      cm.getData().put("a", "edited");
      return cm;
    });

    ManagedFieldsEntry update = entry(edited, "fabric8-kubernetes-client", "Update");
    assertThat(update).isNotNull();
    assertThat(update.getFieldsV1().getAdditionalProperties())
        .isEqualTo(Map.of("f:data", Map.of("f:a", Map.of())));
    assertThat(entry(edited, "alice", "Apply").getFieldsV1().getAdditionalProperties())
        .isEqualTo(Map.of("f:data", Map.of("f:b", Map.of())));
    assertThatThrownBy(() -> apply("alice", configMap("update-entry",
        Map.of("a", "1", "b", "1")), false)).isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  private static Deployment deployment(String name, String image, List<String> env) {
    return new DeploymentBuilder().withNewMetadata().withName(name)
        .addToLabels("app", name).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage(image)
        .addNewPort().withName("http").withContainerPort(8080).endPort()
        .addAllToEnv(env.stream().map(n -> new io.fabric8.kubernetes.api.model.EnvVar(n, "1",
            null)).toList())
        .withArgs("--one", "--two")
        .endContainer().endSpec().endTemplate().endSpec().build();
  }

  /**
   * "Managed fields": FieldsV1 names list items by their keys (k:{...}), marks an owned item with
   * ".", keys ports by containerPort and the defaulted protocol, and treats LabelSelector and
   * lists without merge keys (args) as atomic.
   */
  @Test
  void managedFieldsHaveTheApiServersShape() {
    Deployment applied = client.apps().deployments()
        .resource(deployment("shape", "app:1", List.of("A")))
        .fieldManager("operated").forceConflicts().serverSideApply();

    Map<String, Object> fields = entry(applied, "operated", "Apply").getFieldsV1()
        .getAdditionalProperties();
    assertThat(entry(applied, "operated", "Apply").getFieldsType()).isEqualTo("FieldsV1");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) fields.get("f:spec");
    assertThat(spec).containsEntry("f:selector", Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> containers = (Map<String, Object>) ((Map<String, Object>)
        ((Map<String, Object>) ((Map<String, Object>) spec.get("f:template")).get("f:spec")))
        .get("f:containers");
    assertThat(containers).containsOnlyKeys("k:{\"name\":\"app\"}");
    @SuppressWarnings("unchecked")
    Map<String, Object> app = (Map<String, Object>) containers.get("k:{\"name\":\"app\"}");
    assertThat(app).containsEntry(".", Map.of()).containsEntry("f:name", Map.of())
        .containsEntry("f:image", Map.of()).containsEntry("f:args", Map.of())
        .containsEntry("f:env", Map.of("k:{\"name\":\"A\"}",
            Map.of(".", Map.of(), "f:name", Map.of(), "f:value", Map.of())))
        .containsEntry("f:ports", Map.of("k:{\"containerPort\":8080,\"protocol\":\"TCP\"}",
            Map.of(".", Map.of(), "f:containerPort", Map.of(), "f:name", Map.of())));
    assertThat(applied.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0)
        .getProtocol()).as("defaulted").isEqualTo("TCP");
  }

  /**
   * "Merge strategy": associative lists merge item by item, so two managers can each own an env
   * var of the same container; atomic lists are replaced whole.
   */
  @Test
  void associativeListsMergeByKeyAndAtomicListsAreReplaced() {
    client.apps().deployments().resource(deployment("lists", "app:1", List.of("A")))
        .fieldManager("operated").serverSideApply();
    Deployment other = deployment("lists", "app:1", List.of("B"));
    other.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(null);
    other.getSpec().getTemplate().getSpec().getContainers().get(0).setPorts(List.of());
    other.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(List.of());
    client.apps().deployments().resource(other).fieldManager("sidecar-injector")
        .serverSideApply();

    Deployment reapplied = client.apps().deployments()
        .resource(deployment("lists", "app:1", List.of("C")))
        .fieldManager("operated").serverSideApply();

    var container = reapplied.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv()).extracting(e -> e.getName()).containsExactly("B", "C");
    assertThat(container.getArgs()).containsExactly("--one", "--two");
  }

  /** "Using Server-Side Apply in a controller" / status: an apply to /status owns only status. */
  @Test
  void applyToTheStatusSubresourceOwnsOnlyStatus() {
    Deployment created = client.apps().deployments()
        .resource(deployment("status", "app:1", List.of()))
        .fieldManager("operated").serverSideApply();
    Deployment statusOnly = new DeploymentBuilder().withNewMetadata().withName("status")
        .endMetadata().withNewSpec().withReplicas(9).endSpec()
        .withNewStatus().withObservedGeneration(42L).endStatus().build();

    Deployment after = client.apps().deployments().resource(statusOnly).subresource("status")
        .patch(new io.fabric8.kubernetes.client.dsl.base.PatchContext.Builder()
            .withPatchType(io.fabric8.kubernetes.client.dsl.base.PatchType.SERVER_SIDE_APPLY)
            .withFieldManager("status-writer").withForce(true).build());

    assertThat(after.getStatus().getObservedGeneration()).isEqualTo(42L);
    assertThat(after.getSpec().getReplicas()).as("spec is not writable through /status")
        .isEqualTo(created.getSpec().getReplicas());
    ManagedFieldsEntry entry = entry(after, "status-writer", "Apply");
    assertThat(entry.getSubresource()).isEqualTo("status");
    assertThat(entry.getFieldsV1().getAdditionalProperties())
        .isEqualTo(Map.of("f:status", Map.of("f:observedGeneration", Map.of())));
  }

  /** "Server-Side Apply": status in an apply to the main resource is ignored. */
  @Test
  void statusInAMainResourceApplyIsIgnored() {
    Deployment withStatus = deployment("main-status", "app:1", List.of());
    withStatus.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
        .withObservedGeneration(7L).build());
    Deployment applied = client.apps().deployments().resource(withStatus)
        .fieldManager("operated").serverSideApply();

    assertThat(applied.getStatus() == null || applied.getStatus().getObservedGeneration() == null
        || applied.getStatus().getObservedGeneration() != 7L).isTrue();
    assertThat(entry(applied, "operated", "Apply").getFieldsV1().getAdditionalProperties())
        .doesNotContainKey("f:status");
  }

  /** "Server-Side Apply": an apply that changes nothing stores nothing (same resourceVersion). */
  @Test
  void aNoOpApplyKeepsTheResourceVersion() {
    ConfigMap first = apply("alice", configMap("noop", Map.of("a", "1")), false);
    ConfigMap second = apply("alice", configMap("noop", Map.of("a", "1")), false);

    assertThat(second.getMetadata().getResourceVersion())
        .isEqualTo(first.getMetadata().getResourceVersion());
  }
}
