package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Optimistic concurrency, https://kubernetes.io/docs/reference/using-api/api-concepts/
 * ("Resource versions", "Conflicts"), and the version endpoint.
 */
class ResourceVersionConformanceTest {

  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().kubernetesVersion("1.29").start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static ConfigMap create(String name) {
    return client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .endMetadata().addToData("a", "1").build()).create();
  }

  /** "Conflicts": an update carrying a stale resourceVersion is refused with 409. */
  @Test
  void anUpdateWithAStaleResourceVersionConflicts() {
    ConfigMap stale = create("stale");
    client.configMaps().withName("stale").edit(cm -> {
      cm.getData().put("a", "2");
      return cm;
    });

    stale.getData().put("a", "3");
    assertThatThrownBy(() -> client.configMaps().resource(stale).update())
        .isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(client.configMaps().withName("stale").get().getData()).containsEntry("a", "2");
  }

  /** "Resource versions": every write that changes an object gives it a new resourceVersion. */
  @Test
  void everyChangeGetsANewResourceVersion() {
    ConfigMap created = create("versions");
    ConfigMap updated = client.configMaps().withName("versions").edit(cm -> {
      cm.getData().put("a", "2");
      return cm;
    });

    assertThat(updated.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
  }

  /** Server-side apply, "Conflicts": an apply with a stale resourceVersion in it is a 409. */
  @Test
  void anApplyWithAStaleResourceVersionConflicts() {
    ConfigMap created = create("apply-stale");
    client.configMaps().withName("apply-stale").edit(cm -> {
      cm.getData().put("a", "2");
      return cm;
    });
    ConfigMap config = new ConfigMapBuilder().withNewMetadata().withName("apply-stale")
        .withResourceVersion(created.getMetadata().getResourceVersion()).endMetadata()
        .addToData("b", "1").build();

    assertThatThrownBy(() -> client.configMaps().resource(config).fieldManager("alice")
        .serverSideApply()).isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));
  }

  /** "Creating an object": creating a name that exists is 409 AlreadyExists. */
  @Test
  void creatingAnExistingNameConflicts() {
    create("twice");
    assertThatThrownBy(() -> create("twice")).isInstanceOfSatisfying(
        KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  /** The version endpoint reports what the cluster was started with. */
  @Test
  void versionIsTheConfiguredOne() {
    VersionInfo version = client.getKubernetesVersion();
    assertThat(version.getMajor()).isEqualTo("1");
    assertThat(version.getMinor()).isEqualTo("29");
    assertThat(version.getGitVersion()).isEqualTo("v1.29.0");
  }
}
