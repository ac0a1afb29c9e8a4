package dev.operated.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import dev.operated.validation.OperatedServiceValidator.Validation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * For specs generated from pools of valid and invalid values (seeded, so a failure reproduces):
 * whatever the validator accepts renders into objects an API server of the target version takes
 * (the same core rules, applied to the rendered pod), and whatever it refuses, it refuses naming
 * a field. Bounded so it runs in a few seconds.
 */
class GeneratedSpecsPropertyTest {

  private static final long SEED = 13;
  private static final int SPECS = 400;

  @Test
  void acceptedSpecsRenderValidObjectsAndRefusedOnesNameAField() {
    Random random = new Random(SEED);
    int accepted = 0;
    int refused = 0;
    for (int n = 0; n < SPECS; n++) {
      Map<String, Object> spec = spec(random);
      ClusterFacts target = target(random);
      ObjectNode object = Manifest.object("{}");
      object.set("spec", Manifest.tree(spec));
      String label = "spec #" + n + " for " + target.version() + ": " + spec;

      Validation validation = OperatedServiceValidator.check(object, target);

      if (validation.valid()) {
        accepted++;
        OperatedService resource = validation.resource().orElseThrow();
        List<HasMetadata> rendered = DesiredState.of(resource, target);
        assertThat(RenderedObjects.problems(rendered, target.version())).as(label).isEmpty();
        assertThat(OperatedServiceValidator.validate(resource, target)).as(label).isEmpty();
      } else {
        refused++;
        assertThat(validation.problems()).as(label).isNotEmpty().allSatisfy(problem -> {
          assertThat(problem.field()).matches("(spec|metadata)([.\\[].*)?");
          assertThat(problem.message()).isNotBlank();
        });
      }
    }
    // Both sides of the property must be exercised, or it proves nothing.
    assertThat(accepted).as("accepted").isGreaterThan(SPECS / 10);
    assertThat(refused).as("refused").isGreaterThan(SPECS / 10);
  }

  private static ClusterFacts target(Random random) {
    KubernetesVersion version = new KubernetesVersion(1, 27 + random.nextInt(9));
    Map<String, String> namespaceLabels = random.nextInt(4) == 0
        ? Map.of("istio-injection", "enabled") : Map.of();
    return new ClusterFacts(version, random.nextBoolean(), namespaceLabels);
  }

