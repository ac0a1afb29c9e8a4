package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every series name and label the shipped alert rules and dashboards read is one our code
 * really exports, or one listed in docs/monitoring/external-series.yaml with the component that
 * defines it. The operator runs in its production configuration on the embedded API server and
 * reconciles the sample until Ready; the real sample-service serves a few requests (a 200, a
 * 404, a 500); both are scraped, and every selector, matcher, grouping label and
 * label_replace source of the rules and dashboard queries is looked up in what they returned.
 */
class MonitoredSeriesExistTest {

  private static final Path MONITORING = Examples.REPO.resolve("docs").resolve("monitoring");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** Grafana's label_values(selector, label) and label_values(label) variable queries. */
  /** {{ $labels.x }} in an alert's annotations, {{x}} in a panel's legend. */
  private static final Pattern ANNOTATION_LABEL = Pattern.compile("\\$labels\\.([a-zA-Z_]\\w*)");
  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_]\\w*)\\s*}}");
  private static final Pattern LABEL_VALUES = Pattern.compile(
      "label_values\\((?:(.*),\\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\\)");

  private static EmbeddedCluster cluster;
  private static KubernetesClient client;
  private static KubernetesClient operatorClient;
  private static OperatorRuntime operator;
  private static Process sample;
  private static ScrapedSeries scraped;
  private static Known known;

  @BeforeAll
  static void scrapeTheOperatorAndTheSampleService() throws Exception {
    cluster = TestClusters.withCrds().start();
    client = cluster.newClient();
    TestClusters.createNamespaces(client, "operators", "shop");
    operatorClient = cluster.newClient();
    OperatorSettings settings = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of("operators"), "127.0.0.1", 0, "INFO", false, "operated-operator-lease",
        "replica-a", false, Duration.ofSeconds(10), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
    operator = OperatorRuntime.start(settings, operatorClient, Clock.systemUTC(), code -> { },
        overrides -> { });
    Examples.apply(client, Examples.SAMPLE, "shop");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        get(operator.httpPort(), "/metrics").body())
        .contains("operated_service_ready{")
        .contains("reason=\"AllReplicasReady\"")
        .contains("operator_sdk_controllers_execution_reconcile_success_total"));
    // Micrometer registers jvm_gc_pause_seconds at the first collection it is notified of; a
    // short run may have had none yet, which a running operator always has.
    System.gc();
    await().atMost(TIMEOUT).until(() -> get(operator.httpPort(), "/metrics").body()
        .contains("jvm_gc_pause_seconds_sum"));
    ScrapedSeries fromOperator = ScrapedSeries.parse(get(operator.httpPort(), "/metrics").body());

    int port = freePort();
    sample = startSampleService(port);
    await().atMost(TIMEOUT).ignoreExceptions()
        .until(() -> get(port, "/readyz").statusCode() == 200);
    assertThat(get(port, "/items/1").statusCode()).isEqualTo(200);
    assertThat(get(port, "/no/such/route").statusCode()).isEqualTo(404);
    assertThat(get(port, "/fault/panic").statusCode()).isEqualTo(500);
    // The service times a request until its response is written, so the timer is recorded just
    // after the client has the answer: a scrape right after may not have it yet.
    await().atMost(TIMEOUT).until(() -> get(port, "/metrics").body().lines()
        .filter(line -> line.startsWith("http_server_requests_seconds_count{"))
        .filter(line -> line.contains("uri=\"/items/{id}\"") || line.contains("status=\"404\"")
            || line.contains("status=\"500\""))
        .count() >= 3);
    ScrapedSeries fromSample = ScrapedSeries.parse(get(port, "/metrics").body());

    scraped = fromOperator.plus(fromSample);
    known = Known.from(scraped, YAML.readTree(MONITORING.resolve("external-series.yaml")
        .toFile()), YAML.readTree(MONITORING.resolve("operated-alerts.yaml").toFile()));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (sample != null) {
      sample.destroy();
      sample.waitFor();
    }
    if (operator != null) {
      operator.shutdown();
    }
    operatorClient.close();
    client.close();
    cluster.close();
  }

  @Test
  void everySeriesAndLabelTheAlertRulesReadIsExportedOrExternal() throws IOException {
    JsonNode rules = YAML.readTree(MONITORING.resolve("operated-alerts.yaml").toFile());
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (JsonNode group : rules.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        String where = rule.has("alert") ? rule.get("alert").asText()
            : rule.get("record").asText();
        // the labels its annotations print must be on what the expression returns
        Set<String> printed = new TreeSet<>();
        rule.path("annotations").forEach(text -> printed.addAll(
            matches(ANNOTATION_LABEL, text.asText())));
        problems.addAll(known.problems(where, PromqlReferences.of(rule.get("expr").asText()),
            printed));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(10);

    assertThat(problems).isEmpty();
  }

  @Test
  void everySeriesAndLabelTheDashboardsReadIsExportedOrExternal() throws IOException {
    List<String> problems = new ArrayList<>();
    int queries = 0;
    try (Stream<Path> files = Files.list(MONITORING.resolve("dashboards"))) {
      for (Path file : files.sorted().toList()) {
        JsonNode dashboard = JSON.readTree(file.toFile());
        for (JsonNode panel : dashboard.get("panels")) {
          for (JsonNode target : panel.path("targets")) {
            queries++;
            problems.addAll(known.problems(file.getFileName() + " / " + panel.get("title")
                .asText(), PromqlReferences.of(grafanaSubstituted(target.get("expr").asText())),
                matches(LEGEND_LABEL, target.path("legendFormat").asText())));
          }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
          if (variable.get("type").asText().equals("query")) {
            queries++;
            problems.addAll(variableProblems(file.getFileName() + " / $"
                + variable.get("name").asText(), variable.at("/query/query").asText()));
          }
        }
      }
    }

    assertThat(queries).isGreaterThan(15);
    assertThat(problems).isEmpty();
  }

  @Test
  void theCheckCatchesAMisspelledSeriesALabelAndABucketThatDoNotExist() {
    assertThat(known.problems("typo", PromqlReferences.of(
        "sum by (namespace, operated_service) (operated_service_redy{reason=\"CrashLoop\"})"
            + " + on (namespace) http_server_requests_seconds_bucket{le=\"0.3\", stauts=\"500\"}"
            + " and {__name__=~\"otelcol_nothing_.*\"}"), Set.of("contaner")))
        .anySatisfy(p -> assertThat(p).contains("operated_service_redy"))
        .anySatisfy(p -> assertThat(p).contains("operated_service"))
        .anySatisfy(p -> assertThat(p).contains("le=\"0.3\""))
        .anySatisfy(p -> assertThat(p).contains("stauts"))
        .anySatisfy(p -> assertThat(p).contains("otelcol_nothing_.*"))
        .anySatisfy(p -> assertThat(p).contains("contaner"));
  }

  @Test
  void theExternalListHoldsOnlyWhatOurCodeDoesNotExportEachWithItsSource() throws IOException {
    JsonNode external = YAML.readTree(MONITORING.resolve("external-series.yaml").toFile());
    for (JsonNode entry : external.get("series")) {
      assertThat(entry.get("source").asText()).as("source of %s", entry.get("names"))
          .hasSizeGreaterThan(20);
      for (JsonNode name : entry.get("names")) {
        assertThat(scraped.has(name.asText())).as("%s is exported by our code: not external",
            name.asText()).isFalse();
      }
    }
    // A label our code sets that Prometheus also sets on the target is renamed exported_<label>
    // unless the scrape honours the target's labels: only the operator's per-OperatedService
    // series may do it (namespace and container are the service's; the chart's ServiceMonitor
    // sets honorLabels, docs/monitoring.md says so for other setups).
    Set<String> targetLabels = new TreeSet<>();
    external.at("/targetLabels/labels").forEach(label -> targetLabels.add(label.asText()));
    scraped.labelsByName().forEach((name, labels) -> assertThat(labels.keySet().stream()
        .filter(targetLabels::contains).toList())
        .as("target labels set by %s", name)
        .isSubsetOf(name.startsWith("operated_service_") ? Set.of("namespace", "container")
            : Set.of()));
  }

  /** label_values(selector, label): the selector's series must carry the label. */
  private static List<String> variableProblems(String where, String query) {
    Matcher matcher = LABEL_VALUES.matcher(query);
    if (!matcher.matches()) {
      return List.of(where + ": not a label_values query: " + query);
    }
    List<String> problems = new ArrayList<>();
    String selector = matcher.group(1) == null ? "" : grafanaSubstituted(matcher.group(1));
    PromqlReferences references = selector.isEmpty()
        ? new PromqlReferences(List.of(), Set.of(matcher.group(2)), Set.of(), Set.of())
        : new PromqlReferences(PromqlReferences.of(selector).selectors(),
            Set.of(matcher.group(2)), Set.of(), Set.of());
    problems.addAll(known.problems(where, references, Set.of()));
    return problems;
  }

  private static Set<String> matches(Pattern pattern, String text) {
    Set<String> found = new TreeSet<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  /** What Grafana sends: a range for $__rate_interval, a regex for each variable. */
  private static String grafanaSubstituted(String expression) {
    return expression.replace("$__rate_interval", "5m").replaceAll("\\$[a-z]+", ".*");
  }

  /** The names and labels a query may use, and why a reference is not among them. */
  private record Known(ScrapedSeries scraped, Map<String, Set<String>> external,
      Set<String> targetLabels, Map<String, Set<String>> recorded) {

    static Known from(ScrapedSeries scraped, JsonNode externalList, JsonNode rules) {
      Map<String, Set<String>> external = new HashMap<>();
      for (JsonNode entry : externalList.get("series")) {
        Set<String> labels = new TreeSet<>();
        entry.get("labels").forEach(label -> labels.add(label.asText()));
        entry.get("names").forEach(name -> external.put(name.asText(), labels));
      }
      Set<String> targetLabels = new TreeSet<>();
      externalList.at("/targetLabels/labels").forEach(label -> targetLabels.add(label.asText()));
      Map<String, Set<String>> recorded = new HashMap<>();
      for (JsonNode group : rules.get("groups")) {
        for (JsonNode rule : group.get("rules")) {
          if (rule.has("record")) {
            PromqlReferences references = PromqlReferences.of(rule.get("expr").asText());
            Set<String> labels = new TreeSet<>(references.groupingLabels());
            labels.addAll(references.writtenLabels());
            recorded.put(rule.get("record").asText(), labels);
          }
        }
      }
      return new Known(scraped, external, targetLabels, recorded);
    }

    Set<String> names() {
      Set<String> names = new TreeSet<>(scraped.labelsByName().keySet());
      names.addAll(external.keySet());
      names.addAll(recorded.keySet());
      return names;
    }

    Set<String> labels(String name) {
      Set<String> labels = new TreeSet<>(targetLabels);
      labels.addAll(scraped.labels(name));
      labels.addAll(external.getOrDefault(name, Set.of()));
      labels.addAll(recorded.getOrDefault(name, Set.of()));
      return labels;
    }

    /** @param printed labels a legend or an annotation prints from the result */
    List<String> problems(String where, PromqlReferences references, Set<String> printed) {
      List<String> problems = new ArrayList<>();
      Set<String> available = new TreeSet<>(targetLabels);
      available.addAll(references.writtenLabels());
      for (PromqlReferences.Selector selector : references.selectors()) {
        List<String> names = selector.name() != null ? List.of(selector.name())
            : names().stream().filter(n -> n.matches(selector.nameRegex())).toList();
        if (selector.name() != null && !names().contains(selector.name())) {
          problems.add(where + ": series " + selector.name() + " is neither exported by our "
              + "code nor listed in external-series.yaml");
          continue;
        }
        if (names.isEmpty()) {
          problems.add(where + ": no known series matches __name__=~\""
              + selector.nameRegex() + "\"");
          continue;
        }
        Set<String> labels = new TreeSet<>();
        names.forEach(name -> labels.addAll(labels(name)));
        available.addAll(labels);
        selector.matchers().forEach((label, matcher) -> {
          if (!labels.contains(label)) {
            problems.add(where + ": " + names + " has no label " + label);
          } else if (matcher.operator().equals("=") && names.size() == 1
              && scraped.labels(names.get(0)).contains(label)
              && !scraped.values(names.get(0), label).contains(matcher.value())) {
            problems.add(where + ": " + names.get(0) + " never has " + label + "=\""
                + matcher.value() + "\" (seen: " + scraped.values(names.get(0), label) + ")");
          }
        });
      }
      Set<String> used = new TreeSet<>(references.groupingLabels());
      used.addAll(references.readLabels());
      used.addAll(printed);
      for (String label : used) {
        if (!available.contains(label)) {
          problems.add(where + ": label " + label + " is on none of the series it groups or "
              + "matches on");
        }
      }
      return problems;
    }
  }

  private static Process startSampleService(int port) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        "dev.operated.sample.SampleService");
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("OTEL_")
        || name.startsWith("SAMPLE_") || name.startsWith("OPERATED_")
        || name.startsWith("JAVA_TOOL_OPTIONS") || name.startsWith("JDK_JAVA_OPTIONS"));
    environment.put("PORT", Integer.toString(port));
    environment.put("BIND_ADDRESS", "127.0.0.1");
    environment.put("OTEL_SDK_DISABLED", "true");
    environment.put("SAMPLE_FAULTS_ENABLED", "true");
    environment.put("OPERATED_DRAIN_SECONDS", "0");
    environment.put("OPERATED_SHUTDOWN_TIMEOUT_SECONDS", "1");
    Path logs = Files.createTempDirectory("sample-service-");
    builder.redirectOutput(logs.resolve("stdout.log").toFile())
        .redirectError(logs.resolve("stderr.log").toFile());
    return builder.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
