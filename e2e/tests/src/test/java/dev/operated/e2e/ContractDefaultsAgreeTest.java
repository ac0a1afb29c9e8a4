package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.ContractDefaults;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.TelemetryMode;
import dev.operated.api.TelemetrySpec;
import dev.operated.desired.AppEnvironment;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import dev.operated.desired.TerminationBudget;
import dev.operated.sample.Config;
import dev.operated.sample.SampleServiceDefaults;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * "Works with the defaults" must mean the same on both sides of the contract: the operator's
 * model, the CRD the API server defaults with, the sample-service, and the contract as written
 * down for people (docs/contract.md), whose tables are read here so the doc cannot drift.
 */
class ContractDefaultsAgreeTest {

  private static final Path CONTRACT = Examples.REPO.resolve("docs/contract.md");
  private static final String DOC = "docs/contract.md, Defaults: ";

  @Test
  void theModelsDefaultsAreTheSampleServicesDefaults() {
    OperatedServiceSpec spec = OperatedServiceSpec.ofImage("sample-service:1");

    assertThat(spec.port()).isEqualTo(SampleServiceDefaults.PORT);
    assertThat(spec.health().livenessPath()).isEqualTo(SampleServiceDefaults.LIVENESS_PATH);
    assertThat(spec.health().readinessPath()).isEqualTo(SampleServiceDefaults.READINESS_PATH);
    assertThat(spec.metrics().path()).isEqualTo(SampleServiceDefaults.METRICS_PATH);
    assertThat(spec.shutdown().drainSeconds()).isEqualTo(SampleServiceDefaults.DRAIN_SECONDS);
    assertThat(spec.shutdown().timeoutSeconds())
        .isEqualTo(SampleServiceDefaults.SHUTDOWN_TIMEOUT_SECONDS);
  }

  @Test
  void theEnvironmentTheOperatorSetsIsTheEnvironmentTheServiceReads() {
    assertThat(ContractDefaults.ENV_DRAIN_SECONDS)
        .isEqualTo(SampleServiceDefaults.ENV_DRAIN_SECONDS);
    assertThat(ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS)
        .isEqualTo(SampleServiceDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS);
  }

  @Test
  void theCommittedCrdDefaultsAreTheSampleServicesDefaults() throws IOException {
    Path crdFile = Examples.REPO.resolve("crds/operatedservices.operated.dev-v1.yml");
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(crdFile), CustomResourceDefinition.class);
    JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
        .getProperties().get("spec");

