package dev.operated.sample;

import java.time.Duration;

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
  /** While set, and until this System.nanoTime(), a READY process fails its readiness probe. */
  private volatile boolean unreadyRequested;
  private volatile long unreadyUntil;

  /** The phase readiness reports: READY held back while a demo asked to be taken out. */
  Phase phase() {
    Phase current = phase;
    boolean heldBack = unreadyRequested && System.nanoTime() - unreadyUntil < 0;
    return current == Phase.READY && heldBack ? Phase.STARTING : current;
  }

  boolean ready() {
    return phase() == Phase.READY;
  }

  /**
   * Readiness fails for a while although the process is fine: what a lost dependency looks like
   * to a load balancer. The pod leaves the Service and, since liveness still passes, is not
   * restarted.
   */
  void unreadyFor(Duration duration) {
    unreadyUntil = System.nanoTime() + duration.toNanos();
    unreadyRequested = true;
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
