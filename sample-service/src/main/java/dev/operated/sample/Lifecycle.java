package dev.operated.sample;

/** Where the process is in its life; readiness is derived from it and nothing else. */
final class Lifecycle {

  enum Phase {
    /** Listening (liveness answers) but not yet able to serve: readiness 503. */
    STARTING,
    /** Serving: readiness 200. */
    READY,
    /** SIGTERM arrived: readiness 503, requests are still served for the drain window. */
    DRAINING,
    /** The drain is over: no new connections, in-flight requests finish, telemetry flushes. */
    STOPPING
  }

  private volatile Phase phase = Phase.STARTING;

  Phase phase() {
    return phase;
  }

  boolean ready() {
    return phase == Phase.READY;
  }

  void ready(boolean startupFinished) {
    if (startupFinished && phase == Phase.STARTING) {
      phase = Phase.READY;
    }
  }

  void draining() {
    phase = Phase.DRAINING;
  }

  void stopping() {
    phase = Phase.STOPPING;
  }
}
