package dev.operated.runtime;

/**
 * One configuration knob of {@code operated run}: a flag, the environment variable behind it
 * (what the Helm chart sets) and its default. A flag wins over the variable.
 */
public enum Setting {
  WATCH_NAMESPACES("--watch-namespaces", "OPERATED_WATCH_NAMESPACES", "all",
      "all, own (the operator's namespace) or a comma-separated list of namespaces"),
  NAMESPACE("--namespace", "OPERATED_NAMESPACE", "",
      "the namespace the operator runs in; empty: the service account's"),
  BIND_ADDRESS("--bind-address", "OPERATED_BIND_ADDRESS", "0.0.0.0",
      "address of the /livez, /readyz and /metrics endpoints"),
  HTTP_PORT("--http-port", "OPERATED_HTTP_PORT", "8080",
      "port of the /livez, /readyz and /metrics endpoints"),
  LOG_LEVEL("--log-level", "OPERATED_LOG_LEVEL", "INFO", "TRACE, DEBUG, INFO, WARN or ERROR"),
  LEADER_ELECTION("--leader-election", "OPERATED_LEADER_ELECTION", "false",
      "true to run one active operator among replicas through a Lease"),
  LEASE_NAME("--lease-name", "OPERATED_LEASE_NAME", "operated-operator-lease",
      "name of the Lease in the operator's namespace"),
  IDENTITY("--identity", "OPERATED_POD_NAME", "",
      "this replica's name in the Lease; empty: the host name"),
  PER_RESOURCE_METRICS("--per-resource-metrics", "OPERATED_PER_RESOURCE_METRICS", "false",
      "true to label metrics by resource (one series per OperatedService)"),
  SHUTDOWN_TIMEOUT_SECONDS("--shutdown-timeout-seconds", "OPERATED_SHUTDOWN_TIMEOUT_SECONDS",
      "20", "seconds to stop, release the lease and flush telemetry after SIGTERM"),
  COLLECTOR_IMAGE("--collector-image", "OPERATED_COLLECTOR_IMAGE", "",
      "image of the collector sidecar; empty: the built-in default"),
  COLLECTOR_GATEWAY("--collector-gateway", "OPERATED_COLLECTOR_GATEWAY", "",
      "OTLP gRPC URL sidecars export to when a service names no endpoint");

  private final String flag;
  private final String variable;
  private final String defaultValue;
  private final String meaning;

  Setting(String flag, String variable, String defaultValue, String meaning) {
    this.flag = flag;
    this.variable = variable;
    this.defaultValue = defaultValue;
    this.meaning = meaning;
  }

  public String flag() {
    return flag;
  }

  public String variable() {
    return variable;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String meaning() {
    return meaning;
  }

  /** How messages name it: both ways to set it. */
  public String names() {
    return flag + " (" + variable + ")";
  }
}
