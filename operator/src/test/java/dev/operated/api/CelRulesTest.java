package dev.operated.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.operated.validation.CrdCel;
import dev.operated.validation.CrdCel.LocatedRule;
import dev.operated.validation.CrdCel.Violation;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * No API server checks the CRD here, so this test does what one would at CRD creation (compile
 * every rule against the typed schema) and at admission (evaluate it on the defaulted object).
 */
class CelRulesTest {

  private static final JSONSchemaProps SPEC = GeneratedCrd.specSchema();

  @Test
  void theCrossFieldRulesAreInTheCrd() {
    assertThat(CrdCel.rules(SPEC)).extracting(LocatedRule::path)
        .containsExactlyInAnyOrder("health", "telemetry", "telemetry", "shutdown");
  }

  @Test
  void everyRuleAndMessageExpressionCompilesAgainstTheTypedSchema() {
    for (LocatedRule located : CrdCel.rules(SPEC)) {
      CelValidationResult rule = CrdCel.check(located, located.rule().getRule(), SimpleType.BOOL);
      assertThat(rule.hasError()).as(located.rule().getRule() + ": " + rule.getErrorString())
          .isFalse();
      if (located.rule().getMessageExpression() != null) {
        CelValidationResult message = CrdCel.check(located,
            located.rule().getMessageExpression(), SimpleType.STRING);
        assertThat(message.hasError()).as(message.getErrorString()).isFalse();
      }
      assertThat(located.rule().getMessage() != null
          || located.rule().getMessageExpression() != null).as("rule has a message").isTrue();
    }
  }

  @Test
  void aMisspeltFieldIsACompileErrorAsOnTheApiServer() {
    LocatedRule shutdown = CrdCel.rules(SPEC).stream()
        .filter(rule -> rule.path().equals("shutdown")).findFirst().orElseThrow();
    CelValidationResult result = CrdCel.check(shutdown, "self.drainSecond > 0", SimpleType.BOOL);
    assertThat(result.hasError()).isTrue();
    assertThat(result.getErrorString()).contains("drainSecond");
  }

  @Test
  void everyFieldPathNamesAPropertyOfItsNode() {
    for (LocatedRule located : CrdCel.rules(SPEC)) {
      String fieldPath = located.rule().getFieldPath();
      if (fieldPath != null) {
        assertThat(fieldPath).startsWith(".");
        assertThat(located.node().getProperties()).containsKey(fieldPath.substring(1));
      }
    }
  }

  static Stream<Arguments> specs() {
    return Stream.of(
        Arguments.of("defaults only", "image: a:1", List.of()),
        Arguments.of("grace period covering the defaults",
            "{image: a:1, shutdown: {terminationGracePeriodSeconds: 15}}", List.of()),
        Arguments.of("grace period one second short of the defaults (5 + 10)",
            "{image: a:1, shutdown: {terminationGracePeriodSeconds: 14}}", List.of("shutdown")),
        Arguments.of("grace period short of explicit drain and timeout",
            "{image: a:1, shutdown: {drainSeconds: 20, timeoutSeconds: 30, "
                + "terminationGracePeriodSeconds: 45}}", List.of("shutdown")),
        Arguments.of("endpoint mode with an endpoint",
            "{image: a:1, telemetry: {mode: endpoint, endpoint: 'http://c:4318'}}", List.of()),
        Arguments.of("endpoint mode without an endpoint",
            "{image: a:1, telemetry: {mode: endpoint}}", List.of("telemetry")),
        Arguments.of("sidecar mode with a gateway",
            "{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw:4317'}}", List.of()),
        Arguments.of("sidecar mode with the operator's gateway",
            "{image: a:1, telemetry: {mode: sidecar}}", List.of()),
        Arguments.of("an endpoint in node mode",
            "{image: a:1, telemetry: {mode: node, endpoint: 'http://c:4318'}}",
            List.of("telemetry")),
        Arguments.of("an endpoint with the default mode none",
            "{image: a:1, telemetry: {endpoint: 'http://c:4318'}}", List.of("telemetry")),
        Arguments.of("distinct health paths", "{image: a:1, health: {livenessPath: /alive}}",
            List.of()),
        Arguments.of("readiness path equal to the default liveness path",
            "{image: a:1, health: {readinessPath: /livez}}", List.of("health")),
        Arguments.of("two bad sections at once",
            "{image: a:1, health: {livenessPath: /h, readinessPath: /h}, "
                + "shutdown: {terminationGracePeriodSeconds: 1}}", List.of("health", "shutdown")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void rulesRefuseExactlyTheBadSpecs(String description, String specYaml, List<String> failing) {
    Map<String, Object> spec = new Yaml().load(specYaml);
    assertThat(CrdCel.violations(SPEC, spec)).extracting(Violation::path)
        .containsExactlyInAnyOrderElementsOf(failing);
  }

  @Test
  void theGracePeriodMessageShowsTheArithmetic() {
    Map<String, Object> spec = new Yaml().load(
        "{image: a:1, shutdown: {drainSeconds: 20, timeoutSeconds: 30, "
            + "terminationGracePeriodSeconds: 45}}");
    assertThat(CrdCel.violations(SPEC, spec)).singleElement().extracting(Violation::message)
        .isEqualTo("terminationGracePeriodSeconds (45) must cover drainSeconds + timeoutSeconds "
            + "(20 + 30 = 50): raise it or remove it and let the operator compute it");
  }
}
