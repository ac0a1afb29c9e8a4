package dev.operated.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Pauses one in-process controller: while paused, the controller's actions are not run but kept,
 * the latest per key (a pod's newest status report replaces an older one: only the last state
 * matters to a level-triggered controller), and run once it is resumed, so it catches up as a
 * restarted controller does from its informers. Pausing waits for the actions in flight, so once
 * {@link #pause()} returns the controller writes nothing until resumed.
 */
final class ControllerGate {

  /** Actions hold the read lock while they run; pausing takes the write lock to wait for them. */
  private final ReadWriteLock inFlight = new ReentrantReadWriteLock();
  private final Map<String, Runnable> deferred = new LinkedHashMap<>();
  private int pauses;

  /**
   * Runs the action now, unless the controller is paused: then {@code catchUp} runs once it is
   * resumed (typically: the same action, queued again where the controller runs its work).
   */
  void run(String key, Runnable action, Runnable catchUp) {
    inFlight.readLock().lock();
    try {
      synchronized (deferred) {
        if (pauses > 0) {
          deferred.remove(key); // the newest goes last, after what it may depend on
          deferred.put(key, catchUp);
          return;
        }
      }
      action.run();
    } finally {
      inFlight.readLock().unlock();
    }
  }

  /** Paused until the returned pause is closed; pauses nest. */
  EmbeddedCluster.Pause pause() {
    inFlight.writeLock().lock();
    try {
      synchronized (deferred) {
        pauses++;
      }
    } finally {
      inFlight.writeLock().unlock();
    }
    boolean[] resumed = new boolean[1];
    return () -> {
      synchronized (resumed) {
        if (!resumed[0]) {
          resumed[0] = true;
          resume();
        }
      }
    };
  }

  boolean paused() {
    synchronized (deferred) {
      return pauses > 0;
    }
  }

  private void resume() {
    List<Runnable> catchUps;
    synchronized (deferred) {
      pauses--;
      if (pauses > 0) {
        return;
      }
      catchUps = new ArrayList<>(deferred.values());
      deferred.clear();
    }
    catchUps.forEach(Runnable::run);
  }
}
