package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    cluster = EmbeddedCluster.builder().kubernetesVersion("1.29")
        .crds(Path.of(System.getProperty("operated.repoRoot", "../..")).resolve("crds")).start();
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

  private static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> services() {
    return client.genericKubernetesResources("operated.dev/v1alpha1", "OperatedService")
        .inNamespace("default");
  }

  private static GenericKubernetesResource service(String name) {
    return new GenericKubernetesResourceBuilder().withApiVersion("operated.dev/v1alpha1")
        .withKind("OperatedService").withNewMetadata().withName(name).endMetadata()
        .addToAdditionalProperties("spec", Map.of("image", "ghcr.io/acme/orders:1.0")).build();
  }

  /**
   * registry Store.Update: without a resourceVersion an update is unconditional only where the
   * strategy's AllowUnconditionalUpdate says so; customResourceStrategy says no, a ConfigMap's
   * strategy yes.
   */
  @Test
  void aCustomResourceIsUpdatedOnlyAtTheVersionItWasRead() throws Exception {
    services().resource(service("unconditional")).create();

    // fabric8's update() fills a missing resourceVersion in from a GET first: a plain PUT
    HttpResponse<String> refused = put("/apis/operated.dev/v1alpha1/namespaces/default/"
        + "operatedservices/unconditional", service("unconditional"));
    assertThat(refused.statusCode()).isEqualTo(422);
    Status status = Serialization.unmarshal(refused.body(), Status.class);
    assertThat(status.getMessage()).isEqualTo("operatedservices.operated.dev \"unconditional\" "
        + "is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an "
        + "update");
    assertThat(status.getDetails().getCauses()).singleElement().satisfies(cause ->
        assertThat(cause.getField()).isEqualTo("metadata.resourceVersion"));
    create("unconditional");
    ConfigMap configMap = new ConfigMapBuilder().withApiVersion("v1").withKind("ConfigMap")
        .withNewMetadata().withName("unconditional").endMetadata().addToData("a", "2").build();
    assertThat(put("/api/v1/namespaces/default/configmaps/unconditional", configMap)
        .statusCode()).isEqualTo(200);
  }

  private static HttpResponse<String> put(String path, Object object) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.config().getMasterUrl()
            .replaceFirst("/$", "") + path))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(Serialization.asJson(object))).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * etcd3 store.Create refuses an object that carries a resourceVersion
   * (storage.ErrResourceVersionSetOnCreate), a plain error and so a 500: what re-creating an
   * object from a cached copy meets on a real cluster.
   */
  @Test
  void aCreateCarryingAResourceVersionIsRefused() {
    ConfigMap copied = create("copied");
    client.configMaps().withName("copied").delete();
    await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> client.configMaps().withName("copied").get() == null);

    assertThatThrownBy(() -> client.configMaps().resource(copied).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(500);
          assertThat(e.getStatus().getMessage())
              .isEqualTo("resourceVersion should not be set on objects to be created");
        });
    copied.getMetadata().setResourceVersion(null);
    assertThat(client.configMaps().resource(copied).create().getMetadata().getName())
        .isEqualTo("copied");
  }

  /**
   * crdHandler.serveResource accepts JSON patch, merge patch and apply for a custom resource:
   * strategic merge (fabric8's patch(String) and kubectl patch's default) needs a Go struct's
   * patch tags, which a custom resource has not.
   */
  @Test
  void aStrategicMergePatchOfACustomResourceIsAnUnsupportedMediaType() {
    services().resource(service("strategic")).create();

    assertThatThrownBy(() -> services().withName("strategic").patch(
        PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"replicas\":3}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(415);
          assertThat(e.getStatus().getMessage()).isEqualTo("the body of the request was in an "
              + "unknown format - accepted media types include: application/json-patch+json, "
              + "application/merge-patch+json, application/apply-patch+yaml");
        });
    assertThat(services().withName("strategic").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"replicas\":3}}").<Object>get("spec", "replicas")).isEqualTo(3);
  }

  /**
   * deploymentStrategy.PrepareForUpdate: a Deployment's annotations are copied to its
   * ReplicaSets, so changing them bumps metadata.generation as a spec change does (and
   * status.observedGeneration lags until the controller has seen it); a ConfigMap's do not.
   */
  @Test
  void aDeploymentsAnnotationsCountInItsGeneration() {
    Deployment created = client.apps().deployments().resource(new DeploymentBuilder()
        .withNewMetadata().withName("annotated").endMetadata().withNewSpec()
        .withNewSelector().addToMatchLabels("app", "annotated").endSelector().withNewTemplate()
        .withNewMetadata().addToLabels("app", "annotated").endMetadata().withNewSpec()
        .addNewContainer().withName("app").withImage("orders:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();

    Deployment annotated = client.apps().deployments().withName("annotated").patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":"
            + "{\"team\":\"payments\"}}}");

    assertThat(annotated.getMetadata().getGeneration())
        .isEqualTo(created.getMetadata().getGeneration() + 1);
    ConfigMap plain = create("annotated");
    ConfigMap configMap = client.configMaps().withName("annotated").edit(cm -> {
      cm.getMetadata().setAnnotations(Map.of("team", "payments"));
      return cm;
    });
    assertThat(List.of(plain.getMetadata(), configMap.getMetadata()))
        .as("a ConfigMap keeps no generation to raise").extracting(ObjectMeta::getGeneration)
        .containsOnlyNulls();
  }

  /**
   * metadata.generation is kept only by the kinds whose strategy keeps it: PrepareForCreate sets
   * it to 1 (podStrategy, endpointSliceStrategy, deploymentStrategy, ...) and PrepareForUpdate
   * raises it (endpointSliceStrategy: any change outside metadata, and its labels). A ConfigMap
   * (configMapStrategy), a Service (svcStrategy) and a Namespace never get one.
   */
  @Test
  void onlyTheKindsWhoseStrategyKeepsAGenerationHaveOne() {
    ConfigMap configMap = create("no-generation");
    ConfigMap edited = client.configMaps().withName("no-generation").edit(cm -> {
      cm.getData().put("a", "2");
      return cm;
    });
    Service service = client.services().resource(new ServiceBuilder().withNewMetadata()
        .withName("no-generation").endMetadata().withNewSpec().addNewPort().withPort(80)
        .endPort().endSpec().build()).create();
    Namespace namespace = client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
        .withName("no-generation").endMetadata().build()).create();
    assertThat(List.of(configMap.getMetadata(), edited.getMetadata(), service.getMetadata(),
        namespace.getMetadata())).extracting(ObjectMeta::getGeneration).containsOnlyNulls();

    EndpointSlice slice = client.discovery().v1().endpointSlices().resource(
        new EndpointSliceBuilder().withNewMetadata().withName("counted").endMetadata()
            .withAddressType("IPv4").build()).create();
    assertThat(slice.getMetadata().getGeneration()).isEqualTo(1L);
    EndpointSlice relabelled = client.discovery().v1().endpointSlices().withName("counted")
        .edit(s -> {
          s.getMetadata().setLabels(Map.of("kubernetes.io/service-name", "web"));
          return s;
        });
    assertThat(relabelled.getMetadata().getGeneration()).as("its labels count").isEqualTo(2L);
    EndpointSlice annotated = client.discovery().v1().endpointSlices().withName("counted")
        .edit(s -> {
          s.getMetadata().setAnnotations(Map.of("note", "x"));
          return s;
        });
    assertThat(annotated.getMetadata().getGeneration()).as("its annotations do not")
        .isEqualTo(2L);
    EndpointSlice emptyLabels = client.discovery().v1().endpointSlices().resource(
        new EndpointSliceBuilder().withNewMetadata().withName("unlabelled").endMetadata()
            .withAddressType("IPv4").build()).create();
    EndpointSlice stillUnlabelled = client.discovery().v1().endpointSlices()
        .withName("unlabelled").edit(s -> {
          s.getMetadata().setLabels(Map.of());
          return s;
        });
    assertThat(stillUnlabelled.getMetadata().getGeneration())
        .as("no labels and empty labels are the same map to Semantic.DeepEqual")
        .isEqualTo(emptyLabels.getMetadata().getGeneration());
  }

  /**
   * Marking an object as deleting raises its generation if it keeps one (rest.BeforeDelete for
   * a graceful deletion, markAsDeleting for finalizers), once; a ConfigMap still has none.
   */
  @Test
  void markingAnObjectAsDeletingRaisesTheGenerationItKeeps() {
    Deployment held = client.apps().deployments().resource(new DeploymentBuilder()
        .withNewMetadata().withName("held").addToFinalizers("example.com/hold").endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "held").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "held").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("orders:1").endContainer()
        .endSpec().endTemplate().endSpec().build()).create();
    ConfigMap heldConfig = client.configMaps().resource(new ConfigMapBuilder().withNewMetadata()
        .withName("held").addToFinalizers("example.com/hold").endMetadata().build()).create();

    client.apps().deployments().withName("held").delete();
    client.configMaps().withName("held").delete();
    client.apps().deployments().withName("held").delete();

    Deployment deleting = client.apps().deployments().withName("held").get();
    assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(deleting.getMetadata().getGeneration()).as("raised once, by the first delete")
        .isEqualTo(held.getMetadata().getGeneration() + 1);
    ConfigMap deletingConfig = client.configMaps().withName("held").get();
    assertThat(deletingConfig.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(deletingConfig.getMetadata().getGeneration()).isNull();
    assertThat(heldConfig.getMetadata().getGeneration()).isNull();

    client.apps().deployments().withName("held").edit(d -> {
      d.getMetadata().setFinalizers(List.of());
      return d;
    });
    client.configMaps().withName("held").edit(cm -> {
      cm.getMetadata().setFinalizers(List.of());
      return cm;
    });
  }
}
