package dev.operated.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.operated.runtime.Setting;
import dev.operated.runtime.SettingsParser;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chart's env, rendered by the real Helm, held against {@link Setting}, the one declaration
 * of the operator's settings: every OPERATED_* variable the chart sets is a setting, every
 * setting is set by the chart (or is left out here with the reason), each exposed value reaches
 * its variable, the chart's defaults are the operator's, and whatever the chart renders is
 * accepted by the operator's own parser.
 */
class ChartSettingsTest {

  /** Settings the chart does not set, and why: the only way to leave one out. */
  private static final Map<Setting, String> NOT_IN_CHART = Map.of(Setting.BIND_ADDRESS,
      "in a pod the endpoints must listen on every address (probes, Prometheus): the default "
          + "0.0.0.0 is the only right value");

  /** Settings the kubelet fills in from the pod (downward API), by field path. */
  private static final Map<Setting, String> FROM_THE_POD = Map.of(
      Setting.NAMESPACE, "metadata.namespace",
      Setting.IDENTITY, "metadata.name");

  /** For each setting the chart's values expose: values that change it, and what it becomes. */
  private static final Map<Setting, Wiring> FROM_VALUES = new EnumMap<>(Map.of(
      Setting.WATCH_NAMESPACES, new Wiring(Map.of("watch",
          Map.of("mode", "list", "namespaces", List.of("shop", "billing"))), "shop,billing"),
      Setting.LEADER_ELECTION, new Wiring(Map.of("leaderElection", Map.of("enabled", true)),
          "true"),
      Setting.LEASE_NAME, new Wiring(Map.of("leaderElection", Map.of("leaseName", "my-lease")),
          "my-lease"),
      Setting.HTTP_PORT, new Wiring(Map.of("metrics", Map.of("port", 9090)), "9090"),
      Setting.PER_RESOURCE_METRICS, new Wiring(Map.of("metrics", Map.of("perResource", true)),
          "true"),
      Setting.LOG_LEVEL, new Wiring(Map.of("logLevel", "DEBUG"), "DEBUG"),
      Setting.SHUTDOWN_TIMEOUT_SECONDS, new Wiring(Map.of("shutdownTimeoutSeconds", 45), "45"),
      Setting.COLLECTOR_IMAGE, new Wiring(Map.of("collector",
          Map.of("image", "otel/opentelemetry-collector-contrib:0.140.0")),
          "otel/opentelemetry-collector-contrib:0.140.0"),
      Setting.COLLECTOR_GATEWAY, new Wiring(Map.of("collector",
          Map.of("gateway", "http://gateway.observability:4317")),
          "http://gateway.observability:4317")));

  static {
    // past Map.of's ten pairs
    FROM_VALUES.put(Setting.RECONCILE_THREADS, new Wiring(Map.of("reconcileThreads", 4), "4"));
    FROM_VALUES.put(Setting.WATCH_TRANSPORT,
        new Wiring(Map.of("watchTransport", "websocket"), "websocket"));
  }

  record Wiring(Map<String, Object> values, String expected) {
  }

  /** Every optional part of the chart switched on, so every variable it can set is there. */
  private static Map<String, Object> everythingOn() {
    Map<String, Object> values = new HashMap<>();
    FROM_VALUES.values().forEach(wiring -> merge(values, wiring.values()));
    merge(values, Map.of("tracing", Map.of("enabled", true, "endpoint", "http://collector:4318")));
    return values;
  }