    assertThat(spec.getProperties().get("port").getDefault().asInt())
        .isEqualTo(SampleServiceDefaults.PORT);
    JSONSchemaProps health = spec.getProperties().get("health");
    assertThat(health.getProperties().get("livenessPath").getDefault().asText())
        .isEqualTo(SampleServiceDefaults.LIVENESS_PATH);
    assertThat(health.getProperties().get("readinessPath").getDefault().asText())
        .isEqualTo(SampleServiceDefaults.READINESS_PATH);
    assertThat(spec.getProperties().get("metrics").getProperties().get("path").getDefault()
        .asText()).isEqualTo(SampleServiceDefaults.METRICS_PATH);
    JSONSchemaProps shutdown = spec.getProperties().get("shutdown");
    assertThat(shutdown.getProperties().get("drainSeconds").getDefault().asInt())
        .isEqualTo(SampleServiceDefaults.DRAIN_SECONDS);
    assertThat(shutdown.getProperties().get("timeoutSeconds").getDefault().asInt())
        .isEqualTo(SampleServiceDefaults.SHUTDOWN_TIMEOUT_SECONDS);
  }

  @Test
  void theContractDocsDefaultsAreTheOperatorsAndTheSampleServices() throws IOException {
    Map<String, List<String>> defaults = table("## Defaults");
    Config sample = Config.fromEnv(Map.of());

    assertThat(number(defaults, "port")).as(DOC + "port")
        .isEqualTo(ContractDefaults.PORT).isEqualTo(sample.port());
    assertThat(code(defaults, "liveness path")).as(DOC + "liveness path")
        .isEqualTo(ContractDefaults.LIVENESS_PATH).isEqualTo(SampleServiceDefaults.LIVENESS_PATH);
    assertThat(code(defaults, "readiness path")).as(DOC + "readiness path")
        .isEqualTo(ContractDefaults.READINESS_PATH)
        .isEqualTo(SampleServiceDefaults.READINESS_PATH);
    assertThat(code(defaults, "metrics path")).as(DOC + "metrics path")
        .isEqualTo(ContractDefaults.METRICS_PATH).isEqualTo(SampleServiceDefaults.METRICS_PATH);
    assertThat(number(defaults, "startup allowance (seconds)")).as(DOC + "startup allowance")
        .isEqualTo(ContractDefaults.STARTUP_SECONDS);
    assertThat(number(defaults, "drain (seconds)")).as(DOC + "drain")
        .isEqualTo(ContractDefaults.DRAIN_SECONDS).isEqualTo(sample.drain().toSeconds());
    assertThat(number(defaults, "shutdown timeout (seconds)")).as(DOC + "shutdown timeout")
        .isEqualTo(ContractDefaults.SHUTDOWN_TIMEOUT_SECONDS)
        .isEqualTo(sample.shutdownTimeout().toSeconds());
    // the computed grace period of a spec that sets nothing, on a cluster with the sleep hook
    TerminationBudget budget = TerminationBudget.of(OperatedServiceSpec.ofImage("app:1"),
        new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of()));
    assertThat((long) number(defaults, "grace period (seconds)")).as(DOC + "grace period")
        .isEqualTo(budget.gracePeriodSeconds());
  }

  @Test
  void theVariablesTheContractDocNamesAreTheOnesBothSidesUse() throws IOException {
    Map<String, List<String>> defaults = table("## Defaults");
    String drain = stripCode(defaults.get("drain (seconds)").get(3));
    String timeout = stripCode(defaults.get("shutdown timeout (seconds)").get(3));
    String port = stripCode(defaults.get("port").get(3));

    assertThat(drain).isEqualTo(ContractDefaults.ENV_DRAIN_SECONDS);
    assertThat(timeout).isEqualTo(ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS);
    // the sample-service reads exactly these names: set them, and its configuration follows
    Config configured = Config.fromEnv(Map.of(drain, "7", timeout, "11", port, "9091"));
    assertThat(configured.drain()).isEqualTo(Duration.ofSeconds(7));
    assertThat(configured.shutdownTimeout()).isEqualTo(Duration.ofSeconds(11));
    assertThat(configured.port()).isEqualTo(9091);
  }

  @Test
  void theContractDocsEnvironmentIsWhatTheOperatorWritesInEveryTelemetryMode()
      throws IOException {
    Map<String, List<String>> documented = table("## Environment the operator gives the app");
    for (TelemetryMode mode : TelemetryMode.values()) {
      String name = mode.name().toLowerCase(Locale.ROOT);
      Set<String> expected = new TreeSet<>();
      documented.forEach((variable, cells) -> {
        String when = cells.get(1);
        boolean applies = when.equals("always") || (when.startsWith("mode ")
            && Arrays.stream(when.substring("mode ".length()).split(","))
                .map(String::strip).anyMatch(name::equals));
        if (applies) {
          expected.add(stripCode(variable));
        }
      });
      OperatedService resource = new OperatedService("shop", "orders",
          OperatedServiceSpec.ofImage("orders:1.4.2").withTelemetry(telemetry(mode)));
      TerminationBudget budget = TerminationBudget.of(resource.getSpec(),
          new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of()));
      Set<String> written = AppEnvironment.build(resource, budget,
              Optional.of("http://localhost:4318")).stream().map(EnvVar::getName)
          .collect(Collectors.toCollection(TreeSet::new));

      assertThat(written).as("the app's environment in telemetry mode %s, as docs/contract.md "
          + "lists it", name).isEqualTo(expected);
    }
  }

  private static TelemetrySpec telemetry(TelemetryMode mode) {
    return new TelemetrySpec(mode, mode == TelemetryMode.ENDPOINT ? "http://collector:4318" : null,
        null, null, null);
  }

  /** The rows of the first markdown table under a heading, by their first cell. */
  private static Map<String, List<String>> table(String heading) throws IOException {
    List<String> lines = Files.readAllLines(CONTRACT);
    int at = lines.indexOf(heading);
    assertThat(at).as("docs/contract.md has the section \"%s\"", heading).isNotNegative();
    while (at < lines.size() && !lines.get(at).startsWith("|")) {
      at++;
    }
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String row = lines.get(i).strip();
      List<String> cells = new ArrayList<>(Arrays.stream(
          row.substring(1, row.length() - 1).split("\\|", -1)).map(String::strip).toList());
      rows.put(cells.get(0), cells);
    }
    assertThat(rows).as("rows of the table under \"%s\"", heading).isNotEmpty();
    return rows;
  }

  private static String code(Map<String, List<String>> rows, String item) {
    assertThat(rows).as("docs/contract.md states the default %s", item).containsKey(item);
    return stripCode(rows.get(item).get(1));
  }

  private static int number(Map<String, List<String>> rows, String item) {
    return Integer.parseInt(code(rows, item));
  }

  private static String stripCode(String cell) {
    assertThat(cell).as("a value in backticks").startsWith("`").endsWith("`");
    return cell.substring(1, cell.length() - 1);
  }
}
