package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's chart installed, upgraded and uninstalled by a real Helm (helm-java: Helm's Go
 * code as a native library, so it asks the API server what the helm CLI asks): discovery, OpenAPI
 * v3 for its server-side field validation, its release records in Secrets written by a typed
 * client in protobuf and read back by label selector ({@code storage/driver.Secrets}), the
 * chart's {@code crds/} first. What must stay after {@code helm uninstall}: the CRD (Helm never
 * deletes a chart's CRDs) and the OperatedServices.
 */
class HelmConformanceTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static final Path CHART = REPO.resolve("helm/operated");

  @Test
  void installUpgradeAndUninstallTheChart(@TempDir Path temp) throws Exception {
    try (EmbeddedCluster cluster = EmbeddedCluster.start();
        KubernetesClient client = cluster.newClient()) {
      Path kubeconfig = kubeconfig(cluster, temp);

      Release installed = new Helm(CHART).install().withName("operated")
          .withNamespace("operated").createNamespace().withKubeConfig(kubeconfig).call();

      assertThat(installed.getStatus()).isEqualTo("deployed");
      assertThat(client.apiextensions().v1().customResourceDefinitions()
          .withName("operatedservices.operated.dev").get()).as("the chart's crds/").isNotNull();
      assertThat(client.apps().deployments().inNamespace("operated").withName("operated").get())
          .isNotNull();
      assertThat(client.rbac().clusterRoles().withName("operated").get()).isNotNull();
      assertThat(client.serviceAccounts().inNamespace("operated").withName("operated").get())
          .isNotNull();
      Secret record = client.secrets().inNamespace("operated")
          .withName("sh.helm.release.v1.operated.v1").get();
      assertThat(record.getType()).isEqualTo("helm.sh/release.v1");
      assertThat(record.getMetadata().getLabels()).containsAllEntriesOf(Map.of("owner", "helm",
          "name", "operated", "status", "deployed", "version", "1"));
      assertThat(record.getData()).containsKey("release");

      GenericKubernetesResource service = example(client);

      Release upgraded = new Helm(CHART).upgrade().withName("operated").withNamespace("operated")
          .reuseValues().set("replicaCount", "2").withKubeConfig(kubeconfig).call();

      assertThat(upgraded.getRevision()).isEqualTo("2");
      assertThat(client.apps().deployments().inNamespace("operated").withName("operated").get()
          .getSpec().getReplicas()).isEqualTo(2);
      assertThat(client.secrets().inNamespace("operated").withLabel("owner", "helm").list()
          .getItems()).extracting(secret -> secret.getMetadata().getLabels().get("status"))
          .containsExactlyInAnyOrder("superseded", "deployed");

      String uninstalled = Helm.uninstall("operated").withNamespace("operated")
          .withKubeConfig(kubeconfig).call();

      assertThat(uninstalled).contains("release \"operated\" uninstalled");
      assertThat(client.apps().deployments().inNamespace("operated").withName("operated").get())
          .isNull();
      assertThat(client.rbac().clusterRoles().withName("operated").get()).isNull();
      assertThat(client.secrets().inNamespace("operated").withLabel("owner", "helm").list()
          .getItems()).isEmpty();
      assertThat(client.apiextensions().v1().customResourceDefinitions()
          .withName("operatedservices.operated.dev").get()).as("Helm keeps CRDs").isNotNull();
      assertThat(client.genericKubernetesResources("operated.dev/v1alpha1", "OperatedService")
          .inNamespace("default").withName(service.getMetadata().getName()).get())
          .as("the OperatedServices stay").isNotNull();
    }
  }

  private static GenericKubernetesResource example(KubernetesClient client) throws Exception {
    try (InputStream in = Files.newInputStream(REPO.resolve(
        "sample-service/deploy/operatedservice.yaml"))) {
      GenericKubernetesResource resource = Serialization.unmarshal(in,
          GenericKubernetesResource.class);
      resource.getMetadata().setNamespace("default");
      return client.resource(resource).create();
    }
  }

  private static Path kubeconfig(EmbeddedCluster cluster, Path temp) throws Exception {
    Path file = temp.resolve("kubeconfig");
    Files.writeString(file, Serialization.asYaml(new ConfigBuilder()
        .addNewCluster().withName("embedded").withNewCluster()
          .withServer(cluster.config().getMasterUrl()).endCluster().endCluster()
        .addNewUser().withName("embedded").withNewUser().endUser().endUser()
        .addNewContext().withName("embedded").withNewContext().withCluster("embedded")
          .withUser("embedded").withNamespace("default").endContext().endContext()
        .withCurrentContext("embedded").build()));
    return file;
  }
}
