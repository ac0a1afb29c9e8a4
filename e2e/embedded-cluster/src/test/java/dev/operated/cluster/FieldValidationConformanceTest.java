package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
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
 * Unknown fields of a custom resource and the {@code fieldValidation} parameter, as
 * kubernetes/kubernetes test/integration/apiserver/field_validation_test.go expects them
 * ({@code testFieldValidationPostCRD}, {@code testFieldValidationPutCRD}): absent means Warn,
 * which prunes the field and says so in a {@code Warning} header; Strict refuses with 400; Ignore
 * prunes silently. An apply body with an undeclared field, or a keyed list repeating a key (of a
 * custom resource or a built-in kind), fails its typed conversion
 * (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/structuredmerge.go,
 * {@code structuredMergeManager.Apply}: "Don't allow duplicates in the applied object").
 */
class FieldValidationConformanceTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLLECTION =
      "/apis/operated.dev/v1alpha1/namespaces/default/operatedservices";
  private static EmbeddedCluster cluster;
  private static KubernetesClient client;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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

  /** An OperatedService with only its image. */
  private static ObjectNode operatedService(String name) {
    ObjectNode object = JSON.createObjectNode();
    object.put("apiVersion", "operated.dev/v1alpha1");
    object.put("kind", "OperatedService");
    object.putObject("metadata").put("name", name);
    object.putObject("spec").put("image", "ghcr.io/acme/orders:1.0");
    return object;
  }

  /** An OperatedService with two fields its schema does not declare. */
  private static ObjectNode withUnknownFields(String name) {
    ObjectNode object = operatedService(name);
    ObjectNode spec = (ObjectNode) object.get("spec");
    spec.put("colour", "blue");
    spec.putObject("health").put("livenessPath", "/live").put("typo", true);
    return object;
  }

  private static HttpResponse<String> send(String method, String path, String contentType,
      String body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.config().getMasterUrl()
            .replaceFirst("/$", "") + path))
        .header("Content-Type", contentType)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Applies {@code body} at {@code path}, which must fail its typed conversion: the message. */
  private static String typedPatchRefusal(String path, ObjectNode body) throws Exception {
    HttpResponse<String> response = send("PATCH", path, "application/apply-patch+yaml",
        JSON.writeValueAsString(body));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
    return JSON.readTree(response.body()).path("message").asText();
  }

  private static GenericKubernetesResource stored(String name) {
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup("operated.dev").withVersion("v1alpha1").withKind("OperatedService")
        .withPlural("operatedservices").withNamespaced(true).build()).withName(name).get();
  }

  @Test
  void withoutTheParameterUnknownFieldsArePrunedWithAWarning() throws Exception {
    HttpResponse<String> response = send("POST", COLLECTION, "application/json",
        JSON.writeValueAsString(withUnknownFields("warned")));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().allValues("Warning")).containsExactly(
        "299 - \"unknown field \\\"spec.colour\\\"\"",
        "299 - \"unknown field \\\"spec.health.typo\\\"\"");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) stored("warned").getAdditionalProperties()
        .get("spec");
    assertThat(spec).doesNotContainKey("colour");
    assertThat(spec.get("health")).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.MAP).doesNotContainKey("typo")
        .containsEntry("livenessPath", "/live");
  }

  @Test
  void strictRefusesNamingEveryUnknownField() throws Exception {
    HttpResponse<String> response = send("POST", COLLECTION + "?fieldValidation=Strict",
        "application/json", JSON.writeValueAsString(withUnknownFields("strict")));

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode status = JSON.readTree(response.body());
    assertThat(status.path("kind").asText()).isEqualTo("Status");
    assertThat(status.path("reason").asText()).isEqualTo("BadRequest");
    assertThat(status.path("message").asText()).isEqualTo("OperatedService in version "
        + "\"v1alpha1\" cannot be handled as a OperatedService: strict decoding error: unknown "
        + "field \"spec.colour\", unknown field \"spec.health.typo\"");
    assertThat(stored("strict")).isNull();
  }

  @Test
  void strictAppliesToUpdatesToo() throws Exception {
    ObjectNode object = withUnknownFields("strict-update");
    ((ObjectNode) object.get("spec")).remove("colour");
    ((ObjectNode) object.path("spec").path("health")).remove("typo");
    assertThat(send("POST", COLLECTION, "application/json", JSON.writeValueAsString(object))
        .statusCode()).isEqualTo(201);

    HttpResponse<String> response = send("PUT", COLLECTION + "/strict-update?fieldValidation="
        + "Strict", "application/json", JSON.writeValueAsString(withUnknownFields(
            "strict-update")));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).path("message").asText())
        .endsWith("unknown field \"spec.colour\", unknown field \"spec.health.typo\"");
  }

  @Test
  void ignorePrunesSilently() throws Exception {
    HttpResponse<String> response = send("POST", COLLECTION + "?fieldValidation=Ignore",
        "application/json", JSON.writeValueAsString(withUnknownFields("ignored")));

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.headers().allValues("Warning")).isEmpty();
    assertThat(stored("ignored").getAdditionalProperties().get("spec"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .doesNotContainKey("colour");
  }

  @Test
  void aMergePatchIsPrunedLikeACreate() throws Exception {
    ObjectNode object = withUnknownFields("patched");
    ((ObjectNode) object.get("spec")).remove("colour");
    ((ObjectNode) object.path("spec").path("health")).remove("typo");
    send("POST", COLLECTION, "application/json", JSON.writeValueAsString(object));
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("spec").put("colour", "red").put("replicas", 3);

    HttpResponse<String> response = send("PATCH", COLLECTION + "/patched",
        "application/merge-patch+json", JSON.writeValueAsString(patch));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().allValues("Warning"))
        .containsExactly("299 - \"unknown field \\\"spec.colour\\\"\"");
    assertThat(stored("patched").getAdditionalProperties().get("spec"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .doesNotContainKey("colour").containsEntry("replicas", 3);
  }

  /** structured-merge-diff types an apply body against the schema, whatever the directive. */
  @Test
  void anApplyWithAnUndeclaredFieldFails() throws Exception {
    assertThat(typedPatchRefusal(COLLECTION + "/applied?fieldManager=kubectl",
        withUnknownFields("applied"))).isEqualTo(
        "failed to create typed patch object (/applied; operated.dev/v1alpha1, "
            + "Kind=OperatedService): .spec.colour: field not declared in schema");
    assertThat(stored("applied")).isNull();
  }

  /** An OperatedService applying these environment variables, in this order. */
  private static ObjectNode withEnv(String name, String... variables) {
    ObjectNode object = operatedService(name);
    for (String variable : variables) {
      ((ObjectNode) object.get("spec")).withArray("env").addObject().put("name", variable)
          .put("value", "x");
    }
    return object;
  }

  /**
   * structured-merge-diff types the applied object without {@code AllowDuplicates}: two items of
   * a keyed list ({@code spec.env}, keyed by name) with one key fail {@code visitListItems}, a 500
   * from the field manager's plain error, and the object stays as it was. (A create gets the CRD's
   * 422 {@code Duplicate value} instead: {@code CrdAdmissionConformanceTest}.)
   */
  @Test
  void anApplyRepeatingAKeyOfAKeyedListFailsAndChangesNothing() throws Exception {
    String path = COLLECTION + "/repeated?fieldManager=kubectl&force=true";
    assertThat(send("PATCH", path, "application/apply-patch+yaml",
        JSON.writeValueAsString(withEnv("repeated", "LOG_LEVEL", "GREETING"))).statusCode())
        .isEqualTo(201);

    assertThat(typedPatchRefusal(path, withEnv("repeated", "LOG_LEVEL", "GREETING", "GREETING")))
        .isEqualTo(
        "failed to create typed patch object (/repeated; operated.dev/v1alpha1, "
            + "Kind=OperatedService): .spec.env: duplicate entries for key [name=\"GREETING\"]");
    assertThat(stored("repeated").getAdditionalProperties().get("spec"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .extractingByKey("env").asList().hasSize(2);
  }

  @Test
  void everyRepeatedKeyIsNamedOnALineOfItsOwn() throws Exception {
    assertThat(typedPatchRefusal(COLLECTION + "/twice?fieldManager=kubectl",
        withEnv("twice", "A", "B", "A", "B"))).isEqualTo(
        "failed to create typed patch object (/twice; operated.dev/v1alpha1, "
            + "Kind=OperatedService): errors:\n"
            + "  .spec.env: duplicate entries for key [name=\"A\"]\n"
            + "  .spec.env: duplicate entries for key [name=\"B\"]");
    assertThat(stored("twice")).isNull();
  }

  private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

  /** A Deployment of one container "c", with these variables and container ports, in order. */
  private static ObjectNode deployment(String name, List<String> variables, List<Integer> ports) {
    ObjectNode object = JSON.createObjectNode();
    object.put("apiVersion", "apps/v1");
    object.put("kind", "Deployment");
    object.putObject("metadata").put("name", name);
    ObjectNode spec = object.putObject("spec");
    spec.putObject("selector").putObject("matchLabels").put("app", name);
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put("app", name);
    ObjectNode container = template.putObject("spec").putArray("containers").addObject()
        .put("name", "c").put("image", "ghcr.io/acme/orders:1.0");
    variables.forEach(variable -> container.withArray("env").addObject().put("name", variable)
        .put("value", "x"));
    ports.forEach(port -> container.withArray("ports").addObject().put("containerPort", port)
        .put("protocol", "TCP"));
    return object;
  }

  /**
   * A built-in kind is typed the same way (kubernetes/kubernetes#121575 shows kube-apiserver's
   * answer to this very request): every keyed list of the Deployment, nested ones included, is
   * named by its path through the containers' keys.
   */
  @Test
  void aDeploymentApplyRepeatingAnEnvNameAndAPortFailsNamingBoth() throws Exception {
    assertThat(typedPatchRefusal(DEPLOYMENTS + "/ssa-test?fieldManager=kubectl",
        deployment("ssa-test", List.of("FOO", "FOO"), List.of(93, 93)))).isEqualTo(
        "failed to create typed patch object (/ssa-test; apps/v1, Kind=Deployment): errors:\n"
            + "  .spec.template.spec.containers[name=\"c\"].env: duplicate entries for key "
            + "[name=\"FOO\"]\n"
            + "  .spec.template.spec.containers[name=\"c\"].ports: duplicate entries for key "
            + "[containerPort=93,protocol=\"TCP\"]");
    assertThat(client.apps().deployments().inNamespace("default").withName("ssa-test").get())
        .isNull();
  }

  /**
   * Duplicates are refused in what is applied, not in what is stored: a create may repeat an env
   * name (validation does not refuse it), and an apply to that object still works, as
   * {@code structuredMergeManager.Apply} types the live object with {@code AllowDuplicates}.
   */
  @Test
  void aDeploymentCreatedWithARepeatedEnvNameCanStillBeApplied() throws Exception {
    assertThat(send("POST", DEPLOYMENTS, "application/json",
        JSON.writeValueAsString(deployment("created", List.of("FOO", "FOO"), List.of(93))))
        .statusCode()).isEqualTo(201);

    HttpResponse<String> response = send("PATCH",
        DEPLOYMENTS + "/created?fieldManager=kubectl&force=true", "application/apply-patch+yaml",
        JSON.writeValueAsString(deployment("created", List.of("BAR"), List.of(93))));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /**
   * A key an item leaves out is its default, when it has one (structured-merge-diff's {@code
   * keyedAssociativeListItemToPathElement}): a container port without a protocol is the TCP one.
   */
  @Test
  void aPortWithoutItsProtocolRepeatsTheTcpOne() throws Exception {
    ObjectNode applied = deployment("defaulted", List.of(), List.of(8080, 8080));
    ((ObjectNode) applied.at("/spec/template/spec/containers/0/ports/1")).remove("protocol");

    assertThat(typedPatchRefusal(DEPLOYMENTS + "/defaulted?fieldManager=kubectl", applied))
        .endsWith(
        ".spec.template.spec.containers[name=\"c\"].ports: duplicate entries for key "
            + "[containerPort=8080,protocol=\"TCP\"]");
  }

  /** A key without a default cannot be left out: the item has no path element. */
  @Test
  void anItemLeavingOutAKeyWithoutADefaultFails() throws Exception {
    ObjectNode applied = withEnv("nameless", "A");
    ((ObjectNode) applied.at("/spec/env/0")).remove("name");

    assertThat(typedPatchRefusal(COLLECTION + "/nameless?fieldManager=kubectl", applied))
        .isEqualTo(
        "failed to create typed patch object (/nameless; operated.dev/v1alpha1, "
            + "Kind=OperatedService): .spec.env: element 0: associative list with keys has an "
            + "element that omits key field \"name\" (and doesn't have default value)");
    assertThat(stored("nameless")).isNull();
  }
}
