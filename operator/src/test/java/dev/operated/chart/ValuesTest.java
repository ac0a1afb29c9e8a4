package dev.operated.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** values.yaml is documented, and values.schema.json refuses what would break the install. */
class ValuesTest {

  private static final Pattern KEY = Pattern.compile("^(\\s*)([A-Za-z][A-Za-z0-9]*):.*$");
  /** Kubernetes types passed through as they are; their fields are Kubernetes' to document. */
  private static final List<String> PASS_THROUGH = List.of("resources");

  @Test
  void everyValueHasACommentAboveIt() throws IOException {
    List<String> lines = Files.readAllLines(RenderedChart.CHART.resolve("values.yaml"));
    List<String> undocumented = new ArrayList<>();
    List<String> path = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher key = KEY.matcher(lines.get(i));
      if (!key.matches()) {
        continue;
      }
      int depth = key.group(1).length() / 2;
      while (path.size() > depth) {
        path.remove(path.size() - 1);
      }
      path.add(key.group(2));
      boolean passedThrough = path.size() > 2 && PASS_THROUGH.contains(path.get(0));
      boolean documented = i > 0 && lines.get(i - 1).trim().startsWith("#");
      if (!documented && !passedThrough) {
        undocumented.add(String.join(".", path));
      }
    }
    assertThat(path).as("values.yaml has keys").isNotEmpty();
    assertThat(undocumented).as("values without a comment line right above them").isEmpty();
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Map.of("replicaCount", 0), "replicaCount"),
        Arguments.of(Map.of("replicaCount", "two"), "replicaCount"),
        Arguments.of(Map.of("replicas", 2), "replicas"),
        Arguments.of(Map.of("watch", Map.of("mode", "some")), "mode"),
        Arguments.of(Map.of("watch", Map.of("mode", "list")), "namespaces"),
        Arguments.of(Map.of("watch", Map.of("mode", "list", "namespaces", List.of("Shop_1"))),
            "namespaces"),
        Arguments.of(Map.of("watch", Map.of("mode", "all", "namespaces", List.of("shop"))),
            "namespaces"),
        Arguments.of(Map.of("image", Map.of("pullPolicy", "Sometimes")), "pullPolicy"),
        Arguments.of(Map.of("image", Map.of("digest", "sha256:abc")), "digest"),
        Arguments.of(Map.of("leaderElection", Map.of("enabled", "yes")), "enabled"),
        Arguments.of(Map.of("metrics", Map.of("port", 80)), "port"),
        Arguments.of(Map.of("logLevel", "verbose"), "logLevel"),
        Arguments.of(Map.of("collector", Map.of("image", "collector")), "image"),
        Arguments.of(Map.of("collector", Map.of("gateway", "gateway:4317")), "gateway"),
        Arguments.of(Map.of("tracing", Map.of("enabled", true)), "endpoint"),
        Arguments.of(Map.of("tracing", Map.of("samplingRatio", 2)), "samplingRatio"),
        Arguments.of(Map.of("jvm", Map.of("maxRamPercentage", 95)), "maxRamPercentage"),
        Arguments.of(Map.of("shutdownTimeoutSeconds", 0), "shutdownTimeoutSeconds"),
        Arguments.of(Map.of("watchTransport", "grpc"), "watchTransport"),
        // null removes the default, as `--set resources.limits.memory=null` does
        Arguments.of(Map.of("resources", Map.of("limits", nullValue("memory"))), "memory"));
  }

  private static Map<String, Object> nullValue(String key) {
    Map<String, Object> map = new java.util.HashMap<>();
    map.put(key, null);
    return map;
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void theSchemaRefuses(Map<String, Object> values, String namedInTheMessage) {
    assertThatThrownBy(() -> RenderedChart.render(values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(namedInTheMessage);
  }
}
