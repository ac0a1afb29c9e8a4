package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery, https://kubernetes.io/docs/concepts/overview/kubernetes-api/ ("Discovery API",
 * the unaggregated form): what a stock kubectl reads to map "osvc" to a resource.
 */
class DiscoveryConformanceTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static EmbeddedCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().crds(REPO.resolve("crds")).start();
    client = cluster.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void theCoreGroupAndTheNamedGroupsAreListed() {
    assertThat(client.getApiGroups().getGroups()).extracting(APIGroup::getName)
        .contains("apps", "policy", "coordination.k8s.io", "apiextensions.k8s.io",
            "operated.dev");
    APIGroup operated = client.getApiGroup("operated.dev");
    assertThat(operated.getPreferredVersion().getGroupVersion())
        .isEqualTo("operated.dev/v1alpha1");
  }

  /**
   * A resource no discovery document lists has no handler in kube-apiserver (404, the mux's
   * NotFound): a create is not answered as if a controller would act on it.
   */
  @Test
  void aKindThatIsNotServedIsNotFoundToWritesAndReads() {
    var job = new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder().withNewMetadata()
        .withName("once").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
        .addNewContainer().withName("c").withImage("busybox").endContainer()
        .withRestartPolicy("Never").endSpec().endTemplate().endSpec().build();

    assertThatThrownBy(() -> client.batch().v1().jobs().inNamespace("default").resource(job)
        .create()).isInstanceOfSatisfying(
            io.fabric8.kubernetes.client.KubernetesClientException.class,
            notFound -> assertThat(notFound.getCode()).isEqualTo(404))
        .hasMessageContaining("the server could not find the requested resource");
    assertThatThrownBy(() -> client.batch().v1().jobs().inNamespace("default").list())
        .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class,
            notFound -> assertThat(notFound.getCode()).isEqualTo(404));
  }

  /** A CRD version with {@code served: false} has no handler (apiextensions' crdHandler: 404). */
  @Test
  void aCrdVersionThatIsNotServedIsNotFound() {
    client.apiextensions().v1().customResourceDefinitions().resource(
        new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
            .withNewMetadata().withName("widgets.example.dev").endMetadata()
            .withNewSpec().withGroup("example.dev").withScope("Namespaced")
            .withNewNames().withKind("Widget").withPlural("widgets").withSingular("widget")
            .endNames()
            .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSchema()
            .withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
            .endOpenAPIV3Schema().endSchema().endVersion()
            .addNewVersion().withName("v2").withServed(false).withStorage(false).withNewSchema()
            .withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
            .endOpenAPIV3Schema().endSchema().endVersion()
            .endSpec().build()).create();

    assertThat(widgets("v1").list().getItems()).isEmpty();
    assertThatThrownBy(() -> widgets("v2").list()).isInstanceOfSatisfying(
        io.fabric8.kubernetes.client.KubernetesClientException.class,
        notFound -> assertThat(notFound.getCode()).isEqualTo(404));
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
      io.fabric8.kubernetes.api.model.GenericKubernetesResource,
      io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<
          io.fabric8.kubernetes.api.model.GenericKubernetesResource>> widgets(String version) {
    return client.genericKubernetesResources(
        new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
            .withGroup("example.dev").withVersion(version).withPlural("widgets")
            .withKind("Widget").withNamespaced(true).build()).inNamespace("default");
  }

  @Test
  void aCustomResourceIsDiscoveredFromItsCrdWithShortNamesAndSubresources() {
    assertThat(client.getApiResources("operated.dev/v1alpha1").getResources())
        .extracting(APIResource::getName)
        .containsExactly("operatedservices", "operatedservices/status");
    APIResource resource = client.getApiResources("operated.dev/v1alpha1").getResources().get(0);
    assertThat(resource.getKind()).isEqualTo("OperatedService");
    assertThat(resource.getNamespaced()).isTrue();
    assertThat(resource.getShortNames()).containsExactly("osvc");
    assertThat(resource.getVerbs()).contains("get", "list", "watch", "patch", "delete");
  }

  @Test
  void builtInKindsAreDiscoveredWithTheirSubresources() {
    assertThat(client.getApiResources("apps/v1").getResources()).extracting(APIResource::getName)
        .contains("deployments", "deployments/status", "deployments/scale", "replicasets");
    assertThat(client.getApiResources("v1").getResources()).extracting(APIResource::getName)
        .contains("pods", "services", "configmaps", "namespaces", "events");
  }

  @Test
  void aStockKubectlFindsResourcesByShortName(@TempDir Path temp) throws Exception {
    File kubectl = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(dir -> new File(dir, "kubectl")).filter(File::canExecute).findFirst().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not on the PATH");
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("discovered").endMetadata().build()).create();
    Path kubeconfig = temp.resolve("kubeconfig");
    Files.writeString(kubeconfig, Serialization.asYaml(new ConfigBuilder()
        .addNewCluster().withName("embedded").withNewCluster()
          .withServer(cluster.config().getMasterUrl()).endCluster().endCluster()
        .addNewUser().withName("embedded").withNewUser().endUser().endUser()
        .addNewContext().withName("embedded").withNewContext().withCluster("embedded")
          .withUser("embedded").withNamespace("default").endContext().endContext()
        .withCurrentContext("embedded").build()));

    Process process = new ProcessBuilder(kubectl.getPath(), "--kubeconfig", kubeconfig.toString(),
        "get", "cm,osvc", "-o", "name").redirectErrorStream(true)
        .redirectOutput(temp.resolve("out.txt").toFile()).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(temp.resolve("out.txt"), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();
    assertThat(out).contains("configmap/discovered");
  }
}
