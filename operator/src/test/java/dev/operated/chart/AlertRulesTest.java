package dev.operated.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alert rules and dashboard queries, checked by Prometheus' own promtool: every
 * expression parses, every alert fires and stays quiet where its unit tests say, and every alert
 * tells the person paged what to do. promtool comes from Debian's prometheus package (.ci/run
 * installs it); these tests are skipped, by name, only where it is absent.
 */
class AlertRulesTest {

  static final String PROMTOOL = "promtool";

  @Test
  void promtoolFindsEveryRuleValid(@TempDir Path dir) throws Exception {
    assumePromtool();
    assertThat(promtool("check", "rules", MonitoringFiles.RULES.toString())).isEmpty();

    // other values render other PromQL: check it parses too
    Path custom = dir.resolve("custom.yaml");
    MonitoringFiles.writeYaml(custom, MonitoringFiles.renderedRules(MonitoringFiles.allOn(Map.of(
        "operatorJob", "ops/operated",
        "services", Map.of("latency", Map.of("thresholdSeconds", "0.25", "longWindow", "6h"),
            "errorRatio", Map.of("objective", 0.99, "burnRate", 6))))), "");
    assertThat(promtool("check", "rules", custom.toString())).isEmpty();
  }

  @Test
  void everyAlertPassesItsPromtoolUnitTests() throws Exception {
    assumePromtool();
    assertThat(promtool("test", "rules", MonitoringFiles.RULE_TESTS.toString())).isEmpty();
  }

  @Test
  void everyAlertHasAUnitTestWhereItFiresAndOneWhereItStaysQuiet() {
    JsonNode tests = MonitoringFiles.read(MonitoringFiles.RULE_TESTS);
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (JsonNode test : tests.get("tests")) {
      for (JsonNode check : test.get("alert_rule_test")) {
        (check.get("exp_alerts").isEmpty() ? quiet : firing).add(check.get("alertname").asText());
      }
    }
    Set<String> alerts = alertNames(MonitoringFiles.read(MonitoringFiles.RULES));

    assertThat(alerts).hasSize(13);
    assertThat(firing).as("alerts with a firing case").containsAll(alerts);
    assertThat(quiet).as("alerts with a quiet case").containsAll(alerts);
  }

  @Test
  void everyAlertSaysWhatIsWrongAndWhatToDoWithARunbookSection() throws IOException {
    Set<String> anchors = Files.readAllLines(MonitoringFiles.RUNBOOK).stream()
        .filter(line -> line.startsWith("## "))
        .map(line -> line.substring(3).strip().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());

    for (JsonNode alert : MonitoringFiles.alerts(MonitoringFiles.read(MonitoringFiles.RULES))) {
      String name = alert.get("alert").asText();
      assertThat(alert.at("/annotations/summary").asText()).as(name + " summary").isNotBlank();
      assertThat(alert.at("/annotations/description").asText()).as(name + " description")
          .hasSizeGreaterThan(60);
      assertThat(alert.at("/labels/severity").asText()).as(name + " severity")
          .isIn("warning", "critical");
      String runbook = alert.at("/annotations/runbook_url").asText();
      assertThat(runbook).as(name + " runbook_url").endsWith("docs/runbook.md#"
          + name.toLowerCase(Locale.ROOT));
      assertThat(anchors).as("a '## " + name + "' section in docs/runbook.md")
          .contains(name.toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void everyDashboardQueryParses(@TempDir Path dir) throws Exception {
    assumePromtool();
    ObjectNode file = MonitoringFiles.JSON.createObjectNode();
    ArrayNode rules = file.putArray("groups").addObject().put("name", "dashboards")
        .putArray("rules");
    List<String> expressions = new ArrayList<>();
    for (Path dashboard : MonitoringFiles.chartDashboards()) {
      expressions.addAll(dashboardExpressions(MonitoringFiles.read(dashboard)));
    }
    for (int i = 0; i < expressions.size(); i++) {
      rules.addObject().put("record", "dashboard_query_" + i)
          .put("expr", withGrafanaVariablesReplaced(expressions.get(i)));
    }
    Path generated = dir.resolve("dashboards.rules.yaml");
    MonitoringFiles.writeYaml(generated, file, "");

    assertThat(expressions).hasSizeGreaterThan(15);
    assertThat(promtool("check", "rules", generated.toString())).isEmpty();
  }

  /** Every target's expr and every query variable's query of a Grafana dashboard. */
  static List<String> dashboardExpressions(JsonNode dashboard) {
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      panel.path("targets").forEach(target -> expressions.add(target.get("expr").asText()));
    }
    return expressions;
  }

  /** What Grafana substitutes before sending the query: a range, and a regex for each choice. */
  static String withGrafanaVariablesReplaced(String expression) {
    return expression.replace("$__rate_interval", "5m").replaceAll("\\$[a-z]+", ".*");
  }

  static Set<String> alertNames(JsonNode rules) {
    return MonitoringFiles.alerts(rules).stream().map(a -> a.get("alert").asText())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static void assumePromtool() {
    assumeTrue(promtoolInstalled(), "promtool is not installed (Debian: apt-get install "
        + "prometheus; .ci/run does it), so the rules are not checked by promtool here");
  }

  private static boolean promtoolInstalled() {
    try {
      Process process = new ProcessBuilder(PROMTOOL, "--version").redirectErrorStream(true)
          .start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs promtool; returns "" when it succeeds, else everything it said. */
  static String promtool(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PROMTOOL));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "promtool did not finish within 120 s: " + output;
    }
    return process.exitValue() == 0 ? "" : String.join(" ", command) + " failed:\n" + output;
  }
}
