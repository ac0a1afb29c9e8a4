package dev.operated.validation;

import static dev.operated.validation.Manifest.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.api.SpecProblem;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layer 1 is driven by the generated CRD itself, so it is tested from the CRD: every typed field,
 * every range, every enum of the schema is refused when broken, at its own path, and the rest of
 * the object is still checked. A field added to the model is covered without touching this test.
 */
class CrdSchemaLayerTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Every object-property leaf of the spec schema, with the dotted path to it. */
  record Leaf(String path, JSONSchemaProps schema) {
    @Override
    public String toString() {
      return path;
    }
  }

  static List<Leaf> leaves() {
    List<Leaf> leaves = new ArrayList<>();
    collect("spec", CrdSchema.specSchema(), leaves);
    return leaves;
  }

  private static void collect(String path, JSONSchemaProps node, List<Leaf> leaves) {
    if (node.getProperties() == null || node.getProperties().isEmpty()) {
      if (node.getType() != null && !node.getType().equals("array")
          && !node.getType().equals("object")) {
        leaves.add(new Leaf(path, node));
      }
      return;
    }
    node.getProperties().forEach((name, child) -> collect(path + "." + name, child, leaves));
  }

  static Stream<Leaf> typedLeaves() {
    return leaves().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("typedLeaves")
  void aValueOfTheWrongTypeIsRefusedAtItsPath(Leaf leaf) {
    JsonNode wrong = switch (leaf.schema().getType()) {
      case "string" -> NODES.objectNode().put("not", "a string");
      case "boolean" -> NODES.textNode("yes");
      default -> NODES.textNode("many");
    };
    List<SpecProblem> problems = validateWith(leaf.path(), wrong);
    assertThat(problems).filteredOn(problem -> problem.field().equals(leaf.path()))
        .singleElement().extracting(SpecProblem::message).asString().startsWith("must be");
  }

  static Stream<Arguments> bounds() {
    List<Arguments> bounds = new ArrayList<>();
    for (Leaf leaf : leaves()) {
      if (leaf.schema().getMaximum() != null) {
        bounds.add(Arguments.of(leaf, leaf.schema().getMaximum() + 1, "above the maximum"));
      }
      if (leaf.schema().getMinimum() != null) {
        bounds.add(Arguments.of(leaf, leaf.schema().getMinimum() - 1, "below the minimum"));
      }
    }
    return bounds.stream();
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("bounds")
  void aValueOutOfTheSchemasRangeIsRefused(Leaf leaf, double value, String fragment) {
    JsonNode number = leaf.schema().getType().equals("integer")
        ? NODES.numberNode((long) value) : NODES.numberNode(value);
    assertThat(validateWith(leaf.path(), number)).anySatisfy(problem -> {
      assertThat(problem.field()).isEqualTo(leaf.path());
      assertThat(problem.message()).contains(fragment).contains("use a value");
    });
  }

  static Stream<Leaf> enums() {
    return leaves().stream().filter(leaf -> leaf.schema().getEnum() != null
        && !leaf.schema().getEnum().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("enums")
  void aValueOutsideTheEnumIsRefusedListingTheAllowedOnes(Leaf leaf) {
    String allowed = leaf.schema().getEnum().get(0).asText();
    assertThat(validateWith(leaf.path(), NODES.textNode(allowed.toUpperCase() + "x")))
        .anySatisfy(problem -> {
          assertThat(problem.field()).isEqualTo(leaf.path());
          assertThat(problem.message()).contains("is not one of").contains(allowed);
        });
  }

  /** A regex is no fix a user can apply: every pattern of the schema is said in words. */
  @Test
  void everyPatternOfTheSchemaIsExplainedInWords() {
    assertThat(leaves()).filteredOn(leaf -> leaf.schema().getPattern() != null)
        .isNotEmpty()
        .allSatisfy(leaf -> assertThat(CrdSchema.PATTERN_MEANINGS)
            .as(leaf.path()).containsKey(leaf.schema().getPattern()));
    assertThat(validateWith("spec.health.livenessPath", NODES.textNode("livez")))
        .anySatisfy(problem -> assertThat(problem).hasToString("spec.health.livenessPath: "
            + "'livez' is not an HTTP path: start with '/', no spaces; a query may follow '?'"));
  }

  /**
   * A probe's path may carry a query: the kubelet parses it as a URL and keeps the query
   * ({@code formatURL} in pkg/probe/http/request.go), and kube-apiserver requires only a path
   * ({@code validateHTTPGetAction}). The metrics path may not: Prometheus sends
   * {@code __metrics_path__} as the URL's path ({@code Target.URL}), which escapes a '?'.
   */
  @Test
  void aProbePathMayCarryAQueryAndTheMetricsPathMayNot() {
    for (String probe : List.of("spec.health.livenessPath", "spec.health.readinessPath")) {
      assertThat(validateWith(probe, NODES.textNode("/healthz?verbose=1&exclude=db")))
          .as(probe).isEmpty();
      assertThat(validateWith(probe, NODES.textNode("/healthz?with space"))).as(probe)
          .anySatisfy(problem -> assertThat(problem.toString()).contains("no spaces"));
    }
    assertThat(validateWith("spec.metrics.path", NODES.textNode("/metrics?format=text")))
        .anySatisfy(problem -> assertThat(problem).hasToString("spec.metrics.path: "
            + "'/metrics?format=text' is not an HTTP path: start with '/', no spaces or query"));
  }

  /**
   * A value ending in a line break, as a YAML block scalar ({@code |}) writes it, is refused: the
   * API server matches a pattern's {@code $} at the end of the text only ({@code validate.Pattern}
   * in kube-openapi, Go's {@code regexp}), and a probe path with a newline would reach the pod.
   */
  @Test
  void aValueEndingInALineBreakDoesNotMatchAPatternsEnd() {
    assertThat(validateWith("spec.health.livenessPath", NODES.textNode("/livez\n")))
        .anySatisfy(problem -> assertThat(problem.toString())
            .startsWith("spec.health.livenessPath: '/livez\n' is not an HTTP path"));
    assertThat(validateWith("spec.image", NODES.textNode("registry.example/orders:1.4\n")))
        .anySatisfy(problem -> assertThat(problem.toString()).contains("a value without spaces"));
    assertThat(validateWith("spec.health.livenessPath", NODES.textNode("/livez"))).isEmpty();
  }

  /**
   * A whole number written with a fraction (YAML's {@code 1.0}) is an integer to kube-openapi's
   * type check ({@code isFloatInt}, validate/type.go), so an int-or-string quantity takes it; a
   * fraction it refuses, as the API server does.
   */
  @Test
  void aQuantityWrittenAsAWholeFloatIsAnInteger() {
    assertThat(validateWith("spec.resources.limits.cpu", NODES.numberNode(1.0))).isEmpty();
    assertThat(validateWith("spec.resources.limits.cpu", NODES.numberNode(1.5)))
        .anySatisfy(problem -> assertThat(problem.toString())
            .contains("must be an integer or a string").contains("quote it ('1.5')"));
  }

  @Test
  void theSchemaHasFieldsOfEveryKindThisTestCovers() {
    assertThat(leaves()).hasSizeGreaterThanOrEqualTo(15);
    assertThat(bounds()).hasSizeGreaterThan(10);
    assertThat(enums()).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void aRefusedValueDoesNotHideTheOtherProblems() {
    ObjectNode object = Manifest.object("{image: orders, port: many, podLabels: {team: 'a b'}}");
    assertThat(OperatedServiceValidator.validate(object, cluster("1.33")))
        .extracting(SpecProblem::field)
        .containsExactlyInAnyOrder("spec.port", "spec.image", "spec.podLabels[team]");
  }

  @Test
  void nullsArePrunedAsTheApiServerPrunesThem() {
    assertThat(OperatedServiceValidator.validate(
        Manifest.object("{image: 'a:1', replicas: null, health: null}"), cluster("1.33")))
        .isEmpty();
  }

  @Test
  void theLayerReadsTheSchemaOfTheCrdThatShips() throws Exception {
    Path committed = Path.of(System.getProperty("operated.repoRoot", ".."))
        .resolve("crds/operatedservices.operated.dev-v1.yml");
    CustomResourceDefinition shipped = Serialization.unmarshal(Files.readString(committed),
        CustomResourceDefinition.class);
    assertThat(CrdSchema.rootSchema())
        .isEqualTo(shipped.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
  }

  /** A valid spec with one field, at a dotted path, set to the value given. */
  private static List<SpecProblem> validateWith(String path, JsonNode value) {
    ObjectNode object = Manifest.object("{image: 'orders:1', telemetry: {mode: sidecar, "
        + "endpoint: 'http://gw:4317'}}");
    String[] parts = path.split("\\.");
    ObjectNode parent = object;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = parent.has(parts[i]) ? (ObjectNode) parent.get(parts[i])
          : parent.putObject(parts[i]);
    }
    parent.set(parts[parts.length - 1], value);
    return OperatedServiceValidator.validate(object, cluster("1.33"));
  }
}
