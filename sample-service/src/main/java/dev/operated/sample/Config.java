package dev.operated.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Everything the service reads from its environment (besides the OTEL_* variables, which the
 * OpenTelemetry SDK reads itself). Parsing reports every problem at once, each naming the
 * variable, what is wrong and what would be right.
 */
public record Config(
    int port,
    String bindAddress,
    Duration drain,
    Duration shutdownTimeout,
    boolean faultsEnabled,
    boolean requestInstrumentation,
    String logLevel,
    Duration warmup) {

  public static final String ENV_LOG_LEVEL = "LOG_LEVEL";
  /** Simulated warm-up (cache loading, say) between "listening" and "ready"; for demos and tests. */
  public static final String ENV_WARMUP_MS = "SAMPLE_WARMUP_MS";
  /**
   * false turns off the per-request span and timer: the uninstrumented baseline the benchmark
   * compares the full contract with (docs/benchmarks.md). Never off in production.
   */
  public static final String ENV_REQUEST_INSTRUMENTATION = "SAMPLE_REQUEST_INSTRUMENTATION";

  public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
  public static final String DEFAULT_LOG_LEVEL = "INFO";
  static final int MAX_SECONDS = 3600;
  static final int MAX_WARMUP_MS = 600_000;
  private static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR",
      "OFF");

  /** Reads the configuration; throws {@link ConfigException} listing every invalid variable. */
  public static Config fromEnv(Map<String, String> env) {
    Parser p = new Parser(env);
    int port = p.integer(SampleServiceDefaults.ENV_PORT, SampleServiceDefaults.PORT, 1, 65535,
        "a TCP port");
    String bindAddress = p.string(SampleServiceDefaults.ENV_BIND_ADDRESS, DEFAULT_BIND_ADDRESS);
    int drain = p.integer(SampleServiceDefaults.ENV_DRAIN_SECONDS,
        SampleServiceDefaults.DRAIN_SECONDS, 0, MAX_SECONDS, "a whole number of seconds");
    int timeout = p.integer(SampleServiceDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS,
        SampleServiceDefaults.SHUTDOWN_TIMEOUT_SECONDS, 0, MAX_SECONDS,
        "a whole number of seconds");
    boolean faults = p.bool(SampleServiceDefaults.ENV_FAULTS_ENABLED, false);
    boolean instrumentation = p.bool(ENV_REQUEST_INSTRUMENTATION, true);
    String level = p.logLevel(ENV_LOG_LEVEL, DEFAULT_LOG_LEVEL);
    int warmupMs = p.integer(ENV_WARMUP_MS, 0, 0, MAX_WARMUP_MS, "a whole number of milliseconds");
    if (!p.problems.isEmpty()) {
      throw new ConfigException(p.problems);
    }
    return new Config(port, bindAddress, Duration.ofSeconds(drain), Duration.ofSeconds(timeout),
        faults, instrumentation, level, Duration.ofMillis(warmupMs));
  }

  /** One or more environment variables hold values the service cannot run with. */
  public static final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<Problem> problems;

    ConfigException(List<Problem> problems) {
      super("invalid configuration: " + String.join("; ",
          problems.stream().map(Problem::message).toList()));
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }

  /** What is wrong with one variable. */
  public record Problem(String variable, String message) {
  }

  private static final class Parser {
    private final Map<String, String> env;
    private final List<Problem> problems = new ArrayList<>();

    Parser(Map<String, String> env) {
      this.env = env;
    }

    /** Unset and empty mean "use the default" (Kubernetes manifests often template in ""). */
    private String raw(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? null : value.trim();
    }

    int integer(String name, int defaultValue, int min, int max, String what) {
      String value = raw(name);
      if (value == null) {
        return defaultValue;
      }
      try {
        int parsed = Integer.parseInt(value);
        if (parsed >= min && parsed <= max) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // reported below, with the same message as an out-of-range number
      }
      problems.add(new Problem(name, String.format(Locale.ROOT,
          "%s=%s is not valid: set it to %s from %d to %d, or unset it for the default %d",
          name, quoted(value), what, min, max, defaultValue)));
      return defaultValue;
    }

    String string(String name, String defaultValue) {
      String value = raw(name);
      return value == null ? defaultValue : value;
    }

    boolean bool(String name, boolean defaultValue) {
      String value = raw(name);
      if (value == null) {
        return defaultValue;
      }
      if (value.equalsIgnoreCase("true")) {
        return true;
      }
      if (value.equalsIgnoreCase("false")) {
        return false;
      }
      problems.add(new Problem(name, String.format(Locale.ROOT,
          "%s=%s is not valid: set it to true or false, or unset it for the default %s",
          name, quoted(value), defaultValue)));
      return defaultValue;
    }

    String logLevel(String name, String defaultValue) {
      String value = raw(name);
      if (value == null) {
        return defaultValue;
      }
      String upper = value.toUpperCase(Locale.ROOT);
      if (LOG_LEVELS.contains(upper)) {
        return upper;
      }
      problems.add(new Problem(name, String.format(Locale.ROOT,
          "%s=%s is not valid: set it to one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, or unset "
              + "it for the default %s", name, quoted(value), defaultValue)));
      return defaultValue;
    }

    /** The offending value, quoted and cut short: enough to spot a typo, never a whole blob. */
    private static String quoted(String value) {
      String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
      return '"' + shown.replace("\"", "\\\"") + '"';
    }
  }
}