  /** Merges nested values as Helm merges values files: maps key by key, the rest replaced. */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> into, Map<String, Object> values) {
    values.forEach((key, value) -> {
      if (value instanceof Map<?, ?> map && into.get(key) instanceof Map<?, ?> existing) {
        Map<String, Object> merged = new HashMap<>((Map<String, Object>) existing);
        merge(merged, (Map<String, Object>) map);
        into.put(key, merged);
      } else {
        into.put(key, value);
      }
    });
  }

  @Test
  void everyOperatedVariableTheChartSetsIsASetting() {
    Set<String> variables = Arrays.stream(Setting.values()).map(Setting::variable)
        .collect(Collectors.toSet());
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), everythingOn())) {
      assertThat(env(RenderedChart.render(values)).keySet())
          .filteredOn(name -> name.startsWith("OPERATED_"))
          .as("OPERATED_* variables of the chart's Deployment that the operator does not read "
              + "(dev.operated.runtime.Setting)")
          .allMatch(variables::contains);
    }
  }

  @Test
  void everySettingIsSetByTheChartUnlessLeftOutWithAReason() {
    Map<String, EnvVar> env = env(RenderedChart.render(everythingOn()));
    for (Setting setting : Setting.values()) {
      if (NOT_IN_CHART.containsKey(setting)) {
        assertThat(env).as("%s is left out of the chart (%s)", setting.variable(),
            NOT_IN_CHART.get(setting)).doesNotContainKey(setting.variable());
      } else {
        assertThat(env).as("the chart sets no %s: wire it in "
            + "helm/operated/templates/deployment.yaml from a value in values.yaml (or list it "
            + "in NOT_IN_CHART with the reason)", setting.variable())
            .containsKey(setting.variable());
      }
    }
  }

  @Test
  void eachExposedValueReachesItsVariable() {
    for (Setting setting : Setting.values()) {
      if (NOT_IN_CHART.containsKey(setting)) {
        continue;
      }
      if (FROM_THE_POD.containsKey(setting)) {
        EnvVar variable = env(RenderedChart.render(Map.of())).get(setting.variable());
        assertThat(variable.getValueFrom().getFieldRef().getFieldPath()).as(setting.variable())
            .isEqualTo(FROM_THE_POD.get(setting));
        continue;
      }
      Wiring wiring = FROM_VALUES.get(setting);
      assertThat(wiring).as("which value of the chart sets %s? add it to FROM_VALUES",
          setting.variable()).isNotNull();
      assertThat(values(RenderedChart.render(wiring.values()))).as("%s with %s",
          setting.variable(), wiring.values()).containsEntry(setting.variable(), wiring.expected());
    }
  }

  @Test
  void theChartsDefaultsAreTheOperatorsDefaults() {
    Map<String, String> defaults = values(RenderedChart.render(Map.of()));
    for (Setting setting : Setting.values()) {
      if (FROM_THE_POD.containsKey(setting) || NOT_IN_CHART.containsKey(setting)) {
        continue;
      }
      if (setting.defaultValue().isEmpty()) {
        assertThat(defaults).as("%s is unset by default in the operator, so in the chart too",
            setting.variable()).doesNotContainKey(setting.variable());
      } else {
        assertThat(defaults).as("values.yaml's default for %s", setting.variable())
            .containsEntry(setting.variable(), setting.defaultValue());
      }
    }
  }

  @Test
  void whatTheChartRendersTheOperatorAccepts() {
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), everythingOn())) {
      Map<String, String> env = new LinkedHashMap<>(values(RenderedChart.render(values)));
      // what the kubelet fills in from the pod
      env.put(Setting.NAMESPACE.variable(), RenderedChart.NAMESPACE);
      env.put(Setting.IDENTITY.variable(), "operated-5d8f7c9b4-x2x7q");
      assertThatCode(() -> SettingsParser.parse(Map.of(), env)).as("%s", values)
          .doesNotThrowAnyException();
    }
  }

  private static Map<String, EnvVar> env(RenderedChart chart) {
    Container operator = chart.deployment().getSpec().getTemplate().getSpec().getContainers()
        .get(0);
    Map<String, EnvVar> env = new TreeMap<>();
    operator.getEnv().forEach(variable -> env.put(variable.getName(), variable));
    return env;
  }

  private static Map<String, String> values(RenderedChart chart) {
    Map<String, String> values = new TreeMap<>();
    env(chart).forEach((name, variable) -> {
      if (variable.getValue() != null) {
        values.put(name, variable.getValue());
      }
    });
    return values;
  }
}
