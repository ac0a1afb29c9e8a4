package dev.operated.sample;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

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

  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  /** While set, and until this System.nanoTime(), a READY process fails its readiness probe. */
  private volatile boolean unreadyRequested;
  private volatile long unreadyUntil;

  /** The phase readiness reports: READY held back while a demo asked to be taken out. */
  Phase phase() {
    Phase current = phase.get();
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

  /** Only from STARTING, in one step: a SIGTERM that lands as start-up ends is never undone. */
  void ready(boolean startupFinished) {
    if (startupFinished) {
      phase.compareAndSet(Phase.STARTING, Phase.READY);
    }
  }

  void draining() {
    phase.set(Phase.DRAINING);
  }

  void stopping() {
    phase.set(Phase.STOPPING);
  }

  /** SIGTERM has arrived: responses tell clients to reconnect (to a pod still serving). */
  boolean shuttingDown() {
    Phase current = phase.get();
    return current == Phase.DRAINING || current == Phase.STOPPING;
  }
}
