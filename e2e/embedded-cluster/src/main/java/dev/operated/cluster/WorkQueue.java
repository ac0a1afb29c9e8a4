package dev.operated.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A controller's work queue, as client-go's: keys ({@code namespace/name}) wait once however often
 * they are added, one worker thread handles them in order, a failed key is added again after a
 * delay that doubles with each failure in a row (unless its namespace is being deleted), and
 * every second a resync may add keys no event would (deadlines that pass by themselves).
 */
final class WorkQueue implements AutoCloseable {

  /** What the worker does with a key. */
  @FunctionalInterface
  interface Handler {
    void handle(String namespace, String name);
  }

  /**
   * client-go's {@code DefaultControllerRateLimiter} per key ({@code
   * NewItemExponentialFailureRateLimiter(5*time.Millisecond, 1000*time.Second)}): without it a key
   * that keeps failing is handled again at once, a core spent and a warning logged thousands of
   * times a second.
   */
  static final Duration FIRST_RETRY = Duration.ofMillis(5);

  static final Duration LONGEST_RETRY = Duration.ofSeconds(1000);

  private final Set<String> queue = new LinkedHashSet<>();

  /** Failed keys and when they are due again; guarded by {@link #queue}. */
  private final Map<String, Instant> retries = new HashMap<>();

  /**
   * Failures in a row per key, forgotten when the key is handled without one; guarded by {@link
   * #queue}.
   */
  private final Map<String, Integer> failures = new HashMap<>();

  private final Duration firstRetry;
  private final Clock clock;
  private final Handler handler;
  private final Runnable resync;
  private final Logger log;
  private final Thread worker;
  private volatile boolean running = true;

  WorkQueue(String threadName, Handler handler, Runnable resync, Logger log) {
    this(threadName, handler, resync, log, FIRST_RETRY, Clock.systemUTC());
  }

  /** A first retry and a clock of the test's own: the delays and the resync's second read it. */
  WorkQueue(String threadName, Handler handler, Runnable resync, Logger log, Duration firstRetry,
      Clock clock) {
    this.firstRetry = firstRetry;
    this.clock = clock;
    this.handler = handler;
    this.resync = resync;
    this.log = log;
    this.worker = new Thread(this::run, threadName);
    worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  /**
   * Handles the key as soon as the worker is free, whether or not it waits for a retry: as
   * client-go's {@code Add}, an event does not wait out a failure's delay.
   */
  void enqueue(String namespace, String name) {
    synchronized (queue) {
      queue.add(namespace + "/" + name);
      queue.notifyAll();
    }
  }

  /** How many times in a row the key has failed (client-go's {@code NumRequeues}). */
  int failuresInARow(String namespace, String name) {
    synchronized (queue) {
      return failures.getOrDefault(namespace + "/" + name, 0);
    }
  }

  /** The delay before the retry that follows this many failures in a row (at least one). */
  static Duration retryDelay(Duration firstRetry, int failuresInARow) {
    int doublings = Math.min(failuresInARow - 1, 40);
    Duration delay = firstRetry.multipliedBy(1L << doublings);
    return delay.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : delay;
  }

  private void run() {
    Instant nextResync = clock.instant();
    while (running) {
      String key;
      synchronized (queue) {
        queueDueRetries();
        if (queue.isEmpty()) {
          try {
            queue.wait(millisToWait());
          } catch (InterruptedException e) {
            return;
          }
          queueDueRetries();
        }
        if (queue.isEmpty()) {
          key = null;
        } else {
          key = queue.iterator().next();
          queue.remove(key);
        }
      }
      if (key != null) {
        handle(key);
      }
      if (clock.instant().isAfter(nextResync)) {
        nextResync = clock.instant().plusSeconds(1);
        try {
          resync.run();
        } catch (RuntimeException e) {
          if (!droppedAsTerminating("a resync", e) && running) {
            log.warn("{}: resync failed", worker.getName(), e);
          }
        }
      }
    }
  }

  private void handle(String key) {
    int slash = key.indexOf('/');
    try {
      handler.handle(key.substring(0, slash), key.substring(slash + 1));
      synchronized (queue) {
        failures.remove(key);
      }
    } catch (RuntimeException e) {
      if (!droppedAsTerminating(key, e) && running) {
        retryLater(key, e);
      }
    }
  }

  /**
   * As the deployment, replica set and endpoint slice controllers handle it: a create in a
   * namespace being deleted fails until it is gone, so the work is dropped, not retried (every
   * queue here: none of them has anything to create there).
   */
  private boolean droppedAsTerminating(String what, RuntimeException failure) {
    if (!NamespaceLifecycle.refusedAsTerminating(failure)) {
      return false;
    }
    log.debug("{}: {} dropped, its namespace is being deleted", worker.getName(), what);
    return true;
  }

  private void retryLater(String key, RuntimeException failure) {
    Duration delay;
    int inARow;
    synchronized (queue) {
      inARow = failures.merge(key, 1, Integer::sum);
      delay = retryDelay(firstRetry, inARow);
      retries.merge(key, clock.instant().plus(delay), (earlier, later) -> earlier);
      queue.notifyAll();
    }
    if (inARow == 1) {
      log.warn("{}: {} failed; retrying in {} ms", worker.getName(), key, delay.toMillis(), failure);
    } else {
      log.warn(
          "{}: {} failed {} times in a row; retrying in {} ms: {}",
          worker.getName(), key, inARow, delay.toMillis(), failure.toString());
    }
  }

  /** Moves the retries that are due into the queue; the caller holds {@link #queue}. */
  private void queueDueRetries() {
    Instant now = clock.instant();
    retries.entrySet().removeIf(retry -> {
      if (retry.getValue().isAfter(now)) {
        return false;
      }
      queue.add(retry.getKey());
      return true;
    });
  }

  /** Until the next retry is due, and at most the half second between resync checks. */
  private long millisToWait() {
    Instant now = clock.instant();
    long millis = 500;
    for (Instant due : retries.values()) {
      millis = Math.min(millis, Duration.between(now, due).toMillis() + 1);
    }
    return Math.max(millis, 1);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    worker.interrupt();
    worker.join(TimeUnit.SECONDS.toMillis(5));
  }
}
