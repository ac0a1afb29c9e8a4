package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Strategic merge patches of a Deployment as kubectl sends them, applied as apimachinery's
 * strategicpatch.StrategicMergePatch applies them (its patch directives: see
 * https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md).
 */
class StrategicMergePatchTest {

  private static final String LIVE = """
      {"metadata": {"name": "web", "finalizers": ["a", "b"]},
       "spec": {"replicas": 2,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
        "template": {"spec": {"containers": [
          {"name": "app", "image": "web:1", "resources": {"limits": {"cpu": "1"}},
           "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
           "ports": [{"containerPort": 8080, "protocol": "TCP"}]},
          {"name": "proxy", "image": "proxy:1"}]}}}}
      """;

  private static JsonNode patched(String patch) {
    return new StrategicMergePatch(FieldSchema.BUILT_IN).apply(Storage.parse(LIVE),
        Storage.parse(patch));
  }

  private static JsonNode app(JsonNode deployment) {
    return deployment.path("spec").path("template").path("spec").path("containers").get(0);
  }

  /** kubectl apply (client-side) after an env var was taken out of the manifest. */
  @Test
  void anItemMarkedForDeletionIsRemovedAndNoDirectiveIsStored() {
    JsonNode result = patched("""
        {"spec": {"template": {"spec": {
          "$setElementOrder/containers": [{"name": "app"}, {"name": "proxy"}],
          "containers": [{"$setElementOrder/env": [{"name": "A"}], "name": "app",
            "env": [{"$patch": "delete", "name": "B"}]}]}}}}
        """);

    assertThat(app(result).path("env")).hasSize(1);
    assertThat(app(result).path("env").get(0).path("name").asText()).isEqualTo("A");
    assertThat(result.toString()).doesNotContain("$");
    assertThat(app(result).path("image").asText()).isEqualTo("web:1");
  }

  @Test
  void aNullInAnItemDeletesTheField() {
    JsonNode result = patched("""
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "resources": null}]}}}}
        """);

    assertThat(app(result).has("resources")).isFalse();
    assertThat(app(result).path("env")).hasSize(2);
  }

  @Test
  void aMergedListKeepsTheServersItemsAndAppendsNewOnes() {
    JsonNode result = patched("""
        {"spec": {"template": {"spec": {"containers": [
          {"name": "app", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}]}}}}
        """);

    assertThat(app(result).path("env").findValuesAsText("value")).containsExactly("1", "3", "4");
    assertThat(result.path("spec").path("template").path("spec").path("containers")).hasSize(2);
  }

  /** kubectl apply switching the strategy to Recreate: $retainKeys clears rollingUpdate. */
  @Test
  void retainKeysClearsTheKeysItDoesNotName() {
    JsonNode result = patched("""
        {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
          "rollingUpdate": null}}}
        """);

    assertThat(result.path("spec").path("strategy").toString())
        .isEqualTo("{\"type\":\"Recreate\"}");
  }

  @Test
  void aPrimitiveListLosesTheValuesItIsToldTo() {
    JsonNode result = patched("""
        {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}
        """);

    assertThat(result.path("metadata").path("finalizers").toString()).isEqualTo("[\"b\"]");
  }

  @Test
  void replaceAndOrderDirectives() {
    JsonNode replaced = patched("""
        {"spec": {"template": {"spec": {"containers": [{"$patch": "replace"},
          {"name": "only", "image": "only:1"}]}}}}
        """);
    assertThat(replaced.path("spec").path("template").path("spec").path("containers")
        .findValuesAsText("name")).containsExactly("only");

    JsonNode reordered = patched("""
        {"spec": {"template": {"spec": {
          "$setElementOrder/containers": [{"name": "proxy"}, {"name": "app"}]}}}}
        """);
    assertThat(reordered.path("spec").path("template").path("spec").path("containers")
        .findValuesAsText("image")).containsExactly("proxy:1", "web:1");
  }
}
