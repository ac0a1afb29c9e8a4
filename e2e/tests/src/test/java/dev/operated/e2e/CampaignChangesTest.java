package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generator derives its changes from the shipped CRD, for every field of the spec. */
class CampaignChangesTest {

  private static final JSONSchemaProps SPEC = CampaignChanges.specSchema(
      Examples.REPO.resolve("crds/operatedservices.operated.dev-v1.yml"));
  private static final ObjectNode BASE = SchemaCampaign.baseSpec();
  private static final ClusterFacts FACTS = new ClusterFacts(KubernetesVersion.parse("1.33"),
      true, Map.of());

  private static final List<CampaignChanges.Change> CHANGES = SchemaCampaign.changes();

  private static CampaignChanges.Change named(String name) {
    return CHANGES.stream().filter(change -> change.name().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no change named " + name));
  }

  private static JsonNode applied(String name, String... path) {
    JsonNode spec = named(name).applyTo(BASE, FACTS).orElseThrow();
    return CampaignChanges.at(spec, List.of((Object[]) path));
  }

  @Test
  void everyLeafFieldOfTheSchemaGetsChanges() {
    List<String> aimedAt = CampaignChanges.fromSchema(SPEC, BASE).stream()
        .map(CampaignChanges.Change::field).toList();

    assertThat(CampaignChanges.leafFields(SPEC)).contains("spec.image",
        "spec.env[0].valueFrom.fieldRef.fieldPath", "spec.podLabels",
        "spec.telemetry.collector.resources.claims[0].name");
    for (String leaf : CampaignChanges.leafFields(SPEC)) {
      // A leaf inside a list item is changed on the base spec's first item; a list the base
      // spec has no item of (resources.claims) is changed as a list: pushed, cleared, ...
      String list = leaf.replaceAll("\\.claims\\[0\\]\\..*", ".claims");
      assertThat(aimedAt).as("changes aimed at %s", leaf)
          .anyMatch(field -> field.equals(leaf) || field.startsWith(leaf + "[")
              || field.equals(list));
    }
  }

  @Test
  void numbersAreProbedAtTheirEdgesAndJustPast() {
    assertThat(applied("spec.port = maximum + 1", "port").asLong()).isEqualTo(65536);
    assertThat(applied("spec.port = minimum - 1", "port").asLong()).isEqualTo(0);
    assertThat(applied("spec.replicas = maximum 1000", "replicas").asLong()).isEqualTo(1000);
    assertThat(applied("spec.telemetry.samplingRatio = maximum + 0.001", "telemetry",
        "samplingRatio").asDouble()).isEqualTo(1.001);
  }

  @Test
  void stringsAreProbedAtTheirLengthsAndPatterns() {
    assertThat(applied("spec.image at maxLength 512", "image").asText()).hasSize(512)
        .startsWith(BASE.get("image").asText());
    assertThat(applied("spec.image at maxLength + 1", "image").asText()).hasSize(513);
    assertThat(applied("spec.health.livenessPath = \"has space\" (past the pattern)", "health",
        "livenessPath").asText()).isEqualTo("has space");
    assertThat(applied("spec.telemetry.endpoint = \"has space\" (past the pattern)",
        "telemetry", "endpoint").asText()).isEqualTo("has space");
  }

  @Test
  void enumsListsMapsAndQuantitiesAreProbed() {
    assertThat(applied("spec.mesh = campaign-unknown (not in the enum)", "mesh").asText())
        .isEqualTo(CampaignChanges.UNKNOWN_ENUM_VALUE);
    assertThat(applied("spec.env duplicate the last item", "env"))
        .hasSize(BASE.get("env").size() + 1);
    assertThat(applied("spec.env pop", "env")).hasSize(BASE.get("env").size() - 1);
    assertThat(applied("spec.env at maxItems + 1", "env")).hasSize(257);
    assertThat(applied("spec.podLabels[campaign.dev/added] = 64 characters (one past the "
        + "longest label value)", "podLabels", "campaign.dev/added").asText()).hasSize(64);
    assertThat(applied("spec.podLabels[sidecar.istio.io/inject] removed", "podLabels").has(
        "sidecar.istio.io/inject")).isFalse();
    assertThat(applied("spec.resources.requests[cpu] = \"0.1\"", "resources", "requests", "cpu")
        .asText()).isEqualTo("0.1");
  }

  @Test
  void theCrossFieldCasesAreThereByName() {
    assertThat(CampaignChanges.crossField()).extracting(CampaignChanges.Change::name)
        .contains("telemetry mode endpoint without an endpoint",
            "telemetry mode node with an endpoint",
            "grace period one below the required budget (drain + timeout + collector flush + "
                + "proxy tail)",
            "grace period at drain + timeout (the CEL rule)",
            "mesh auto in a namespace with istio-injection=enabled",
            "mesh none in a namespace with linkerd.io/inject=enabled",
            "replicas unset", "replicas 0", "replicas 1", "replicas 2");
    // The full example's budget: drain 10 + timeout 20 + the collector's flush, istio legacy.
    long required = applied("grace period at the required budget (drain + timeout + collector "
        + "flush + proxy tail)", "shutdown", "terminationGracePeriodSeconds").asLong();
    long oneBelow = applied("grace period one below the required budget (drain + timeout + "
        + "collector flush + proxy tail)", "shutdown", "terminationGracePeriodSeconds").asLong();
    assertThat(oneBelow).isEqualTo(required - 1);
    assertThat(required).isGreaterThan(30);
  }
}
