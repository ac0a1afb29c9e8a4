package dev.operated.desired;

import dev.operated.api.HealthSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

/**
 * The app's probes. Plain httpGet on purpose: Istio rewrites httpGet probes so they keep working
 * under STRICT mTLS, which it cannot do for exec or tcp probes.
 */
public final class Probes {

  /** Short, so a JVM that starts in 3 s takes traffic in 3-5 s, not after a 10 s period. */
  static final int STARTUP_PERIOD_SECONDS = 2;
  static final int LIVENESS_PERIOD_SECONDS = 10;
  static final int LIVENESS_FAILURE_THRESHOLD = 3;
  static final int READINESS_PERIOD_SECONDS = 5;
  static final int READINESS_FAILURE_THRESHOLD = 2;
  static final int TIMEOUT_SECONDS = 2;

  private Probes() {
  }

  /**
   * Runs until the first success, holding liveness and readiness off: periods x failures covers
   * the declared startup allowance, so liveness never kills a slow start.
   */
  public static Probe startup(HealthSpec health, IntOrString port) {
    int failures = (health.startupSeconds() + STARTUP_PERIOD_SECONDS - 1) / STARTUP_PERIOD_SECONDS;
    return httpGet(health.livenessPath(), port, STARTUP_PERIOD_SECONDS, Math.max(1, failures));
  }

  public static Probe liveness(HealthSpec health, IntOrString port) {
    return httpGet(health.livenessPath(), port, LIVENESS_PERIOD_SECONDS,
        LIVENESS_FAILURE_THRESHOLD);
  }

  public static Probe readiness(HealthSpec health, IntOrString port) {
    return httpGet(health.readinessPath(), port, READINESS_PERIOD_SECONDS,
        READINESS_FAILURE_THRESHOLD);
  }

  private static Probe httpGet(String path, IntOrString port, int period, int failures) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withPort(port).endHttpGet()
        .withPeriodSeconds(period)
        .withTimeoutSeconds(TIMEOUT_SECONDS)
        .withFailureThreshold(failures)
        .withSuccessThreshold(1)
        .build();
  }
}
