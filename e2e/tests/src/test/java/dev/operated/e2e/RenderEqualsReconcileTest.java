package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.operated.api.OperatedService;
import dev.operated.cli.OperatedCli;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.reconciler.OperatedOperator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The README's claim that {@code render} prints exactly what the reconciler applies, checked:
 * every example is reconciled by the operator in its production configuration (server-side
 * apply) on the embedded API server, in namespaces that switch each mesh on through their own
 * labels or annotations, on a cluster with the Prometheus Operator's CRD and one without, and
 * what the API server then holds equals render's output for the same facts, object for object
 * and field for field, apart from what the API server itself writes.
 */
class RenderEqualsReconcileTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** A namespace and the render flags that state its labels and annotations. */
  private record Facts(String namespace, Map<String, String> labels,
      Map<String, String> annotations) {

    List<String> renderFlags() {
      List<String> flags = new ArrayList<>(List.of("-n", namespace));
      labels.forEach((key, value) -> flags.addAll(List.of("--namespace-label", key + "=" + value)));
      annotations.forEach((key, value) ->
          flags.addAll(List.of("--namespace-annotation", key + "=" + value)));
      return flags;
    }
  }

  private static final List<Facts> NAMESPACES = List.of(
      new Facts("plain", Map.of(), Map.of()),
      new Facts("istio", Map.of("istio-injection", "enabled"), Map.of()),
      new Facts("linkerd", Map.of(), Map.of("linkerd.io/inject", "enabled")));

  @ParameterizedTest(name = "Kubernetes {0}, Prometheus Operator installed: {0} >= 1.30")
  @ValueSource(strings = {"1.28", "1.33"})
  void everyExampleIsAppliedExactlyAsRendered(String version) throws IOException {
    boolean prometheusOperator = version.compareTo("1.30") >= 0;
    List<Path> examples;
    try (Stream<Path> files = Files.list(Examples.REPO.resolve("sample-service/deploy"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    try (EmbeddedCluster cluster = TestClusters.withCrds().kubernetesVersion(version)
            .start();
        KubernetesClient client = cluster.newClient();
        KubernetesClient operatorClient = cluster.newClient()) {
      for (Facts facts : NAMESPACES) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
            .withName(facts.namespace()).withLabels(facts.labels())
            .withAnnotations(facts.annotations()).endMetadata().build()).create();
      }
      if (prometheusOperator) {
        PrometheusOperatorCrd.install(client);
      }
      Operator operator = OperatedOperator.create(operatorClient, Clock.systemUTC(),
          configuration -> { });
      operator.start();
      try {
        for (Facts facts : NAMESPACES) {
          for (Path example : examples) {
            List<String> flags = new ArrayList<>(List.of("render", "-f", example.toString(),
                "--kubernetes-version", version));
            flags.addAll(facts.renderFlags());
            if (prometheusOperator) {
              flags.add("--prometheus-operator");
            }
            List<HasMetadata> rendered = render(flags);
            OperatedService applied = Examples.apply(client, example, facts.namespace());
            await().atMost(TIMEOUT).untilAsserted(() ->
                assertAppliedAsRendered(client, applied, rendered));
          }
        }
      } finally {
        operator.stop();
      }
    }
  }

  private static void assertAppliedAsRendered(KubernetesClient client, OperatedService owner,
      List<HasMetadata> rendered) {
    for (HasMetadata expected : rendered) {
      HasMetadata live = client.resource(expected).get();
      assertThat(live).as("%s %s applied", expected.getKind(), expected.getMetadata().getName())
          .isNotNull();
      assertThat(live.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
          .containsExactly(owner.getMetadata().getUid());
      JsonNode want = Serialization.jsonMapper().valueToTree(expected);
      assertThat(CampaignOracles.withoutServerFields(live,
              !want.path("spec").path("replicas").isMissingNode()))
          .as("%s %s/%s as the API server holds it", expected.getKind(),
              expected.getMetadata().getNamespace(), expected.getMetadata().getName())
          .isEqualTo(want);
    }
  }

  private static List<HasMetadata> render(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new OperatedCli()).setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
    assertThat(exit).as("render %s: %s", args, err).isZero();
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : out.toString().split("(?m)^---$")) {
      if (!document.isBlank()) {
        objects.add(Serialization.unmarshal(new ByteArrayInputStream(
            document.getBytes(StandardCharsets.UTF_8))));
      }
    }
    assertThat(objects).isNotEmpty();
    return objects;
  }
}
