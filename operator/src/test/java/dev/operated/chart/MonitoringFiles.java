package dev.operated.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The monitoring the chart ships, and its plain copies under docs/monitoring for setups without
 * the Prometheus Operator or Grafana's sidecar. The chart is the source: the plain rules file is
 * the PrometheusRule rendered with the default values.
 */
final class MonitoringFiles {

  static final Path DOCS = RenderedChart.CHART.getParent().getParent().resolve("docs");
  static final Path RULES = DOCS.resolve("monitoring").resolve("operated-alerts.yaml");
  static final Path RULE_TESTS = DOCS.resolve("monitoring").resolve("operated-alerts-test.yaml");
  static final Path PLAIN_DASHBOARDS = DOCS.resolve("monitoring").resolve("dashboards");
  static final Path CHART_DASHBOARDS = RenderedChart.CHART.resolve("dashboards");
  static final Path RUNBOOK = DOCS.resolve("runbook.md");

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES));
  static final ObjectMapper JSON = new ObjectMapper();

  /** Everything on, and the rule rendered although this Helm sees no PrometheusRule CRD. */
  static Map<String, Object> allOn(Map<String, Object> alertValues) {
    Map<String, Object> alerts = new java.util.HashMap<>(alertValues);
    alerts.put("enabled", true);
    alerts.put("renderWithoutCrd", true);
    return Map.of("alerts", alerts, "dashboards", Map.of("enabled", true));
  }

  /** The spec (groups) of the chart's PrometheusRule, rendered with these values. */
  static JsonNode renderedRules(Map<String, Object> values) {
    List<JsonNode> rules = new java.util.ArrayList<>();
    try (var documents = YAML.readerFor(JsonNode.class)
        .<JsonNode>readValues(RenderedChart.template(values, true))) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && "PrometheusRule".equals(document.path("kind").asText())) {
          rules.add(document.get("spec"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (rules.size() != 1) {
      throw new AssertionError("expected one PrometheusRule, got " + rules.size());
    }
    return rules.get(0);
  }

  static Optional<HasMetadata> prometheusRule(RenderedChart chart) {
    return chart.objects().stream().filter(o -> "PrometheusRule".equals(o.getKind()))
        .findFirst();
  }

  static JsonNode read(Path file) {
    try {
      return file.toString().endsWith(".json") ? JSON.readTree(file.toFile())
          : YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeYaml(Path file, JsonNode content, String header) {
    try {
      Files.writeString(file, header + YAML.writeValueAsString(content));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> chartDashboards() {
    try (Stream<Path> files = Files.list(CHART_DASHBOARDS)) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every alerting rule of a rules file (groups[].rules[] with an alert name). */
  static List<JsonNode> alerts(JsonNode groups) {
    return rules(groups).filter(rule -> rule.has("alert")).toList();
  }

  static Stream<JsonNode> rules(JsonNode groups) {
    return Stream.of(groups.get("groups")).flatMap(g -> java.util.stream.StreamSupport
        .stream(g.spliterator(), false))
        .flatMap(group -> java.util.stream.StreamSupport.stream(group.get("rules")
            .spliterator(), false));
  }

  private MonitoringFiles() {
  }
}
