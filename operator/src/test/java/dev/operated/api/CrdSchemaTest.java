package dev.operated.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class CrdSchemaTest {

  private final CustomResourceDefinition crd = GeneratedCrd.load();
  private final CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
  private final JSONSchemaProps spec = GeneratedCrd.specSchema();

  @Test
  void namesTheResourceAsDesigned() {
    assertThat(crd.getMetadata().getName()).isEqualTo("operatedservices.operated.dev");
    assertThat(crd.getSpec().getGroup()).isEqualTo("operated.dev");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("OperatedService");
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("operatedservices");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("osvc");
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getServed()).isTrue();
    assertThat(version.getStorage()).isTrue();
  }

  @Test
  void hasTheStatusSubresourceAndThePrinterColumns() {
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(c -> c.getName(), c -> c.getJsonPath(), c -> c.getType())
        .containsExactly( // kubectl get osvc: NAME READY REASON AGE
            tuple("Ready", ".status.ready", "string"),
            tuple("Reason", ".status.conditions[?(@.type==\"Ready\")].reason", "string"),
            tuple("Age", ".metadata.creationTimestamp", "date"));
  }

  @Test
  void requiresTheImageAndValidatesFieldsInTheSchema() {
    assertThat(spec.getRequired()).containsExactly("image");
    JSONSchemaProps shutdown = spec.getProperties().get("shutdown");
    assertThat(shutdown.getProperties().get("drainSeconds").getMinimum()).isEqualTo(0.0);
    assertThat(spec.getProperties().get("port").getMaximum()).isEqualTo(65535.0);
    assertThat(spec.getProperties().get("mesh").getEnum()).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("auto", "istio", "linkerd", "none");
    assertThat(spec.getProperties().get("telemetry").getProperties().get("mode").getEnum())
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("none", "endpoint", "node", "sidecar");
    assertThat(spec.getProperties().get("health").getProperties().get("livenessPath")
        .getPattern()).isEqualTo(ApiPatterns.PROBE_PATH);
    assertThat(spec.getProperties().get("metrics").getProperties().get("path")
        .getPattern()).isEqualTo(ApiPatterns.HTTP_PATH);
  }

  @Test
  void schemaDefaultsAreTheContractDefaults() {
    assertThat(spec.getProperties().get("port").getDefault().asInt())
        .isEqualTo(ContractDefaults.PORT);
    JSONSchemaProps health = spec.getProperties().get("health");
    assertThat(health.getProperties().get("livenessPath").getDefault().asText())
        .isEqualTo(ContractDefaults.LIVENESS_PATH);
    assertThat(health.getProperties().get("readinessPath").getDefault().asText())
        .isEqualTo(ContractDefaults.READINESS_PATH);
    assertThat(spec.getProperties().get("metrics").getProperties().get("path").getDefault()
        .asText()).isEqualTo(ContractDefaults.METRICS_PATH);
    JSONSchemaProps shutdown = spec.getProperties().get("shutdown");
    assertThat(shutdown.getProperties().get("drainSeconds").getDefault().asInt())
        .isEqualTo(ContractDefaults.DRAIN_SECONDS);
    assertThat(shutdown.getProperties().get("timeoutSeconds").getDefault().asInt())
        .isEqualTo(ContractDefaults.SHUTDOWN_TIMEOUT_SECONDS);
  }

  /** apiextensions.k8s.io/v1 refuses a CRD whose schema is not structural. */
  @Test
  void schemaIsStructural() {
    List<String> problems = new ArrayList<>();
    walk("", GeneratedCrd.rootSchema(), (path, node) -> {
      boolean intOrString = Boolean.TRUE.equals(node.getXKubernetesIntOrString());
      boolean preserve = Boolean.TRUE.equals(node.getXKubernetesPreserveUnknownFields());
      if (node.getType() == null && !intOrString && !preserve) {
        problems.add(path + " has no type");
      }
      for (List<JSONSchemaProps> junctor : List.of(nullToEmpty(node.getAnyOf()),
          nullToEmpty(node.getAllOf()), nullToEmpty(node.getOneOf()))) {
        for (JSONSchemaProps branch : junctor) {
          boolean allowedIntOrString = intOrString
              && List.of("integer", "string").contains(branch.getType());
          if (branch.getType() != null && !allowedIntOrString) {
            problems.add(path + " sets a type inside anyOf/allOf/oneOf");
          }
          if (branch.getDefault() != null || branch.getDescription() != null) {
            problems.add(path + " sets default or description inside anyOf/allOf/oneOf");
          }
        }
      }
      if ("object".equals(node.getType()) && !node.getProperties().isEmpty()
          && node.getAdditionalProperties() != null
          && node.getAdditionalProperties().getSchema() != null) {
        problems.add(path + " has both properties and additionalProperties");
      }
    });
    assertThat(problems).isEmpty();
  }

  /** A default the API server would have to prune or refuse is a bug in the model. */
  @Test
  void everyDefaultIsValidForItsOwnNode() {
    List<String> problems = new ArrayList<>();
    walk("", GeneratedCrd.rootSchema(), (path, node) -> {
      JsonNode value = node.getDefault();
      if (value == null) {
        return;
      }
      boolean typeMatches = switch (node.getType()) {
        case "integer" -> value.isIntegralNumber();
        case "number" -> value.isNumber();
        case "string" -> value.isTextual();
        case "boolean" -> value.isBoolean();
        case "object" -> value.isObject();
        case "array" -> value.isArray();
        default -> false;
      };
      if (!typeMatches) {
        problems.add(path + " default " + value + " is not a " + node.getType());
      }
      if (!node.getEnum().isEmpty() && !node.getEnum().contains(value)) {
        problems.add(path + " default " + value + " is not one of " + node.getEnum());
      }
      if (value.isNumber() && node.getMinimum() != null
          && value.decimalValue().compareTo(BigDecimal.valueOf(node.getMinimum())) < 0) {
        problems.add(path + " default below minimum");
      }
      if (value.isNumber() && node.getMaximum() != null
          && value.decimalValue().compareTo(BigDecimal.valueOf(node.getMaximum())) > 0) {
        problems.add(path + " default above maximum");
      }
      if (value.isTextual() && node.getPattern() != null
          && !value.asText().matches(node.getPattern())) {
        problems.add(path + " default does not match " + node.getPattern());
      }
    });
    assertThat(problems).isEmpty();
  }

  /** So that `kubectl explain operatedservice.spec.<field>` says what each of our fields does. */
  @Test
  void everyFieldOfOurOwnSpecIsDescribed() {
    List<String> undescribed = new ArrayList<>();
    for (String section : List.of("", "health", "metrics", "telemetry", "telemetry.collector",
        "shutdown")) {
      JSONSchemaProps node = spec;
      for (String part : section.isEmpty() ? new String[0] : section.split("\\.")) {
        node = node.getProperties().get(part);
      }
      node.getProperties().forEach((name, property) -> {
        if (property.getDescription() == null || property.getDescription().length() < 20) {
          undescribed.add(section + "." + name);
        }
      });
    }
    assertThat(undescribed).isEmpty();
  }

  private static List<JSONSchemaProps> nullToEmpty(List<JSONSchemaProps> list) {
    return list == null ? List.of() : list;
  }

  private static void walk(String path, JSONSchemaProps node,
      BiConsumer<String, JSONSchemaProps> visitor) {
    visitor.accept(path.isEmpty() ? "<root>" : path, node);
    if (node.getProperties() != null) {
      node.getProperties().forEach((name, child) -> walk(path + "." + name, child, visitor));
    }
    if (node.getItems() != null && node.getItems().getSchema() != null) {
      walk(path + "[]", node.getItems().getSchema(), visitor);
    }
    if (node.getAdditionalProperties() != null
        && node.getAdditionalProperties().getSchema() != null) {
      walk(path + "{}", node.getAdditionalProperties().getSchema(), visitor);
    }
  }
}
