package dev.operated.sample;

/**
 * The sample-service's side of the operational contract. The operator's defaults
 * ({@code dev.operated.api.ContractDefaults}) point at exactly these values, and a test in the
 * e2e module compares the two, so "works with the defaults" means the same on both sides.
 */
public final class SampleServiceDefaults {

  /** The one port for the API, the health endpoints and the metrics endpoint. */
  public static final int PORT = 8080;
  /** 200 while the process can make progress; never checks dependencies. */
  public static final String LIVENESS_PATH = "/livez";
  /** 503 until startup finished, 200 while serving, 503 from the moment SIGTERM arrives. */
  public static final String READINESS_PATH = "/readyz";
  /** Prometheus text exposition. */
  public static final String METRICS_PATH = "/metrics";
  /** Seconds the service keeps serving, not ready, after SIGTERM. */
  public static final int DRAIN_SECONDS = 5;
  /** Seconds, after the drain, to finish in-flight requests and flush telemetry. */
  public static final int SHUTDOWN_TIMEOUT_SECONDS = 10;

  public static final String ENV_PORT = "PORT";
  public static final String ENV_BIND_ADDRESS = "BIND_ADDRESS";
  public static final String ENV_DRAIN_SECONDS = "OPERATED_DRAIN_SECONDS";
  public static final String ENV_SHUTDOWN_TIMEOUT_SECONDS = "OPERATED_SHUTDOWN_TIMEOUT_SECONDS";
  public static final String ENV_FAULTS_ENABLED = "SAMPLE_FAULTS_ENABLED";

  private SampleServiceDefaults() {
  }
}
