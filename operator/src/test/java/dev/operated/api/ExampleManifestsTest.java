package dev.operated.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import dev.operated.validation.CrdCel;
import dev.operated.validation.OperatedServiceValidator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExampleManifestsTest {

  private static final Path DEPLOY = GeneratedCrd.repoRoot().resolve("sample-service/deploy");

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(DEPLOY)) {
      List<Path> yaml = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      assertThat(yaml).hasSizeGreaterThanOrEqualTo(2);
      return yaml.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void parsesIntoTheModelAndIsValid(Path example) {
    OperatedService resource = Manifests.read(example);

    assertThat(resource.getApiVersion()).isEqualTo("operated.dev/v1alpha1");
    assertThat(resource.getKind()).isEqualTo("OperatedService");
    assertThat(resource.getSpec().image()).isNotBlank();
    assertThat(OperatedServiceValidator.validate(Manifests.tree(example),
        new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of()))).isEmpty();
    assertThat(CrdCel.violations(GeneratedCrd.specSchema(), Manifests.rawSpec(example))).isEmpty();
  }

  @Test
  void theMinimalExampleTakesTheContractDefaults() {
    OperatedServiceSpec spec = Manifests.read(DEPLOY.resolve("operatedservice.yaml")).getSpec();
    assertThat(spec.port()).isEqualTo(ContractDefaults.PORT);
    assertThat(spec.health().livenessPath()).isEqualTo(ContractDefaults.LIVENESS_PATH);
    assertThat(spec.health().readinessPath()).isEqualTo(ContractDefaults.READINESS_PATH);
    assertThat(spec.metrics().path()).isEqualTo(ContractDefaults.METRICS_PATH);
    assertThat(spec.shutdown().drainSeconds()).isEqualTo(ContractDefaults.DRAIN_SECONDS);
    assertThat(spec.shutdown().timeoutSeconds())
        .isEqualTo(ContractDefaults.SHUTDOWN_TIMEOUT_SECONDS);
    assertThat(spec.telemetry().mode()).isEqualTo(TelemetryMode.NONE);
    assertThat(spec.mesh()).isEqualTo(MeshMode.AUTO);
  }

  /** The full example documents the API: a field added to the model must appear in it. */
  @Test
  void theFullExampleSetsEveryFieldOfTheSpec() {
    Map<String, Object> full = Manifests.rawSpec(DEPLOY.resolve("operatedservice-full.yaml"));
    List<String> missing = new ArrayList<>();
    collectMissing("spec", GeneratedCrd.specSchema(), full, missing);
    assertThat(missing).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static void collectMissing(String path, JSONSchemaProps schema, Map<String, Object> value,
      List<String> missing) {
    schema.getProperties().forEach((name, property) -> {
      if (!value.containsKey(name)) {
        missing.add(path + "." + name);
      } else if (isOwnSection(path + "." + name) && value.get(name) instanceof Map<?, ?> child) {
        collectMissing(path + "." + name, property, (Map<String, Object>) child, missing);
      }
    });
  }

  /** Our sections; Kubernetes' own types (env, resources) are not ours to exhaust. */
  private static boolean isOwnSection(String path) {
    return List.of("spec.health", "spec.metrics", "spec.telemetry", "spec.telemetry.collector",
        "spec.shutdown").contains(path);
  }
}