  private static Map<String, Object> spec(Random random) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("image", choose(random, List.of("orders:1", "ghcr.io/acme/orders:1.4.2",
        "registry.local:5000/orders@sha256:" + "b".repeat(64)), List.of("orders", "Orders:1")));
    maybe(random, spec, "replicas", List.of(0, 1, 3), List.of(1001, "2"));
    maybe(random, spec, "port", List.of(8080, 9000), List.of(4318, 15006, 4143, 0, 70000));
    maybe(random, spec, "mesh", List.of("auto", "istio", "linkerd", "none"), List.of("Istio"));
    if (random.nextBoolean()) {
      spec.put("env", env(random));
    }
    if (random.nextBoolean()) {
      spec.put("resources", resources(random));
    }
    if (random.nextInt(3) == 0) {
      Map<String, Object> health = new LinkedHashMap<>();
      maybe(random, health, "port", List.of(8081), List.of(15021, 4191));
      maybe(random, health, "livenessPath", List.of("/livez", "/healthz"),
          List.of("livez", "/readyz"));
      spec.put("health", health);
    }
    if (random.nextInt(3) == 0) {
      spec.put("telemetry", telemetry(random));
    }
    if (random.nextInt(3) == 0) {
      Map<String, Object> shutdown = new LinkedHashMap<>();
      int drain = random.nextInt(20);
      int timeout = random.nextInt(40);
      // Around the budget: drain + timeout, plus a collector flush or proxy drain, plus margin.
      shutdown.put("drainSeconds", drain);
      shutdown.put("timeoutSeconds", timeout);
      if (random.nextBoolean()) {
        shutdown.put("terminationGracePeriodSeconds", Math.max(1, drain + timeout
            + random.nextInt(40) - 8));
      }
      maybe(random, shutdown, "imageHasShell", List.of(true, false), List.of("yes"));
      spec.put("shutdown", shutdown);
    }
    if (random.nextInt(3) == 0) {
      spec.put("podLabels", Map.of(
          choose(random, List.of("team", "example.com/tier"),
              List.of("bad key", "app.kubernetes.io/name")),
          choose(random, List.of("payments", "", "ok-1"), List.of("a b", "x".repeat(64)))));
    }
    if (random.nextInt(3) == 0) {
      spec.put("podAnnotations", Map.of(
          choose(random, List.of("note", "example.com/Note"), List.of("bad key!")),
          choose(random, List.of("any text, ü", "{}"),
              List.of("x".repeat(300 * 1024), "x".repeat(256 * 1024 - 4)))));
    }
    return spec;
  }

  private static List<Object> env(Random random) {
    List<Object> env = new ArrayList<>();
    int count = random.nextInt(4);
    for (int i = 0; i < count; i++) {
      Map<String, Object> variable = new LinkedHashMap<>();
      variable.put("name", choose(random, List.of("VAR_" + i, "1ST_" + i, "my var " + i),
          List.of("A=" + i, "VAR_0", "OPERATED_DRAIN_SECONDS")));
      switch (random.nextInt(12)) {
        case 0 -> variable.put("valueFrom", Map.of("fieldRef", Map.of("fieldPath",
            pick(random, "metadata.name", "status.hostIPs", "spec.hostname",
                "metadata.labels['app']"))));
        case 1 -> variable.put("valueFrom", Map.of("resourceFieldRef", Map.of("resource",
            pick(random, "limits.memory", "limits.gpu"))));
        case 2 -> variable.put("valueFrom", Map.of("configMapKeyRef",
            Map.of("name", "settings", "key", pick(random, "a", ".."))));
        case 3 -> variable.put("valueFrom", Map.of(
            "fieldRef", Map.of("fieldPath", "metadata.name"),
            "secretKeyRef", Map.of("name", "s", "key", "k")));
        case 4 -> variable.put("value", "http://$(VAR_" + (i + 1) + ")");
        case 5 -> variable.put("value", 42);
        default -> variable.put("value", pick(random, "plain", "Grüße", "$$(LITERAL)"));
      }
      env.add(variable);
    }
    return env;
  }

  private static Map<String, Object> resources(Random random) {
    Map<String, Object> requests = new LinkedHashMap<>();
    Map<String, Object> limits = new LinkedHashMap<>();
    for (Map<String, Object> list : List.of(requests, limits)) {
      int count = random.nextInt(3);
      for (int i = 0; i < count; i++) {
        list.put(choose(random, List.of("cpu", "memory", "nvidia.com/gpu"),
            List.of("gpu", "hugepages-2Mi")),
            choose(random, List.of("100m", "1", "2", "256Mi", "1Gi"),
                List.of("-1", "lots", "0.5")));
      }
    }
    Map<String, Object> resources = new LinkedHashMap<>();
    resources.put("requests", requests);
    resources.put("limits", limits);
    return resources;
  }

  private static Map<String, Object> telemetry(Random random) {
    Map<String, Object> telemetry = new LinkedHashMap<>();
    String mode = choose(random, List.of("none", "endpoint", "node", "sidecar"),
        List.of("Sidecar"));
    telemetry.put("mode", mode);
    String endpoint = switch (mode) {
      case "endpoint" -> choose(random, List.of("http://collector:4318"),
          List.of("collector:4318", "http://collector:4317"));
      case "sidecar" -> choose(random, List.of("http://gw:4317"), List.of("gw:4317"));
      default -> choose(random, List.of(), List.of("http://collector:4318"));
    };
    if (endpoint != null && (mode.equals("endpoint") || random.nextBoolean())) {
      telemetry.put("endpoint", endpoint);
    }
    if (mode.equals("sidecar") && random.nextBoolean()) {
      telemetry.put("collector", Map.of("image", choose(random,
          List.of("otel/collector:0.139.0"), List.of("otel/collector"))));
    }
    return telemetry;
  }

  private static void maybe(Random random, Map<String, Object> map, String key,
      List<?> valid, List<?> invalid) {
    if (random.nextBoolean()) {
      map.put(key, choose(random, valid, invalid));
    }
  }

  /** Mostly a valid value, so that whole specs are accepted often enough; null if none fits. */
  private static <T> T choose(Random random, List<? extends T> valid, List<? extends T> invalid) {
    List<? extends T> pool = valid.isEmpty() || (!invalid.isEmpty() && random.nextInt(10) == 0)
        ? invalid : valid;
    return pool.isEmpty() ? null : pool.get(random.nextInt(pool.size()));
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }
}
