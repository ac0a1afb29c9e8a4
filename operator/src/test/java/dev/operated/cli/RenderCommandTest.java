package dev.operated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {

  @TempDir
  Path temp;

  private Path file(String yaml) throws IOException {
    Path file = temp.resolve("services.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void rendersEveryServiceOfAMultiDocumentFile() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders, namespace: shop}
        spec: {image: 'orders:1', replicas: 1}
        ---
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: billing}
        spec: {image: 'billing:2', replicas: 1}
        """).toString(), "--prometheus-operator");

    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out()).contains("name: \"orders\"").contains("namespace: \"shop\"")
        .contains("name: \"billing\"").contains("namespace: \"default\"")
        .contains("kind: \"ServiceMonitor\"")
        .doesNotContain("PodDisruptionBudget");
  }

  @Test
  void invalidInputExitsNonZeroWithEveryProblemAndRendersNothing() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec:
          image: orders
          telemetry: {mode: endpoint}
        """).toString());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err()).contains("orders: spec.image:").contains("has no tag or digest")
        .contains("orders: spec.telemetry.endpoint: endpoint is required when mode is endpoint");
  }

  @Test
  void aGracePeriodTooShortForTheBudgetIsRefusedWithTheArithmetic() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec:
          image: orders:1
          shutdown: {drainSeconds: 10, timeoutSeconds: 20, terminationGracePeriodSeconds: 25}
        """).toString());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err()).contains("spec.shutdown.terminationGracePeriodSeconds")
        .contains("= 30s");
  }

  @Test
  void sidecarModeTakesTheOperatorsDefaultGatewayOrSaysHowToGiveOne() throws IOException {
    Path sidecar = sidecarService();

    Cli without = Cli.run("render", "-f", sidecar.toString());
    assertThat(without.exitCode()).isEqualTo(1);
    assertThat(without.err()).contains("spec.telemetry.endpoint").contains("--collector-gateway");

    Cli with = Cli.run("render", "-f", sidecar.toString(), "--collector-gateway",
        "http://gateway.observability:4317");
    assertThat(with.exitCode()).isZero();
    assertThat(with.out()).contains("endpoint: http://gateway.observability:4317")
        .contains("name: \"otel-collector\"");
  }

  /** A service in sidecar mode without an endpoint of its own: it needs a default gateway. */
  private Path sidecarService() throws IOException {
    return file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec: {image: 'orders:1', telemetry: {mode: sidecar}}
        """);
  }

  @Test
  void aMisspeltFieldIsOneProblemAmongTheOthers() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec: {image: 'orders', replica: 2}
        """).toString());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.err()).contains("orders: spec.replica: is not a field of spec")
        .contains("orders: spec.image: 'orders' has no tag or digest");
  }

  @Test
  void aKeyGivenTwiceIsRefusedAsKubectlRefusesIt() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec: {image: 'orders:1', port: 8080, port: 9090}
        """).toString());

    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(2);
    assertThat(cli.err()).contains("Duplicate field 'port'");
  }

  @Test
  void aYamlErrorInALaterDocumentIsAMessageNotAStackTrace() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec: {image: 'orders:1'}
        ---
        kind: OperatedService
        spec: {image: [
        """).toString());

    assertThat(cli.exitCode()).as(cli.err()).isEqualTo(2);
    assertThat(cli.err()).contains("is not a list of OperatedService documents")
        .doesNotContain("\tat ");
  }

  /** What the shipped CRD refuses at kubectl apply, render refuses too: no false all-clear. */
  @Test
  void wrongTypesUnknownEnumValuesAndOutOfRangeValuesAreProblemsNotACrash() throws IOException {
    Cli cli = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec:
          image: orders:1
          replicas: 5000
          port: "8080"
          mesh: Istio
          shutdown: {drainSeconds: ten}
        """).toString());

    assertThat(cli.exitCode()).isEqualTo(1);
    assertThat(cli.out()).isEmpty();
    assertThat(cli.err())
        .contains("orders: spec.replicas: 5000 is above the maximum 1000")
        .contains("orders: spec.port: must be an integer, not the string '8080'")
        .contains("orders: spec.mesh: 'Istio' is not one of auto, istio, linkerd, none")
        .contains("orders: spec.shutdown.drainSeconds: must be an integer")
        .doesNotContain("Exception").doesNotContain("Cannot deserialize");
  }

  @Test
  void otherKindsAndMissingFilesAreRefusedClearly() throws IOException {
    Cli other = Cli.run("render", "-f", file("apiVersion: v1\nkind: ConfigMap\n").toString());
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).contains("document 1 is a ConfigMap, not an OperatedService");

    Cli missing = Cli.run("render", "-f", temp.resolve("absent.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read");
  }

  /** The run command refuses such a gateway at start (SettingsParser); render did not. */
  @Test
  void aGatewayTheRunCommandRefusesIsRefusedHereToo() throws IOException {
    Path sidecar = sidecarService();
    for (String gateway : new String[] {"http://otel gw:4317", "gw:4317"}) {
      Cli cli = Cli.run("render", "-f", sidecar.toString(), "--collector-gateway", gateway);
      assertThat(cli.exitCode()).as(gateway).isEqualTo(2);
      assertThat(cli.err()).contains("--collector-gateway '" + gateway + "' is not a gateway")
          .contains("http://otel-gateway.observability:4317").doesNotContain("at dev.operated");
      assertThat(cli.out()).isEmpty();
    }
  }

  /**
   * kubectl (sigs.k8s.io/yaml) expands aliases and merge keys; Jackson's reader gives an alias
   * as its anchor's name, so render would have rendered IMG=img.
   */
  @Test
  void yamlAliasesAndMergeKeysAreRefusedNotMisread() throws IOException {
    Cli alias = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec:
          image: &img ghcr.io/acme/orders:1
          env: [{name: IMG, value: *img}]
        """).toString());
    assertThat(alias.exitCode()).isEqualTo(2);
    assertThat(alias.err()).contains("YAML aliases (*img)").contains("yq 'explode(.)'");
    assertThat(alias.out()).isEmpty();

    Cli merge = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1alpha1
        kind: OperatedService
        metadata: {name: orders}
        spec:
          <<: {image: 'orders:1'}
        """).toString());
    assertThat(merge.exitCode()).isEqualTo(2);
    assertThat(merge.err()).contains("merge keys (<<)");
  }

  /** What kubectl apply refuses: nothing to apply, or a version the CRD does not serve. */
  @Test
  void anEmptyFileOrAnotherApiVersionIsRefused() throws IOException {
    Cli empty = Cli.run("render", "-f", file("# nothing yet\n---\n").toString());
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("holds no document");

    Cli version = Cli.run("render", "-f", file("""
        apiVersion: operated.dev/v1
        kind: OperatedService
        metadata: {name: orders}
        spec: {image: 'orders:1'}
        """).toString());
    assertThat(version.exitCode()).isEqualTo(2);
    assertThat(version.err()).contains("document 1 has apiVersion operated.dev/v1")
        .contains("serves operated.dev/v1alpha1");
    assertThat(version.out()).isEmpty();
  }

  @Test
  void aBadKubernetesVersionIsNamed() throws IOException {
    Cli cli = Cli.run("render", "-f", file("kind: OperatedService\n").toString(),
        "--kubernetes-version", "latest");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--kubernetes-version").contains("MAJOR.MINOR");
  }
}
