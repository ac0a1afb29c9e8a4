package dev.operated.runtime;

/**
 * One configuration knob of {@code operated run}, declared here and nowhere else: its flag, the
 * environment variable behind it (what the Helm chart sets), its default and what it means. A
 * flag wins over the variable. The run command's options are made from these constants, and
 * tests hold the README's settings table and the chart's env against them, so a new constant
 * without its README row or its chart wiring fails the build (SettingsDeclaredOnceTest,
 * ChartSettingsTest).
 */
public enum Setting {
  WATCH_NAMESPACES("--watch-namespaces", "OPERATED_WATCH_NAMESPACES", "all|own|NS[,NS...]",
      "all", "namespaces to reconcile in: all, own (the operator's namespace) or a "
          + "comma-separated list such as shop,billing"),
  NAMESPACE("--namespace", "OPERATED_NAMESPACE", "NS", "",
      "the operator's own namespace (its Lease, mode own); unset: the service account's"),
  HTTP_PORT("--http-port", "OPERATED_HTTP_PORT", "PORT", "8080",
      "port of the /livez, /readyz and /metrics endpoints"),
  BIND_ADDRESS("--bind-address", "OPERATED_BIND_ADDRESS", "IP", "0.0.0.0",
      "address of the /livez, /readyz and /metrics endpoints"),
  LOG_LEVEL("--log-level", "OPERATED_LOG_LEVEL", "LEVEL", "INFO",
      "TRACE, DEBUG, INFO, WARN or ERROR; JSON logs on stderr, with the resource, controller and "
          + "trace_id/span_id of a reconcile"),
  LEADER_ELECTION("--leader-election", "OPERATED_LEADER_ELECTION", "true|false", "false",
      "true: one active operator among the replicas, through a Lease"),
  LEASE_NAME("--lease-name", "OPERATED_LEASE_NAME", "NAME", "operated-operator-lease",
      "name of the Lease in the operator's namespace"),
  IDENTITY("--identity", "OPERATED_POD_NAME", "NAME", "",
      "this replica's name in the Lease; unset: the host name"),
  PER_RESOURCE_METRICS("--per-resource-metrics", "OPERATED_PER_RESOURCE_METRICS", "true|false",
      "false", "true: label metrics by resource, one series per OperatedService (unbounded)"),
  SHUTDOWN_TIMEOUT_SECONDS("--shutdown-timeout-seconds", "OPERATED_SHUTDOWN_TIMEOUT_SECONDS",
      "SECONDS", "20",
      "seconds after SIGTERM to stop the reconcilers, release the Lease and flush telemetry"),
  COLLECTOR_IMAGE("--collector-image", "OPERATED_COLLECTOR_IMAGE", "IMAGE", "",
      "image of the collector sidecar; unset: the built-in default"),
  COLLECTOR_GATEWAY("--collector-gateway", "OPERATED_COLLECTOR_GATEWAY", "URL", "",
      "OTLP gRPC URL collector sidecars export to when a service names no endpoint; unset: none"),
  RECONCILE_THREADS("--reconcile-threads", "OPERATED_RECONCILE_THREADS", "N", "32",
      "OperatedServices reconciled at once, and threads applying their objects (JOSDK's default "
          + "is 50 of each); 1 to 100"),
  WATCH_TRANSPORT("--watch-transport", "OPERATED_WATCH_TRANSPORT", "http|websocket", "http",
      "how watches reach the API server: http (a streamed response, as client-go watches) or "
          + "websocket (for a proxy that serves watches only that way); either way over "
          + "HTTP/1.1, a connection per watch");

  private final String flag;
  private final String variable;
  private final String paramLabel;
  private final String defaultValue;
  private final String meaning;

  Setting(String flag, String variable, String paramLabel, String defaultValue, String meaning) {
    this.flag = flag;
    this.variable = variable;
    this.paramLabel = paramLabel;
    this.defaultValue = defaultValue;
    this.meaning = meaning;
  }

  public String flag() {
    return flag;
  }

  public String variable() {
    return variable;
  }

  /** What the flag's value looks like, in the help. */
  public String paramLabel() {
    return paramLabel;
  }

  /** The value when neither flag nor variable is given; empty means unset. */
  public String defaultValue() {
    return defaultValue;
  }

  /** What it does, for a person: the help text and the README's table. */
  public String meaning() {
    return meaning;
  }

  /** How messages name it: both ways to set it. */
  public String names() {
    return flag + " (" + variable + ")";
  }

  /**
   * The help of its option: the meaning, the variable and the default (an unset one is explained
   * by the meaning, "unset: ...").
   */
  public String help() {
    return meaning + ". Env " + variable + (defaultValue.isEmpty() ? "."
        : "; default " + defaultValue + ".");
  }
}
