package dev.operated.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alert rules and dashboards: rendered only when asked for (the rules only where the
 * Prometheus Operator's CRD is served), the thresholds taken from the values, lint- and
 * schema-clean, and the same as the plain files in docs/monitoring.
 *
 * <p>Run with {@code -Doperated.updateMonitoringFiles=true} after changing the chart's rules or
 * dashboards to rewrite the plain copies, then review the diff.
 */
class MonitoringChartTest {

  private static final boolean UPDATE = Boolean.getBoolean("operated.updateMonitoringFiles");
  private static final String RULES_HEADER = """
      # Generated from helm/operated/templates/prometheusrule.yaml with the chart's default values
      # (MonitoringChartTest checks it; -Doperated.updateMonitoringFiles=true rewrites it).
      # For a Prometheus without the Prometheus Operator: add it to rule_files, and scrape the
      # operator with job="operated-metrics" and honor_labels: true (docs/monitoring.md).
      """;

  @Test
  void rendersNeitherRulesNorDashboardsUnlessAsked() {
    RenderedChart chart = RenderedChart.render(Map.of());

    assertThat(MonitoringFiles.prometheusRule(chart)).isEmpty();
    assertThat(chart.all(ConfigMap.class)).isEmpty();
  }

  @Test
  void rendersNoPrometheusRuleWhereThePrometheusOperatorsCrdIsNotServed() {
    // helm template here knows no cluster, so it has no monitoring.coreos.com/v1 capability
    RenderedChart chart = RenderedChart.render(Map.of("alerts", Map.of("enabled", true)));

    assertThat(MonitoringFiles.prometheusRule(chart)).isEmpty();
  }

  @Test
  void theRulesTakeTheirThresholdsAndDurationsFromTheValues() {
    JsonNode rules = MonitoringFiles.renderedRules(MonitoringFiles.allOn(Map.of(
        "operatorJob", "my-operator",
        "operator", Map.of("queueBacklog", Map.of("threshold", 7, "for", "3m")),
        "services", Map.of("notReady", Map.of("for", "42m", "severity", "warning"),
            "latency", Map.of("thresholdSeconds", "0.25")))));

    JsonNode backlog = alert(rules, "OperatedOperatorQueueBacklog");
    assertThat(backlog.get("expr").asText()).contains("job=\"my-operator\"").endsWith("> 7");
    assertThat(backlog.get("for").asText()).isEqualTo("3m");
    JsonNode notReady = alert(rules, "OperatedServiceNotReady");
    assertThat(notReady.get("for").asText()).isEqualTo("42m");
    assertThat(notReady.at("/labels/severity").asText()).isEqualTo("warning");
    assertThat(alert(rules, "OperatedServiceLatencyBudgetBurn").get("expr").asText())
        .contains("le=\"0.25\"");
  }

  @Test
  void theOperatorsJobIsItsMetricsServiceByDefault() {
    JsonNode rules = MonitoringFiles.renderedRules(MonitoringFiles.allOn(Map.of()));

    assertThat(alert(rules, "OperatedOperatorDown").get("expr").asText())
        .isEqualTo("absent(up{job=\"operated-metrics\"} == 1)");
  }

  @Test
  void dashboardsAreConfigMapsForGrafanasSidecarHoldingTheJsonFiles() throws IOException {
    RenderedChart chart = RenderedChart.render(Map.of("dashboards", Map.of("enabled", true,
        "namespace", "grafana")));

    List<ConfigMap> maps = chart.all(ConfigMap.class);
    assertThat(maps).extracting(m -> m.getMetadata().getName())
        .containsExactlyInAnyOrder("operated-dashboard-operator", "operated-dashboard-services");
    for (ConfigMap map : maps) {
      assertThat(map.getMetadata().getNamespace()).isEqualTo("grafana");
      assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
      assertThat(map.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Operated");
      String file = map.getData().keySet().iterator().next();
      assertThat(MonitoringFiles.JSON.readTree(map.getData().get(file)))
          .isEqualTo(MonitoringFiles.JSON.readTree(
              MonitoringFiles.CHART_DASHBOARDS.resolve(file).toFile()));
    }
  }

  @Test
  void theSchemaRefusesABadDurationAndAnObjectiveOfOne() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("alerts", Map.of("operator",
        Map.of("down", Map.of("for", "five minutes"))))))
        .hasMessageContaining("for");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("alerts", Map.of("services",
        Map.of("errorRatio", Map.of("objective", 1))))))
        .hasMessageContaining("objective");
    assertThatThrownBy(() -> RenderedChart.render(Map.of("alerts", Map.of("thresholds", 1))))
        .hasMessageContaining("thresholds");
  }

  @Test
  void lintsCleanInStrictModeWithRulesAndDashboardsOn(@TempDir Path copy) throws IOException {
    // helm-java's lint takes no values: lint a copy whose values.yaml switches everything on
    copyChart(RenderedChart.CHART, copy);
    String values = Files.readString(copy.resolve("values.yaml"))
        .replace("  enabled: false\n  # -- Render it even",
            "  enabled: true\n  # -- Render it even")
        .replace("renderWithoutCrd: false", "renderWithoutCrd: true")
        .replace("  # -- Render the dashboard ConfigMaps.\n  enabled: false",
            "  # -- Render the dashboard ConfigMaps.\n  enabled: true");
    Files.writeString(copy.resolve("values.yaml"), values);

    LintResult result = new Helm(copy).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    assertThat(new Helm(copy).template().withKubeVersion(RenderedChart.KUBERNETES_VERSION)
        .call()).contains("kind: PrometheusRule").contains("grafana_dashboard");
  }

  @Test
  void thePlainRulesFileIsTheChartsRuleWithDefaultValues() {
    JsonNode rendered = MonitoringFiles.renderedRules(MonitoringFiles.allOn(Map.of()));
    if (UPDATE) {
      MonitoringFiles.writeYaml(MonitoringFiles.RULES, rendered, RULES_HEADER);
    }

    assertThat(MonitoringFiles.read(MonitoringFiles.RULES))
        .as("docs/monitoring/operated-alerts.yaml is stale: run this test with "
            + "-Doperated.updateMonitoringFiles=true and review the diff")
        .isEqualTo(rendered);
  }

  @Test
  void thePlainDashboardsAreTheChartsDashboards() throws IOException {
    List<Path> dashboards = MonitoringFiles.chartDashboards();
    assertThat(dashboards).hasSize(2);
    for (Path dashboard : dashboards) {
      Path plain = MonitoringFiles.PLAIN_DASHBOARDS.resolve(dashboard.getFileName());
      if (UPDATE) {
        Files.createDirectories(plain.getParent());
        Files.copy(dashboard, plain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      assertThat(plain).as("docs/monitoring/dashboards is stale: run this test with "
          + "-Doperated.updateMonitoringFiles=true").hasSameTextualContentAs(dashboard);
    }
  }

  static JsonNode alert(JsonNode rules, String name) {
    return MonitoringFiles.alerts(rules).stream()
        .filter(rule -> name.equals(rule.get("alert").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no alert " + name));
  }

  private static void copyChart(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
