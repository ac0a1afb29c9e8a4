package dev.operated.cluster;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A controller's work queue, as client-go's: keys ({@code namespace/name}) wait once however often
 * they are added, one worker thread handles them in order, a failed key is added again (unless
 * its namespace is being deleted), and every second a resync may add keys no event would
 * (deadlines that pass by themselves).
 */
final class WorkQueue implements AutoCloseable {

  /** What the worker does with a key. */
  @FunctionalInterface
  interface Handler {
    void handle(String namespace, String name);
  }

  private final Set<String> queue = new LinkedHashSet<>();
  private final Handler handler;
  private final Runnable resync;
  private final Logger log;
  private final Thread worker;
  private volatile boolean running = true;

  WorkQueue(String threadName, Handler handler, Runnable resync, Logger log) {
    this.handler = handler;
    this.resync = resync;
    this.log = log;
    this.worker = new Thread(this::run, threadName);
    worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  void enqueue(String namespace, String name) {
    synchronized (queue) {
      queue.add(namespace + "/" + name);
      queue.notifyAll();
    }
  }

  private void run() {
    Instant nextResync = Instant.now();
    while (running) {
      String key;
      synchronized (queue) {
        if (queue.isEmpty()) {
          try {
            queue.wait(500);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (queue.isEmpty()) {
          key = null;
        } else {
          key = queue.iterator().next();
          queue.remove(key);
        }
      }
      try {
        if (key != null) {
          int slash = key.indexOf('/');
          handler.handle(key.substring(0, slash), key.substring(slash + 1));
        }
        if (Instant.now().isAfter(nextResync)) {
          nextResync = Instant.now().plusSeconds(1);
          resync.run();
        }
      } catch (RuntimeException e) {
        if (NamespaceLifecycle.refusedAsTerminating(e)) {
          // as the deployment, replica set and endpoint slice controllers handle it: a create
          // in a namespace being deleted fails until it is gone, so the key is dropped, not
          // retried (every queue here: none of them has anything to create there)
          log.debug("{}: {} dropped, its namespace is being deleted", worker.getName(), key);
        } else if (running) {
          log.warn("{}: {} failed; retrying", worker.getName(), key, e);
          if (key != null) {
            int slash = key.indexOf('/');
            enqueue(key.substring(0, slash), key.substring(slash + 1));
          }
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    worker.interrupt();
    worker.join(TimeUnit.SECONDS.toMillis(5));
  }
}
