package dev.operated.api;

/**
 * The workload side of the operational contract, as the operator assumes it when a spec leaves a
 * field out. The contract is written down in {@code docs/contract.md} (endpoints, environment,
 * logs, panics, shutdown); the sample-service ships the same values (SampleServiceDefaults), and
 * ContractDefaultsAgreeTest (e2e/tests) proves that the doc, these constants and the
 * sample-service agree, so "works with the defaults" means the same thing everywhere.
 */
public final class ContractDefaults {

  public static final int PORT = 8080;
  public static final String PORT_NAME = "http";
  public static final String LIVENESS_PATH = "/livez";
  public static final String READINESS_PATH = "/readyz";
  public static final String METRICS_PATH = "/metrics";
  /** Covers a cold JVM start on a busy node; the startup probe holds liveness off this long. */
  public static final int STARTUP_SECONDS = 60;
  /**
   * Endpoint removal reaches kube-proxy, ingress controllers and meshes seconds after a pod starts
   * terminating; serving on for this long closes that race.
   */
  public static final int DRAIN_SECONDS = 5;
  public static final int SHUTDOWN_TIMEOUT_SECONDS = 10;

  /** Environment the operator gives the app so it drains itself when the kubelet cannot. */
  public static final String ENV_DRAIN_SECONDS = "OPERATED_DRAIN_SECONDS";
  public static final String ENV_SHUTDOWN_TIMEOUT_SECONDS = "OPERATED_SHUTDOWN_TIMEOUT_SECONDS";

  // The CRD generator takes defaults as strings; these stay in step with the numbers above.
  static final String PORT_TEXT = "" + PORT;
  static final String STARTUP_SECONDS_TEXT = "" + STARTUP_SECONDS;
  static final String DRAIN_SECONDS_TEXT = "" + DRAIN_SECONDS;
  static final String SHUTDOWN_TIMEOUT_SECONDS_TEXT = "" + SHUTDOWN_TIMEOUT_SECONDS;

  private ContractDefaults() {
  }
}
