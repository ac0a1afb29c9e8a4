package dev.operated.validation;

import static dev.operated.validation.Manifest.cluster;
import static dev.operated.validation.Manifest.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredDeployment;
import dev.operated.desired.TerminationBudget;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator's own rules (layer 3) and how the layers add up to one list of problems. */
class OperatedServiceValidatorTest {

  private static final ClusterFacts K8S_1_33 = cluster("1.33");

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of("{image: ''}", "spec.image", "must not be empty"),
        Arguments.of("{image: orders}", "spec.image", "has no tag or digest"),
        Arguments.of("{image: 'Acme/Orders:1'}", "spec.image", "not a valid image reference"),
        Arguments.of("{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw:4317', "
            + "collector: {image: 'Otel/Collector'}}}", "spec.telemetry.collector.image",
            "not a valid image reference"),
        Arguments.of("{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw:4317', "
            + "collector: {image: 'otel/collector'}}}", "spec.telemetry.collector.image",
            "has no tag or digest"),
        Arguments.of("{image: a:1, port: 4318, telemetry: {mode: sidecar, "
            + "endpoint: 'http://gw:4317'}}", "spec.port",
            "taken by the collector sidecar (OTLP HTTP)"),
        Arguments.of("{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw:4317'}, "
            + "metrics: {port: 13133}}", "spec.metrics.port", "health_check"),
        Arguments.of("{image: a:1, mesh: istio, port: 15006}", "spec.port",
            "taken by the istio proxy (inbound capture)"),
        Arguments.of("{image: a:1, mesh: istio, health: {port: 15021}}", "spec.health.port",
            "istio proxy (health checks)"),
        Arguments.of("{image: a:1, mesh: linkerd, metrics: {port: 4191}}", "spec.metrics.port",
            "linkerd proxy (admin and metrics)"),
        Arguments.of("{image: a:1, env: [{name: A, value: x}, {name: A, value: y}]}",
            "spec.env[1]", "has the same name 'A' as spec.env[0]"),
        Arguments.of("{image: a:1, env: [{name: URL, value: 'http://$(HOST)'}, "
            + "{name: HOST, value: h}]}", "spec.env[0].value", "declared later at spec.env[1]"),
        Arguments.of("{image: a:1, env: [{name: OPERATED_DRAIN_SECONDS, value: '3'}]}",
            "spec.env[0].name", "spec.shutdown.drainSeconds"),
        Arguments.of("{image: a:1, env: [{name: A, valueFrom: {fileKeyRef: {volumeName: v, "
            + "path: a.env, key: A}}}]}", "spec.env[0].valueFrom.fileKeyRef",
            "no volume of yours"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint, endpoint: 'http://c:4317'}}",
            "spec.telemetry.endpoint", "set spec.telemetry.protocol to grpc"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint, protocol: grpc, "
            + "endpoint: 'http://c:4318'}}", "spec.telemetry.endpoint", "use port 4317"),
        Arguments.of("{image: a:1, telemetry: {collector: {image: 'otel/c:1'}}}",
            "spec.telemetry.collector", "only applies in mode sidecar"),
        Arguments.of("{image: a:1, telemetry: {mode: sidecar}}", "spec.telemetry.endpoint",
            "--collector-gateway"),
        Arguments.of("{image: a:1, podLabels: {app.kubernetes.io/name: other}}",
            "spec.podLabels[app.kubernetes.io/name]", "selector label"),
        Arguments.of("{image: a:1, podAnnotations: {proxy.istio.io/config: '[1, 2]'}}",
            "spec.podAnnotations[proxy.istio.io/config]", "must be a YAML mapping"),
        // Layer 1 (schema and CEL) in the same list, in the same notation.
        Arguments.of("{image: a:1, port: 70000}", "spec.port",
            "70000 is above the maximum 65535: use a value from 1 to 65535"),
        Arguments.of("{image: a:1, health: {livenessPath: /h, readinessPath: /h}}",
            "spec.health.readinessPath", "livenessPath and readinessPath must differ"),
        Arguments.of("{image: a:1, telemetry: {mode: endpoint}}", "spec.telemetry.endpoint",
            "is required when mode is endpoint"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("badSpecs")
  void namesTheFieldAndTheFix(String specYaml, String field, String fragment) {
    assertThat(OperatedServiceValidator.validate(object(specYaml), K8S_1_33))
        .anySatisfy(problem -> {
          assertThat(problem.field()).isEqualTo(field);
          assertThat(problem.message()).contains(fragment);
        });
  }

  /**
   * What distribution/reference's {@code ReferenceRegexp} (regexp.go) accepts the operator accepts,
   * and what it refuses the operator names: the API server checks no more than that an image is
   * set, so the container runtime's parser is the one that decides.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "registry.example.com/team/my__app:1.0", // '__' joins path components
      "ghcr.io/acme/foo--bar:1", // so does any run of '-'
      "Registry.Example.com:5000/orders:1", // a registry host may hold uppercase
      "[::1]:5000/orders:1", // and be a bracketed IPv6 address
      "localhost:5000/a.b_c-d/orders:v1.2_rc-1",
      "orders@sha512:" + SHA512,
      "orders:1@sha256:" + SHA256})
  void aReferenceTheRuntimesParserTakesIsAccepted(String image) {
    assertThat(OperatedServiceValidator.validate(object("{image: '" + image + "'}"), K8S_1_33))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "orders_:1", "team/-orders:1", "team//orders:1", "Team/Orders:1", "orders___x:1",
      "[fe80::1%eth0]:5000/orders:1", "orders@sha256:abc", "orders@md5:" + SHA256, ":1"})
  void aReferenceTheRuntimesParserRefusesIsNamed(String image) {
    assertThat(OperatedServiceValidator.validate(object("{image: '" + image + "'}"), K8S_1_33))
        .singleElement().satisfies(problem -> {
          assertThat(problem.field()).isEqualTo("spec.image");
          assertThat(problem.message()).contains("is not a valid image reference");
        });
  }

  @Test
  void aRepositoryNameOverTheRuntimesLimitIsNamed() {
    String image = "registry.example.com/" + "a".repeat(235) + ":1"; // 256 characters of name
    assertThat(OperatedServiceValidator.validate(object("{image: '" + image + "'}"), K8S_1_33))
        .singleElement().satisfies(problem -> assertThat(problem.message())
            .contains("a name of 256 characters: registry and repository may have at most 255"));
  }

  private static final String SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String SHA512 =
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

  /** objectmeta ValidateAnnotations counts every annotation of the pod, the operator's too. */
  @Test
  void theAnnotationLimitCountsWhatTheOperatorAddsToThePod() {
    String justOver = "x".repeat(256 * 1024 - KubernetesRulesTest.OPERATOR_ANNOTATION_BYTES);
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, metrics: {scrape: none}, "
        + "podAnnotations: {k: " + justOver + "}}"), K8S_1_33)).singleElement()
        .satisfies(problem -> {
          assertThat(problem.field()).isEqualTo("spec.podAnnotations");
          assertThat(problem.message()).contains("262145 bytes")
              .contains("with the annotations the operator adds");
        });
  }

  @Test
  void aMeshTurnedOnByTheNamespaceReservesItsProxyPorts() {
    ClusterFacts istioNamespace = Manifest.clusterWithNamespaceLabels("1.33",
        Map.of("istio-injection", "enabled"));
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, port: 15001}"),
        istioNamespace)).extracting(SpecProblem::field).containsExactly("spec.port");
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, port: 15001}"), K8S_1_33))
        .isEmpty();
  }

  @Test
  void reportsEveryProblemAtOnceWrongTypesAndUnknownEnumsIncluded() {
    List<SpecProblem> problems = OperatedServiceValidator.validate(object(
        "{image: orders, replicas: -2, port: '8080', mesh: Istio, "
            + "health: {livenessPath: /h, readinessPath: /h}, telemetry: {mode: endpoint}, "
            + "podLabels: {team: 'payments and billing'}}"), K8S_1_33);

    assertThat(problems).extracting(SpecProblem::field).containsExactlyInAnyOrder(
        "spec.image", "spec.replicas", "spec.port", "spec.mesh", "spec.health.readinessPath",
        "spec.telemetry.endpoint", "spec.podLabels[team]");
    assertThat(problems).filteredOn(problem -> problem.field().equals("spec.port"))
        .singleElement().extracting(SpecProblem::message).asString()
        .contains("must be an integer, not the string '8080'").contains("without quotes");
    assertThat(problems).filteredOn(problem -> problem.field().equals("spec.mesh"))
        .singleElement().extracting(SpecProblem::message).asString()
        .contains("'Istio' is not one of auto, istio, linkerd, none");
    assertThat(OperatedServiceValidator.describe(problems).lines()).hasSize(7);
  }

  @Test
  void anUnknownFieldIsNamedAsKubectlApplyWouldRefuseIt() {
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, replica: 2}"), K8S_1_33))
        .singleElement().satisfies(problem -> {
          assertThat(problem.field()).isEqualTo("spec.replica");
          assertThat(problem.message()).contains("is not a field of spec");
        });
  }

  @Test
  void theDecodedEntryPointAgreesWithTheRawOne() {
    for (String spec : List.of("{image: a:1}", "{image: orders, env: [{name: A, value: x}, "
        + "{name: A, value: y}]}", "{image: a:1, podLabels: {team: 'x y'}, shutdown: "
        + "{drainSeconds: 10, timeoutSeconds: 30, terminationGracePeriodSeconds: 20}}")) {
      OperatedService decoded = Manifest.decoded(spec);
      assertThat(OperatedServiceValidator.validate(decoded, K8S_1_33)).as(spec)
          .isEqualTo(OperatedServiceValidator.validate(object(spec), K8S_1_33));
    }
  }

  /**
   * The reconciler's check hands on the Deployment it built for a valid spec, the one the builder
   * gives for the same object and cluster, for the apply to use; an invalid spec hands on none.
   */
  @Test
  void aValidSpecsCheckHandsOnTheDeploymentItBuilt() {
    OperatedService valid = Manifest.decoded("{image: a:1, podAnnotations: {team: shop}}");
    List<Deployment> rendered = new ArrayList<>();

    assertThat(OperatedServiceValidator.validate(valid, K8S_1_33, rendered::add)).isEmpty();
    assertThat(rendered).singleElement().isEqualTo(DesiredDeployment.build(valid, K8S_1_33));

    rendered.clear();
    assertThat(OperatedServiceValidator.validate(Manifest.decoded("{image: orders}"), K8S_1_33,
        rendered::add)).isNotEmpty();
    assertThat(rendered).isEmpty();
  }

  /**
   * An object the schema changes without refusing it (an explicit null, which the API server
   * prunes: here one that fabric8 keeps among an EnvVar's unknown properties) is checked as the
   * schema leaves it, decoded again, and hands no Deployment on: the apply builds its own from
   * the object it has, as before.
   */
  @Test
  void anObjectTheSchemaChangesIsCheckedAsChangedAndHandsNothingOn() {
    OperatedService withNull = Manifest.decoded("{image: a:1, env: [{name: A, value: x}]}");
    withNull.getSpec().env().get(0).setAdditionalProperty("valueFrom", null);
    List<Deployment> rendered = new ArrayList<>();

    assertThat(OperatedServiceValidator.validate(withNull, K8S_1_33, rendered::add)).isEmpty();
    assertThat(rendered).isEmpty();
  }

  /**
   * The reconciler gets decoded objects, possibly stored under an older CRD that lacked today's
   * schema: the decoded entry point still applies the current schema and CEL rules.
   */
  @Test
  void aDecodedObjectStoredUnderAnOlderCrdIsCheckedAgainstTheCurrentSchema() {
    OperatedService stored = Manifest.decoded("{image: 'a:1', replicas: 5000, "
        + "health: {livenessPath: /h, readinessPath: /h}}");
    assertThat(OperatedServiceValidator.validate(stored, K8S_1_33))
        .extracting(SpecProblem::field)
        .containsExactlyInAnyOrder("spec.replicas", "spec.health.readinessPath");
  }

  /** Issue 12, item 4: the operator's message comes from TerminationBudget alone. */
  @Test
  void aGracePeriodOneSecondShortIsOneProblemWithTheBudgetsArithmetic() {
    String spec = "{image: a:1, shutdown: {drainSeconds: 10, timeoutSeconds: 30, "
        + "terminationGracePeriodSeconds: 39}}";
    TerminationBudget budget = TerminationBudget.of(Manifest.decoded(spec).getSpec(), K8S_1_33);
    assertThat(budget.requiredSeconds()).isEqualTo(40);

    assertThat(OperatedServiceValidator.validate(object(spec), K8S_1_33)).singleElement()
        .satisfies(problem -> {
          assertThat(problem.field()).isEqualTo("spec.shutdown.terminationGracePeriodSeconds");
          assertThat(problem.message()).isEqualTo(budget.shortfall().orElseThrow())
              .contains(budget.arithmetic());
        });
  }

  @Test
  void otherCelRulesKeepTheirMessageBesideOurs() {
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, telemetry: {mode: node, "
        + "endpoint: 'http://c:4317'}}"), K8S_1_33)).extracting(SpecProblem::message)
        .anySatisfy(message -> assertThat(message).contains("only used when mode is endpoint"))
        .anySatisfy(message -> assertThat(message).contains("is the OTLP grpc port"));
  }

  /**
   * In sidecar mode spec.telemetry.protocol is how the app reaches its sidecar; the collector
   * exports to the gateway over gRPC whatever it says, so the fix is the gateway's port alone.
   */
  @Test
  void aGatewayOnTheHttpPortIsToldToUseItsGrpcPortNotTheProtocolField() {
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, telemetry: {mode: sidecar, "
        + "endpoint: 'http://gw:4318'}}"), K8S_1_33)).singleElement().satisfies(problem -> {
          assertThat(problem.field()).isEqualTo("spec.telemetry.endpoint");
          assertThat(problem.message()).contains("exports to its gateway over grpc")
              .contains("port 4317").doesNotContain("spec.telemetry.protocol");
        });
  }

  /**
   * The operator's OTLP variables come after the user's, and Kubernetes expands only variables
   * declared before: the reference would reach the app as written. Its own downward-API
   * variables come first, so a reference to one of them works.
   */
  @Test
  void aReferenceToAVariableTheOperatorSetsLaterIsNamedWithItsValue() {
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, env: [{name: JAVA_OPTS, "
        + "value: '-Dsvc=$(OTEL_SERVICE_NAME)'}]}"), K8S_1_33)).singleElement()
        .satisfies(problem -> {
          assertThat(problem.field()).isEqualTo("spec.env[0].value");
          assertThat(problem.message()).contains("$(OTEL_SERVICE_NAME)")
              .contains("the operator sets after your variables")
              .contains("OTEL_SERVICE_NAME is orders");
        });
    assertThat(OperatedServiceValidator.validate(object("{image: a:1, env: [{name: POD, "
        + "value: 'pod $(OPERATED_POD_NAME)'}]}"), K8S_1_33)).isEmpty();
  }

  @Test
  void aGracePeriodThatMissesOnlyTheCollectorsFlushIsRefusedToo() {
    String spec = "{image: a:1, telemetry: {mode: sidecar, endpoint: 'http://gw:4317'}, "
        + "shutdown: {drainSeconds: 5, timeoutSeconds: 10, terminationGracePeriodSeconds: 19}}";
    assertThat(OperatedServiceValidator.validate(object(spec), K8S_1_33)).singleElement()
        .satisfies(problem -> assertThat(problem.message())
            .contains("drain 5s + app shutdown 10s + collector flush 5s = 20s"));
  }

  @Test
  void aServiceNameMustBeADns1035Label() {
    var object = object("{image: a:1}");
    object.with("metadata").put("name", "1-orders.v2");
    assertThat(OperatedServiceValidator.validate(object, K8S_1_33)).singleElement()
        .satisfies(problem -> assertThat(problem.field()).isEqualTo("metadata.name"));
  }

  @Test
  void aNameIsRequired() {
    var object = object("{image: a:1}");
    object.with("metadata").remove("name");
    assertThat(OperatedServiceValidator.validate(object, K8S_1_33)).singleElement()
        .satisfies(problem -> assertThat(problem).hasToString("metadata.name: is required: name "
            + "the OperatedService (its Deployment and Service take the name)"));
  }

  @Test
  void aMissingSpecIsNamed() {
    var object = object("{image: a:1}");
    object.remove("spec");
    assertThat(OperatedServiceValidator.validate(object, K8S_1_33))
        .extracting(SpecProblem::field).containsExactly("spec");
  }

  @Test
  void validSpecsPass() {
    assertThat(OperatedServiceValidator.validate(object("{image: a:1}"), K8S_1_33)).isEmpty();
    assertThat(OperatedServiceValidator.validate(object(
        "{image: 'registry.local:5000/team/orders@sha256:" + "a".repeat(64) + "', "
            + "env: [{name: HOST, value: h}, {name: URL, value: 'http://$(HOST)'}, "
            + "{name: LITERAL, value: '$$(NOT_A_REF)'}, "
            + "{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}], "
            + "telemetry: {mode: endpoint, protocol: grpc, endpoint: 'https://c:4317'}, "
            + "podLabels: {team: payments}, podAnnotations: {note: 'any text at all'}, "
            + "resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: 1, memory: 256Mi}}}"),
        K8S_1_33)).isEmpty();
  }
}
