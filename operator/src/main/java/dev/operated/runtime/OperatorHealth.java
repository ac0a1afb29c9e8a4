package dev.operated.runtime;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Live and ready, from JOSDK's runtime state. Live only says the process can make progress, so
 * a standby, a slow start or an unreachable API server never gets the pod restarted; with leader
 * election it also says the elector still runs (a replica whose elector died would never lead).
 * Ready means "able to reconcile": started, every informer running with a synced cache and no
 * other event source unhealthy ({@link StalledEventSources}: a watch between connections does not
 * count), not shutting down.
 * Leadership is not part of it, as in kubebuilder's scaffold: a standby with warm caches is ready
 * to take over, so a rolling update can wait for it before it stops the leader.
 */
public final class OperatorHealth {

  /** What an endpoint answers: the status and the reasons behind it. */
  public record Check(boolean ok, Map<String, Object> details) {
  }

  private final boolean leaderElection;
  private final BooleanSupplier electorAlive;
  private final AtomicReference<Operator> operator = new AtomicReference<>();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean shuttingDown = new AtomicBoolean();

  /** @param electorAlive whether the leader elector still runs; read only with leader election */
  public OperatorHealth(boolean leaderElection, BooleanSupplier electorAlive) {
    this.leaderElection = leaderElection;
    this.electorAlive = electorAlive;
  }

  void operatorCreated(Operator created) {
    operator.set(created);
  }

  void leadershipChanged(boolean nowLeading) {
    leading.set(nowLeading);
  }

  /** @return false when shutdown had already begun */
  boolean shutdownBegun() {
    return shuttingDown.compareAndSet(false, true);
  }

  public boolean shuttingDown() {
    return shuttingDown.get();
  }

  public boolean leading() {
    return leading.get();
  }

  public Check live() {
    if (!leaderElection) {
      return new Check(true, Map.of("status", "live"));
    }
    boolean alive = electorAlive.getAsBoolean();
    return new Check(alive, Map.of("status", alive ? "live" : "not live",
        "leaderElector", alive ? "running" : "stopped: no Lease request for too long"));
  }

  public Check ready() {
    Map<String, Object> details = new LinkedHashMap<>();
    Operator current = operator.get();
    RuntimeInfo info = current == null ? null : current.getRuntimeInfo();
    boolean started = info != null && info.isStarted();
    details.put("started", started);
    Map<String, Set<String>> stalled = started ? StalledEventSources.of(info) : Map.of();
    boolean healthy = started && stalled.isEmpty();
    details.put("eventSourcesHealthy", healthy);
    if (started && !healthy) {
      // per controller, the sources: what an operator needs to find the watch that is down
      details.put("unhealthyEventSources", stalled);
    }
    if (leaderElection) {
      details.put("leader", leading.get());
    }
    details.put("shuttingDown", shuttingDown.get());
    boolean ok = started && healthy && !shuttingDown.get();
    details.put("status", ok ? "ready" : "not ready");
    return new Check(ok, details);
  }
}
