package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validating admission of custom resources, against the OperatedService CRD as it is shipped
 * ({@code crds/}): every constraint of its schema and every x-kubernetes-validations rule, each
 * side, through the API server with a fabric8 client. A refusal is a 422 {@code Invalid} whose
 * causes name the field, in the words of apiextensions-apiserver
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation
 * and #validation-rules). A constraint added to the CRD fails {@link #everyConstraintIsCovered}
 * until a case here covers it.
 */
class CrdAdmissionConformanceTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static final Path CRD = REPO.resolve("crds/operatedservices.operated.dev-v1.yml");
  private static final String IMAGE = "ghcr.io/acme/orders:1.0";
  private static final AtomicInteger NAMES = new AtomicInteger();
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

  /**
   * One constraint: a spec it accepts, a spec it refuses, and what the refusal names.
   *
   * @param constraint the schema path and keyword ({@code spec.port minimum}) or
   *                   {@code <path> rule} for a CEL rule
   */
  record Case(String constraint, Map<String, Object> accepted, Map<String, Object> refused,
      String field, String reason, String message) {

    @Override
    public String toString() {
      return constraint + " refuses " + refused;
    }
  }

  private static Case range(String path, String bound, Object accepted, Object refused,
      String detail) {
    return new Case(path + " " + bound, at(path, accepted), at(path, refused), path,
        "FieldValueInvalid", path + " in body should be " + detail);
  }

  private static Case pattern(String path, String accepted, String refused) {
    return new Case(path + " pattern", at(path, accepted), at(path, refused), path,
        "FieldValueInvalid", path + " in body should match '");
  }

  private static Case oneOf(String path, String accepted, String refused) {
    return new Case(path + " enum", at(path, accepted), at(path, refused), path,
        "FieldValueNotSupported", "Unsupported value: \"" + refused + "\": supported values: ");
  }

  private static Case intOrString(String path, String accepted) {
    return new Case(path + " x-kubernetes-int-or-string", at(path, accepted), at(path, true),
        path.replace("{}", ".key"), "FieldValueTypeInvalid",
        "Invalid value: true: " + path.replace("{}", ".key")
            + " in body must be of type integer,string: \"boolean\"");
  }

  private static Map<String, Object> claims(String... names) {
    return Map.of("claims", Stream.of(names).map(name -> Map.of("name", name)).toList());
  }

  private static Map<String, Object> collector(Map<String, Object> collector) {
    return Map.of("telemetry", Map.of("mode", "sidecar", "endpoint", "http://gateway:4318",
        "collector", collector));
  }

  private static Case claimsRequired(String path, Map<String, Object> accepted) {
    Map<String, Object> refused = withImage(replaceClaims(accepted, List.of(Map.of())));
    return new Case(path + "[] required", withImage(accepted), refused, path + "[0].name",
        "FieldValueRequired", "Required value");
  }

  private static Case claimsListType(String path, Map<String, Object> refused) {
    Map<String, Object> accepted = replaceClaims(refused, List.of(Map.of("name", "gpu")));
    return new Case(path + " x-kubernetes-list-type", withImage(accepted), withImage(refused),
        path + "[1]", "FieldValueDuplicate",
        "Duplicate value: map[string]interface {}{\"name\":\"gpu\"}");
  }

  /** The same spec with its claims list (wherever it is) replaced. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> replaceClaims(Map<String, Object> spec, Object claims) {
    Map<String, Object> copy = new LinkedHashMap<>();
    spec.forEach((key, value) -> copy.put(key, key.equals("claims") ? claims
        : value instanceof Map<?, ?> nested ? replaceClaims((Map<String, Object>) nested, claims)
        : value));
    return copy;
  }

  static Stream<Case> cases() {
    List<Map<String, Object>> env256 = new ArrayList<>();
    for (int i = 0; i < 257; i++) {
      env256.add(Map.of("name", "E" + i, "value", "x"));
    }
    return Stream.of(
        new Case("spec required", Map.of("image", IMAGE), Map.of("replicas", 1), "spec.image",
            "FieldValueRequired", "Required value"),
        range("spec.image", "minLength", IMAGE, "", "at least 1 chars long"),
        new Case("spec.image maxLength", Map.of("image", "a".repeat(512)),
            Map.of("image", "a".repeat(513)), "spec.image", "FieldValueTooLong",
            "Too long: may not be more than 512 bytes"),
        pattern("spec.image", IMAGE, "orders 1.0"),
        new Case("spec.env maxItems", withImage("env", env256.subList(0, 256)),
            withImage("env", env256), "spec.env", "FieldValueTooMany",
            "Too many: 257: must have at most 256 items"),
        // required so that an entry has its key, as a structural schema needs for a map list
        new Case("spec.env[] required", withImage("env", List.of(Map.of("name", "A"))),
            withImage("env", List.of(Map.of("value", "x"))), "spec.env[0].name",
            "FieldValueRequired", "Required value"),
        // ValidateListSetsAndMaps (apiextensions-apiserver schema/listtype): a key once
        new Case("spec.env x-kubernetes-list-type", withImage("env", List.of(
            Map.of("name", "A", "value", "x"), Map.of("name", "B", "value", "x"))),
            withImage("env", List.of(Map.of("name", "A", "value", "x"),
                Map.of("name", "A", "value", "y"))), "spec.env[1]", "FieldValueDuplicate",
            "Duplicate value: map[string]interface {}{\"name\":\"A\"}"),
        claimsRequired("spec.resources.claims", Map.of("resources", claims("gpu"))),
        claimsListType("spec.resources.claims", Map.of("resources", claims("gpu", "gpu"))),
        claimsRequired("spec.telemetry.collector.resources.claims",
            collector(Map.of("resources", claims("gpu")))),
        claimsListType("spec.telemetry.collector.resources.claims",
            collector(Map.of("resources", claims("gpu", "gpu")))),
        new Case("spec.env[].valueFrom.resourceFieldRef.divisor x-kubernetes-int-or-string",
            withImage("env", List.of(divisor("1m"))), withImage("env", List.of(divisor(true))),
            "spec.env[0].valueFrom.resourceFieldRef.divisor", "FieldValueTypeInvalid",
            "must be of type integer,string"),
        pattern("spec.health.livenessPath", "/live", "live"),
        range("spec.health.port", "minimum", 1, 0, "greater than or equal to 1"),
        range("spec.health.port", "maximum", 65535, 65536, "less than or equal to 65535"),
        pattern("spec.health.readinessPath", "/ready", "ready me"),
        range("spec.health.startupSeconds", "minimum", 1, 0, "greater than or equal to 1"),
        range("spec.health.startupSeconds", "maximum", 3600, 3601, "less than or equal to 3600"),
        oneOf("spec.mesh", "istio", "consul"),
        pattern("spec.metrics.path", "/metrics", "metrics"),
        range("spec.metrics.port", "minimum", 1, 0, "greater than or equal to 1"),
        range("spec.metrics.port", "maximum", 65535, 65536, "less than or equal to 65535"),
        oneOf("spec.metrics.scrape", "serviceMonitor", "ServiceMonitor"),
        range("spec.port", "minimum", 1, 0, "greater than or equal to 1"),
        range("spec.port", "maximum", 65535, 65536, "less than or equal to 65535"),
        range("spec.replicas", "minimum", 0, -1, "greater than or equal to 0"),
        range("spec.replicas", "maximum", 1000, 1001, "less than or equal to 1000"),
        intOrString("spec.resources.limits{}", "500m"),
        intOrString("spec.resources.requests{}", "64Mi"),
        range("spec.shutdown.drainSeconds", "minimum", 0, -1, "greater than or equal to 0"),
        range("spec.shutdown.drainSeconds", "maximum", 300, 301, "less than or equal to 300"),
        range("spec.shutdown.terminationGracePeriodSeconds", "minimum", 30, 0,
            "greater than or equal to 1"),
        range("spec.shutdown.terminationGracePeriodSeconds", "maximum", 7200, 7201,
            "less than or equal to 7200"),
        range("spec.shutdown.timeoutSeconds", "minimum", 0, -1, "greater than or equal to 0"),
        range("spec.shutdown.timeoutSeconds", "maximum", 3600, 3601,
            "less than or equal to 3600"),
        pattern("spec.telemetry.collector.image", "otel/collector:0.1", "otel collector"),
        intOrString("spec.telemetry.collector.resources.limits{}", "1"),
        intOrString("spec.telemetry.collector.resources.requests{}", "100m"),
        new Case("spec.telemetry.endpoint maxLength",
            at("spec.telemetry", Map.of("mode", "endpoint", "endpoint",
                "http://c/" + "a".repeat(2039))),
            at("spec.telemetry", Map.of("mode", "endpoint", "endpoint",
                "http://c/" + "a".repeat(2040))),
            "spec.telemetry.endpoint", "FieldValueTooLong", "may not be more than 2048 bytes"),
        new Case("spec.telemetry.endpoint pattern",
            at("spec.telemetry", Map.of("mode", "endpoint", "endpoint", "http://otel:4318")),
            at("spec.telemetry", Map.of("mode", "endpoint", "endpoint", "otel:4318")),
            "spec.telemetry.endpoint", "FieldValueInvalid", "in body should match '"),
        oneOf("spec.telemetry.mode", "node", "agent"),
        oneOf("spec.telemetry.protocol", "grpc", "http"),
        range("spec.telemetry.samplingRatio", "minimum", 0, -0.1, "greater than or equal to 0"),
        range("spec.telemetry.samplingRatio", "maximum", 1, 1.5, "less than or equal to 1"),
        new Case("spec.health rule", at("spec.health", Map.of("livenessPath", "/live",
            "readinessPath", "/ready")), at("spec.health", Map.of("livenessPath", "/health",
            "readinessPath", "/health")), "spec.health.readinessPath", "FieldValueInvalid",
            "Invalid value: \"object\": livenessPath and readinessPath must differ"),
        // the schema's defaults (drain 5, timeout 10) are what the rule sees
        new Case("spec.shutdown rule",
            at("spec.shutdown.terminationGracePeriodSeconds", 15),
            at("spec.shutdown.terminationGracePeriodSeconds", 14),
            "spec.shutdown.terminationGracePeriodSeconds", "FieldValueInvalid",
            "terminationGracePeriodSeconds (14) must cover drainSeconds + timeoutSeconds "
                + "(5 + 10 = 15)"),
        new Case("spec.telemetry rule (endpoint required)",
            at("spec.telemetry", Map.of("mode", "endpoint", "endpoint", "http://otel:4318")),
            at("spec.telemetry", Map.of("mode", "endpoint")), "spec.telemetry.endpoint",
            "FieldValueRequired", "Required value: endpoint is required when mode is endpoint"),
        new Case("spec.telemetry rule (endpoint forbidden)",
            at("spec.telemetry", Map.of("mode", "sidecar", "endpoint", "http://gw:4318")),
            at("spec.telemetry", Map.of("mode", "node", "endpoint", "http://otel:4318")),
            "spec.telemetry.endpoint", "FieldValueForbidden",
            "Forbidden: endpoint is only used when mode is endpoint or sidecar"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theAcceptedSideIsStored(Case constraint) {
    GenericKubernetesResource created = operatedServices()
        .resource(operatedService(constraint.accepted())).create();

    assertThat(created.getMetadata().getUid()).isNotBlank();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theRefusedSideIsA422NamingTheField(Case constraint) {
    GenericKubernetesResource refused = operatedService(constraint.refused());
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(refused).create());

    assertThat(error).as("refused").isNotNull();
    Status status = error.getStatus();
    assertThat(status.getCode()).isEqualTo(422);
    assertThat(status.getReason()).isEqualTo("Invalid");
    assertThat(status.getMessage()).startsWith("OperatedService.operated.dev \""
        + refused.getMetadata().getName() + "\" is invalid: ");
    assertThat(status.getDetails().getKind()).isEqualTo("OperatedService");
    assertThat(status.getDetails().getGroup()).isEqualTo("operated.dev");
    assertThat(status.getDetails().getName()).isEqualTo(refused.getMetadata().getName());
    assertThat(status.getDetails().getCauses())
        .anySatisfy(cause -> {
          assertThat(cause.getField()).isEqualTo(constraint.field());
          assertThat(cause.getReason()).isEqualTo(constraint.reason());
          assertThat(cause.getMessage()).contains(constraint.message());
        });
    assertThat(operatedServices().withName(refused.getMetadata().getName()).get()).isNull();
  }

  /** The example of apimachinery's errors.NewInvalid, word for word. */
  @Test
  void theMessageIsTheApiServersWordForWord() {
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(operatedService("x", Map.of("image", IMAGE,
            "replicas", -1))).create());

    assertThat(error.getStatus().getMessage()).isEqualTo("OperatedService.operated.dev \"x\" is "
        + "invalid: spec.replicas: Invalid value: -1: spec.replicas in body should be greater "
        + "than or equal to 0");
    StatusCause cause = error.getStatus().getDetails().getCauses().get(0);
    assertThat(cause.getMessage()).isEqualTo("Invalid value: -1: spec.replicas in body should "
        + "be greater than or equal to 0");
  }

  /**
   * A value of the wrong type blocks the CEL rules, and the refusal says so last
   * (customResourceStrategy.Validate, {@code hasBlockingErr}: {@code field.Invalid(nil, nil, ...)},
   * whose nil path prints {@code <nil>} and nil value the quoted string "null", as field.Error's
   * ErrorBody prints any nil BadValue).
   */
  @Test
  void aBlockedRuleCheckIsWordedAsTheApiServerWordsIt() {
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(operatedService("blocked", Map.of("image", IMAGE,
            "replicas", "two"))).create());

    assertThat(error.getStatus().getDetails().getCauses()).extracting(StatusCause::getField,
        StatusCause::getMessage).contains(
            org.assertj.core.groups.Tuple.tuple("<nil>", "Invalid value: \"null\": some "
                + "validation rules were not checked because the object was invalid; correct "
                + "the existing errors to complete validation"));
    assertThat(error.getStatus().getDetails().getCauses()).last()
        .extracting(StatusCause::getField).isEqualTo("<nil>");
  }

  /** Several problems at once: every one a cause, the message lists them in brackets. */
  @Test
  void everyProblemIsReportedAtOnce() {
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(operatedService("several", Map.of("image", IMAGE,
            "replicas", -1, "port", 0))).create());

    assertThat(error.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
        .containsExactlyInAnyOrder("spec.replicas", "spec.port");
    assertThat(error.getStatus().getMessage()).contains(": [spec.");
  }

  /** An update is validated too; a problem it does not touch does not refuse it (ratcheting). */
  @Test
  void updatesAreValidatedOnWhatTheyChange() {
    GenericKubernetesResource stored = operatedServices()
        .resource(operatedService("updated", Map.of("image", IMAGE))).create();
    stored.setAdditionalProperty("spec", Map.of("image", IMAGE, "replicas", 2000));

    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(stored).update());

    assertThat(error.getCode()).isEqualTo(422);
    assertThat(error.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
        .containsExactly("spec.replicas");
  }

  /**
   * Repeats ratchet as a whole, not by field: customResourceStrategy.ValidateUpdate reports the
   * new object's ValidateListSetsAndMaps errors when the old object had none, so an update that
   * makes an unchanged entry a repeat (spec.env[1] below is the same before and after) is
   * refused.
   */
  @Test
  void anUpdateThatRepeatsANameIsRefusedThoughTheRepeatedEntryIsUnchanged() {
    GenericKubernetesResource stored = operatedServices().resource(operatedService("repeated",
        withImage("env", List.of(Map.of("name", "A", "value", "x"),
            Map.of("name", "B", "value", "y"))))).create();
    stored.setAdditionalProperty("spec", withImage("env", List.of(
        Map.of("name", "B", "value", "y"), Map.of("name", "B", "value", "y"))));

    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(stored).update());

    assertThat(error.getCode()).isEqualTo(422);
    assertThat(error.getStatus().getDetails().getCauses()).extracting(StatusCause::getField,
        StatusCause::getReason).containsExactly(
            org.assertj.core.groups.Tuple.tuple("spec.env[1]", "FieldValueDuplicate"));
  }

  /** Structural defaults are stored, and what CEL sees is the defaulted object. */
  @Test
  void schemaDefaultsAreStored() {
    GenericKubernetesResource created = operatedServices().resource(operatedService("defaults",
        Map.of("image", IMAGE, "shutdown", Map.of()))).create();

    @SuppressWarnings("unchecked")
    Map<String, Object> shutdown = (Map<String, Object>) ((Map<String, Object>)
        created.getAdditionalProperties().get("spec")).get("shutdown");
    assertThat(shutdown).containsEntry("drainSeconds", 5).containsEntry("timeoutSeconds", 10)
        .containsEntry("imageHasShell", false);
  }

  /**
   * The status's constraints, written through the status subresource (a create drops the status
   * of a kind with one: customResourceStrategy.PrepareForCreate). Each case's maps are statuses.
   */
  static Stream<Case> statusCases() {
    Map<String, Object> ready = condition("Ready");
    return Stream.of(
        new Case("status.conditions[] required",
            Map.of("conditions", List.of(ready)),
            Map.of("conditions", List.of(Map.of("status", "True"))),
            "status.conditions[0].type", "FieldValueRequired", "Required value"),
        // ValidateListSetsAndMaps, as for spec.env: a type once
        new Case("status.conditions x-kubernetes-list-type",
            Map.of("conditions", List.of(ready, condition("PolicyCompliant"))),
            Map.of("conditions", List.of(ready, condition("Ready"))),
            "status.conditions[1]", "FieldValueDuplicate",
            "Duplicate value: map[string]interface {}{\"type\":\"Ready\"}"));
  }

  private static Map<String, Object> condition(String type) {
    return Map.of("type", type, "status", "True", "reason", "Checked", "message", "",
        "lastTransitionTime", "2026-12-04T00:00:00Z");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusCases")
  void aStatusUpdateIsValidatedToo(Case constraint) {
    GenericKubernetesResource stored = operatedServices()
        .resource(operatedService(Map.of("image", IMAGE))).create();

    stored.setAdditionalProperty("status", constraint.accepted());
    GenericKubernetesResource accepted = operatedServices().resource(stored).updateStatus();
    assertThat(accepted.getAdditionalProperties().get("status")).isEqualTo(constraint.accepted());

    accepted.setAdditionalProperty("status", constraint.refused());
    KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class,
        () -> operatedServices().resource(accepted).updateStatus());
    assertThat(error).as("refused").isNotNull();
    assertThat(error.getCode()).isEqualTo(422);
    assertThat(error.getStatus().getDetails().getCauses()).anySatisfy(cause -> {
      assertThat(cause.getField()).isEqualTo(constraint.field());
      assertThat(cause.getReason()).isEqualTo(constraint.reason());
      assertThat(cause.getMessage()).contains(constraint.message());
    });
    assertThat(operatedServices().withName(stored.getMetadata().getName()).get()
        .getAdditionalProperties().get("status")).as("the refused status is not stored")
        .isEqualTo(constraint.accepted());
  }

  /** Every constraint of the shipped CRD has a case above. */
  @Test
  void everyConstraintIsCovered() throws IOException {
    JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(CRD.toFile());
    Set<String> constraints = new LinkedHashSet<>();
    collect("", crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema"),
        constraints);
    Set<String> covered = new LinkedHashSet<>();
    Stream.concat(cases(), statusCases())
        .forEach(c -> covered.add(c.constraint().replaceFirst(" \\(.*\\)$", "")));

    assertThat(covered).containsAll(constraints);
  }

  private static void collect(String path, JsonNode schema, Set<String> constraints) {
    for (String keyword : List.of("minimum", "maximum", "pattern", "enum", "minLength",
        "maxLength", "maxItems", "minItems", "required", "maxProperties",
        "x-kubernetes-int-or-string", "x-kubernetes-list-type")) {
      if (schema.has(keyword)) {
        constraints.add(path + " " + keyword);
      }
    }
    if (schema.has("x-kubernetes-validations")) {
      constraints.add(path + " rule");
    }
    Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> property = properties.next();
      collect(path.isEmpty() ? property.getKey() : path + "." + property.getKey(),
          property.getValue(), constraints);
    }
    if (schema.has("items")) {
      collect(path + "[]", schema.get("items"), constraints);
    }
    if (schema.path("additionalProperties").isObject()) {
      collect(path + "{}", schema.get("additionalProperties"), constraints);
    }
  }

  /** A spec: the image and the value at the path ({@code spec.health.port}, {@code x{}}). */
  private static Map<String, Object> at(String path, Object value) {
    List<String> names = new ArrayList<>(List.of(path.replaceFirst("^spec\\.", "").split("\\.")));
    Object nested = value;
    Collections.reverse(names);
    for (String name : names) {
      nested = name.endsWith("{}") ? Map.of(name.substring(0, name.length() - 2),
          Map.of("key", nested)) : Map.of(name, nested);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = new HashMap<>((Map<String, Object>) nested);
    spec.putIfAbsent("image", IMAGE);
    return spec;
  }

  private static Map<String, Object> withImage(Map<String, Object> spec) {
    Map<String, Object> copy = new LinkedHashMap<>(spec);
    copy.put("image", IMAGE);
    return copy;
  }

  private static Map<String, Object> withImage(String field, Object value) {
    return Map.of("image", IMAGE, field, value);
  }

  private static Map<String, Object> divisor(Object divisor) {
    return Map.of("name", "CPU", "valueFrom", Map.of("resourceFieldRef",
        Map.of("resource", "limits.cpu", "divisor", divisor)));
  }

  private static GenericKubernetesResource operatedService(Map<String, Object> spec) {
    return operatedService("osvc-" + NAMES.incrementAndGet(), spec);
  }

  private static GenericKubernetesResource operatedService(String name,
      Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder().withApiVersion("operated.dev/v1alpha1")
        .withKind("OperatedService").withNewMetadata().withName(name).withNamespace("default")
        .endMetadata().addToAdditionalProperties("spec", new LinkedHashMap<>(spec)).build();
  }

  private static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> operatedServices() {
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup("operated.dev").withVersion("v1alpha1").withKind("OperatedService")
        .withPlural("operatedservices").withNamespaced(true).build());
  }
}
