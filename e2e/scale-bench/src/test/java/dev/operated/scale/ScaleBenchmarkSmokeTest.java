package dev.operated.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's harness, bounded: ten services through both phases. It checks that a report
 * comes out and that its counts agree with each other and with what render printed; the numbers
 * themselves are measured by the documented command, not here.
 */
class ScaleBenchmarkSmokeTest {

  private static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../.."));
  private static final Path OPERATOR_JAR = REPO.resolve("operator/target/operated.jar");
  private static final int SERVICES = 10;
  private static final Path RUN = Path.of("target", "scale-bench-smoke");

  @Test
  void tenServicesGiveAConsistentReport(@TempDir Path temp) throws Exception {
    assumeTrue(Files.isRegularFile(OPERATOR_JAR), OPERATOR_JAR + " is missing: the benchmark "
        + "runs the packaged operator; build it with ./mvnw -B -pl operator -am package "
        + "-DskipTests");
    Path document = temp.resolve("benchmarks.md");
    Files.writeString(document, "# Benchmarks\n\n## Scale\n\nProse.\n\n## After\n");

    ScaleReport report = ScaleBenchmark.run("-n", String.valueOf(SERVICES),
        "--example", REPO.resolve("sample-service/deploy/operatedservice.yaml").toString(),
        "--crds", REPO.resolve("crds").toString(),
        "--operator-jar", OPERATOR_JAR.toString(),
        "--operator-arg=--log-level=WARN",
        "--quiet-seconds", "1", "--timeout-seconds", "300", "--settle-seconds", "1",
        // kept after the run: the processes' logs say why a phase timed out
        "--out", RUN.toString(),
        "--append-to", document.toString(), "--label", "smoke");

    JsonNode json = new ObjectMapper().readTree(RUN.resolve("report.json").toFile());
    assertThat(json.path("services").asInt()).isEqualTo(SERVICES);
    // render prints a Deployment, a Service and a PodDisruptionBudget per service: the bare
    // client sends one apply for each and nothing else
    assertThat(report.baseline().requests()).isEqualTo(3L * SERVICES);
    assertThat(report.baseline().writesPerService()).isEqualTo(3.0);
    assertThat(report.baseline().writesUntilApplied()).isEqualTo(3L * SERVICES);
    assertThat(report.baseline().allAvailableSeconds())
        .isGreaterThanOrEqualTo(report.baseline().allAppliedSeconds());

    ScaleReport.Operated operator = report.operator();
    assertThat(operator.reconciles()).isGreaterThanOrEqualTo(SERVICES);
    assertThat(operator.requestsByKind()).containsEntry("patch deployments", (long) SERVICES)
        .containsEntry("patch services", (long) SERVICES)
        .containsEntry("patch poddisruptionbudgets", (long) SERVICES);
    assertThat(operator.requests()).isEqualTo(operator.requestsByKind().values().stream()
        .mapToLong(Long::longValue).sum());
    assertThat(operator.statusPatchesPerService()).isGreaterThanOrEqualTo(1.0);
    // until the last object was seen: the benchmark's creates and at least the operator's
    // applies, at most everything the operator wrote in the phase
    assertThat(operator.writesUntilApplied()).isBetween(4L * SERVICES,
        SERVICES + Math.round(operator.writesPerService() * SERVICES));
    assertThat(operator.writesPerService()).isGreaterThanOrEqualTo(3.0
        + operator.statusPatchesPerService());
    assertThat(operator.allReadySeconds()).isGreaterThanOrEqualTo(operator.allAppliedSeconds())
        .isGreaterThanOrEqualTo(operator.createToReadySeconds().p99());
    assertThat(operator.memory().liveHeapMib()).isPositive()
        .isLessThan(operator.memory().rssAnonMib());
    assertThat(operator.memory().rssAnonMib()).isLessThanOrEqualTo(operator.memory().rssMib());
    assertThat(operator.memory().threads()).isPositive();
    assertThat(operator.memory().settled().afterSeconds()).isEqualTo(1);
    assertThat(operator.memory().settled().threads()).isPositive();
    assertThat(operator.memory().settled().rssAnonMib()).isPositive()
        .isLessThanOrEqualTo(operator.memory().settled().rssMib());
    assertThat(operator.cpu().serverShare()).isBetween(0.0, 1.0);

    // restarted with nothing changed: every service reconciled again, nothing written
    assertThat(report.idleResync().reconciles()).isGreaterThanOrEqualTo(SERVICES);
    assertThat(report.idleResync().writes()).isZero();

    assertThat(Files.readString(document)).contains("## Scale\n\nProse.\n\n| date |")
        .contains(" | smoke | 10 | operatedservice |")
        .contains("; writes until then " + operator.writesUntilApplied() + " / 30 (")
        .contains("; 1 s later ")
        .endsWith("\n\n## After\n");
  }
}
