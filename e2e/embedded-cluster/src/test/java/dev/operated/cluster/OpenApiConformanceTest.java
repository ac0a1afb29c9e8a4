package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAPI v3 as kube-apiserver publishes it
 * (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3), read the way
 * client-go and kubectl read it: the index ({@code openapi.client.PathsWithContext}), the schema
 * a kind is found by ({@code x-kubernetes-group-version-kind}, kubectl/pkg/explain/v2) and the
 * PATCH parameters cli-runtime's {@code queryParamVerifierV3.HasSupport} looks for.
 */
class OpenApiConformanceTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static final HttpClient HTTP = HttpClient.newHttpClient();
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
  void theIndexListsEveryGroupVersionWithAHashedUrl() throws Exception {
    JsonNode paths = get("/openapi/v3").body().path("paths");
    assertThat(fieldNames(paths)).contains("api/v1", "apis/apps/v1",
        "apis/rbac.authorization.k8s.io/v1", "apis/operated.dev/v1alpha1");
    assertThat(paths.path("apis/operated.dev/v1alpha1").path("serverRelativeURL").asText())
        .matches("/openapi/v3/apis/operated\\.dev/v1alpha1\\?hash=[0-9A-F]{128}");
  }

  @Test
  void aCustomResourceSchemaIsTheCrdsWithItsGroupVersionKind() throws Exception {
    JsonNode document = document("apis/operated.dev/v1alpha1");
    JsonNode schema = document.path("components").path("schemas")
        .path("dev.operated.v1alpha1.OperatedService");
    assertThat(schema.path("x-kubernetes-group-version-kind").path(0).path("kind").asText())
        .isEqualTo("OperatedService");
    JsonNode crd = FieldPaths.JSON.valueToTree(client.apiextensions().v1()
        .customResourceDefinitions().withName("operatedservices.operated.dev").get());
    String description = crd.path("spec").path("versions").path(0).path("schema")
        .path("openAPIV3Schema").path("properties").path("spec").path("properties")
        .path("shutdown").path("description").asText();
    assertThat(description).isNotBlank();
    assertThat(schema.path("properties").path("spec").path("properties").path("shutdown")
        .path("description").asText()).isEqualTo(description);
    assertThat(fieldNames(schema.path("properties").path("metadata").path("properties")))
        .contains("name", "namespace", "labels", "annotations");
  }

  @Test
  void patchOperationsOfferServerSideFieldValidation() throws Exception {
    JsonNode patch = document("apis/operated.dev/v1alpha1").path("paths")
        .path("/apis/operated.dev/v1alpha1/namespaces/{namespace}/operatedservices/{name}")
        .path("patch");
    assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText())
        .isEqualTo("OperatedService");
    List<String> parameters = new ArrayList<>();
    patch.path("parameters").forEach(parameter -> parameters.add(parameter.path("name")
        .asText()));
    assertThat(parameters).contains("fieldValidation", "fieldManager", "dryRun", "force");
    JsonNode namespacePatch = document("api/v1").path("paths")
        .path("/api/v1/namespaces/{name}").path("patch");
    assertThat(namespacePatch.path("x-kubernetes-group-version-kind").path("kind").asText())
        .isEqualTo("Namespace");
  }

  @Test
  void builtInSchemasCarryTheListMarkersTheServerMergesBy() throws Exception {
    JsonNode deployment = document("apis/apps/v1").path("components").path("schemas")
        .path("io.k8s.api.apps.v1.Deployment");
    JsonNode containers = deployment.at("/properties/spec/properties/template/properties/spec"
        + "/properties/containers");
    assertThat(containers.path("x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
    assertThat(containers.path("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(containers.at("/items/properties/ports/x-kubernetes-list-map-keys").toString())
        .isEqualTo("[\"containerPort\",\"protocol\"]");
    assertThat(containers.at("/items/properties/args/x-kubernetes-list-type").asText())
        .isEqualTo("atomic");
    assertThat(deployment.at("/properties/metadata/properties/ownerReferences"
        + "/x-kubernetes-patch-merge-key").asText()).isEqualTo("uid");
  }

  @Test
  void openApiV2IsNotServed() throws Exception {
    assertThat(get("/openapi/v2").statusCode()).isEqualTo(404);
  }

  @Test
  void aDryRunIsAnsweredButNotStored() throws Exception {
    String body = Serialization.asJson(new ConfigMapBuilder()
        .withNewMetadata().withName("dry").endMetadata().addToData("a", "b").build());
    HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(
        URI.create(cluster.config().getMasterUrl() + "api/v1/namespaces/default/configmaps"
            + "?dryRun=All")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(Storage.parse(created.body()).path("data").path("a").asText())
        .isEqualTo("b");
    assertThat(client.configMaps().inNamespace("default").withName("dry").get()).isNull();

    HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(
        URI.create(cluster.config().getMasterUrl() + "api/v1/namespaces/default/configmaps"
            + "?dryRun=Some")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("supported values: \\\"All\\\"");
  }

  @Test
  void listsAreTypedAndJson() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
        URI.create(cluster.config().getMasterUrl() + "apis/operated.dev/v1alpha1/namespaces/"
            + "default/operatedservices")).header("Accept",
        "application/vnd.kubernetes.protobuf,application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(Storage.parse(response.body()).path("kind").asText())
        .isEqualTo("OperatedServiceList");
  }

  @Test
  void kubectlExplainsAnOperatedServiceFieldFromTheCrd(@TempDir Path temp)
      throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    Kubectl kubectl = Kubectl.against(cluster, executable, temp, REPO);
    Kubectl.Result explained = kubectl.run("explain", "osvc.spec.shutdown");
    assertThat(explained.exitCode()).as(explained.output()).isZero();
    assertThat(explained.output()).contains("KIND:       OperatedService", "drainSeconds",
        "Seconds the pod keeps serving after it starts terminating");
    Kubectl.Result recursive = kubectl.run("explain", "operatedservice.spec", "--recursive");
    assertThat(recursive.exitCode()).as(recursive.output()).isZero();
    assertThat(recursive.output()).contains("shutdown\t<Object>", "drainSeconds\t<integer>");
  }

  @Test
  void kubectlAppliesClientSideServerSideAndAsADryRun(@TempDir Path temp)
      throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    Kubectl kubectl = Kubectl.against(cluster, executable, temp, REPO);
    String example = "sample-service/deploy/operatedservice-full.yaml";

    Kubectl.Result dryRun = kubectl.run("apply", "--dry-run=server", "-f", example);
    assertThat(dryRun.output()).contains("created (server dry run)");
    assertThat(kubectl.run("get", "osvc", "sample-service-full").exitCode()).isNotZero();

    assertThat(kubectl.run("apply", "-f", example).output()).contains("created");
    assertThat(kubectl.run("apply", "-f", example).output()).contains("unchanged");
    // the last-applied annotation round trip: a field removed from the file is removed
    Path changed = temp.resolve("changed.yaml");
    Files.writeString(changed, Files.readString(REPO.resolve(example))
        .replaceFirst("\n  labels:\n    team: payments", ""));
    assertThat(Files.readString(changed)).doesNotContain("team: payments");
    Kubectl.Result configured = kubectl.run("apply", "-f", changed.toString());
    assertThat(configured.output()).as(configured.output()).contains("configured");
    assertThat(client.genericKubernetesResources("operated.dev/v1alpha1", "OperatedService")
        .inNamespace("default").withName("sample-service-full").get().getMetadata().getLabels())
        .doesNotContainKey("team");

    Kubectl.Result serverSide = kubectl.run("apply", "--server-side", "-f", example);
    assertThat(serverSide.exitCode()).as(serverSide.output()).isZero();
    assertThat(serverSide.output()).contains("serverside-applied");
  }

  /**
   * Client-side apply of a built-in kind is a strategic merge patch with directives: an env var
   * taken out of the manifest is sent as {@code $patch: delete} under {@code
   * $setElementOrder/env}, which the server carries out and does not store.
   */
  @Test
  void kubectlAppliesADeploymentWithAnEnvVarTakenOut(@TempDir Path temp) throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    Kubectl kubectl = Kubectl.against(cluster, executable, temp, REPO);
    String manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: applied-web
        spec:
          selector:
            matchLabels: {app: applied-web}
          template:
            metadata:
              labels: {app: applied-web}
            spec:
              containers:
              - name: app
                image: web:1
                env:
                - {name: KEEP, value: "1"}
                - {name: DROP, value: "2"}
        """;
    Path first = temp.resolve("first.yaml");
    Files.writeString(first, manifest);
    Kubectl.Result created = kubectl.run("apply", "-f", first.toString());
    assertThat(created.exitCode()).as(created.output()).isZero();

    Path second = temp.resolve("second.yaml");
    Files.writeString(second, manifest.replace("        - {name: DROP, value: \"2\"}\n", "")
        .replace("web:1", "web:2"));
    Kubectl.Result configured = kubectl.run("apply", "-f", second.toString());
    assertThat(configured.output()).as(configured.output()).contains("configured");

    var container = client.apps().deployments().inNamespace("default").withName("applied-web")
        .get().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("web:2");
    assertThat(container.getEnv()).extracting(env -> env.getName()).containsExactly("KEEP");
    assertThat(Serialization.asJson(container)).doesNotContain("$");
  }

  /** An answer's status and, for a 200, its body as JSON. */
  private record Answer(int statusCode, JsonNode body) {
  }

  private static Answer get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
        URI.create(cluster.config().getMasterUrl() + path.substring(1))).build(),
        HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.statusCode() == 200
        ? Storage.parse(response.body()) : MissingNode.getInstance());
  }

  private static JsonNode document(String groupVersionPath) throws Exception {
    String url = get("/openapi/v3").body().path("paths").path(groupVersionPath)
        .path("serverRelativeURL").asText();
    assertThat(url).as("the index lists %s", groupVersionPath).isNotEmpty();
    return get(url).body();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
