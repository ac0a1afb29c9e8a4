package dev.operated.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OperatedServiceValidatorTest {

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of("{image: ''}", "spec.image", "is required"),
        Arguments.of("{image: orders}", "spec.image", "has no tag or digest"),
        Arguments.of("{image: 'Acme/Orders:1'}", "spec.image", "not a valid image reference"),
        Arguments.of("{image: a:1, replicas: -1}", "spec.replicas", "0 or more"),
        Arguments.of("{image: a:1, port: 70000}", "spec.port", "1-65535"),
        Arguments.of("{image: a:1, health: {port: 0}}", "spec.health.port", "1-65535"),
        Arguments.of("{image: a:1, port: 4318, telemetry: {mode: sidecar}}", "spec.port",
            "taken by the collector sidecar (OTLP HTTP)"),
        Arguments.of("{image: a:1, telemetry: {mode: sidecar}, metrics: {port: 13133}}",
            "spec.metrics.port", "health_check"),
        Arguments.of("{image: a:1, env: [{name: A, value: x}, {name: A, value: y}]}",
            "spec.env[1].name", "already declared at spec.env[0]"),
        Arguments.of("{image: a:1, env: [{value: x}]}", "spec.env[0].name", "is required"),
        Arguments.of("{image: a:1, env: [{name: '1A', value: x}]}", "spec.env[0].name",
            "not a valid variable name"),
        Arguments.of("{image: a:1, env: [{name: URL, value: 'http://$(HOST)'}, "
            + "{name: HOST, value: h}]}", "spec.env[0].value", "declared later at spec.env[1]"),
        Arguments.of("{image: a:1, env: [{name: OPERATED_DRAIN_SECONDS, value: '3'}]}",
            "spec.env[0].name", "spec.shutdown.drainSeconds"),
        Arguments.of("{image: a:1, env: [{name: A, value: x, valueFrom: {fieldRef: "
            + "{fieldPath: metadata.name}}}]}", "spec.env[0]", "both value and valueFrom"),
        Arguments.of("{image: a:1, resources: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}}",
            "spec.resources.requests.memory", "above the limit 512Mi"),
        Arguments.of("{image: a:1, resources: {requests: {cpu: 2}, limits: {cpu: 500m}}}",
            "spec.resources.requests.cpu", "above the limit"),
        Arguments.of("{image: a:1, resources: {requests: {memory: lots}}}",
            "spec.resources.requests.memory", "not a quantity"),
        Arguments.of("{image: a:1, health: {livenessPath: /health, readinessPath: /health}}",
            "spec.health.readinessPath", "equals livenessPath"),
        Arguments.of("{image: a:1, health: {livenessPath: 'livez'}}", "spec.health.livenessPath",
            "start with '/'"),
        Arguments.of("{image: a:1, health: {startupSeconds: 0}}", "spec.health.startupSeconds",
            "at least 1"),
        Arguments.of("{image: a:1, metrics: {path: '/metrics?x=1'}}", "spec.metrics.path",
            "not an HTTP path"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint}}", "spec.telemetry.endpoint",
            "required when mode is endpoint"),
        Arguments.of("{image: a:1, telemetry: {mode: node, endpoint: 'http://c:4318'}}",
            "spec.telemetry.endpoint", "only used when mode is endpoint or sidecar"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint, endpoint: 'collector:4318'}}",
            "spec.telemetry.endpoint", "http:// or https://"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint, endpoint: 'http://c:4317'}}",
            "spec.telemetry.endpoint", "set spec.telemetry.protocol to grpc"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint, protocol: grpc, "
            + "endpoint: 'http://c:4318'}}", "spec.telemetry.endpoint", "use port 4317"),
        Arguments.of("{image: a:1, telemetry: {samplingRatio: 1.5}}",
            "spec.telemetry.samplingRatio", "from 0 to 1"),
        Arguments.of("{image: a:1, telemetry: {collector: {image: 'otel/c:1'}}}",
            "spec.telemetry.collector", "only applies in mode sidecar"),
        Arguments.of("{image: a:1, shutdown: {drainSeconds: -1}}", "spec.shutdown.drainSeconds",
            "0 or more"),
        Arguments.of("{image: a:1, shutdown: {timeoutSeconds: -5}}",
            "spec.shutdown.timeoutSeconds", "0 or more"),
        Arguments.of("{image: a:1, shutdown: {drainSeconds: 10, timeoutSeconds: 30, "
            + "terminationGracePeriodSeconds: 20}}", "spec.shutdown.terminationGracePeriodSeconds",
            "does not cover drainSeconds + timeoutSeconds = 10 + 30 = 40s"),
        Arguments.of("{image: a:1, podLabels: {app.kubernetes.io/name: other}}",
            "spec.podLabels.app.kubernetes.io/name", "selector label"),
        Arguments.of("{image: a:1, podAnnotations: {'bad key!': x}}",
            "spec.podAnnotations.bad key!", "not a valid key"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("badSpecs")
  void namesTheFieldAndTheFix(String specYaml, String field, String fragment) {
    assertThat(OperatedServiceValidator.validate(Manifests.fromSpecYaml(specYaml)))
        .anySatisfy(problem -> {
          assertThat(problem.field()).isEqualTo(field);
          assertThat(problem.message()).contains(fragment);
        });
  }

  @Test
  void reportsEveryProblemAtOnce() {
    var problems = OperatedServiceValidator.validate(Manifests.fromSpecYaml(
        "{image: orders, replicas: -2, health: {livenessPath: /h, readinessPath: /h}, "
            + "telemetry: {mode: endpoint}}"));
    assertThat(problems).extracting(SpecProblem::field).containsExactlyInAnyOrder(
        "spec.image", "spec.replicas", "spec.health.readinessPath", "spec.telemetry.endpoint");
    assertThat(OperatedServiceValidator.describe(problems).lines()).hasSize(4);
  }

  @Test
  void aServiceNameMustBeADns1035Label() {
    OperatedService resource = Manifests.fromSpecYaml("{image: a:1}");
    resource.getMetadata().setName("1-orders.v2");
    assertThat(OperatedServiceValidator.validate(resource)).singleElement()
        .satisfies(problem -> assertThat(problem.field()).isEqualTo("metadata.name"));
  }

  @Test
  void aMissingSpecIsNamed() {
    OperatedService resource = new OperatedService();
    resource.getMetadata().setName("orders");
    assertThat(OperatedServiceValidator.validate(resource)).extracting(SpecProblem::field)
        .containsExactly("spec");
  }

  @Test
  void validSpecsPass() {
    assertThat(OperatedServiceValidator.validate(Manifests.fromSpecYaml("{image: a:1}")))
        .isEmpty();
    assertThat(OperatedServiceValidator.validate(Manifests.fromSpecYaml(
        "{image: 'registry.local:5000/team/orders@sha256:" + "a".repeat(64) + "', "
            + "env: [{name: HOST, value: h}, {name: URL, value: 'http://$(HOST)'}, "
            + "{name: LITERAL, value: '$$(NOT_A_REF)'}], "
            + "telemetry: {mode: endpoint, protocol: grpc, endpoint: 'https://c:4317'}, "
            + "resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: 1, memory: 256Mi}}}")))
        .isEmpty();
  }
}
