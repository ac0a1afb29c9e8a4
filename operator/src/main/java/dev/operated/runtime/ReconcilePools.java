package dev.operated.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread pools JOSDK reconciles and applies dependents on, handed to it in place of its
 * {@code Executors.newFixedThreadPool}: as many threads at once, but a thread idle for
 * {@link #IDLE_THREAD_LIFETIME} ends. A storm of new services starts every thread of both pools
 * and a fixed pool keeps them for the life of the process: 64 threads with their stacks and
 * per-thread buffers held by an operator that has nothing left to do (the threads after a storm
 * of issue 16; docs/benchmarks.md, "threads released after the storm").
 */
public final class ReconcilePools {

  /**
   * How long an idle thread waits for work before it ends: the JDK's cached pools' minute (the
   * HTTP client's among them), far longer than the gap between the events of one storm, so a
   * storm does not start its threads twice.
   */
  public static final Duration IDLE_THREAD_LIFETIME = Duration.ofSeconds(60);

  private ReconcilePools() {
  }

  /** The pool reconciles run on, threads named {@code operated-reconcile-N}. */
  public static ExecutorService reconciles(int threads) {
    return pool("operated-reconcile-", threads, IDLE_THREAD_LIFETIME);
  }

  /** The pool dependents are applied on, threads named {@code operated-dependent-N}. */
  public static ExecutorService dependents(int threads) {
    return pool("operated-dependent-", threads, IDLE_THREAD_LIFETIME);
  }

  /**
   * Up to {@code threads} tasks at once, the rest queued without bound as in a fixed pool (JOSDK
   * submits a resource's reconcile once, and never more than its resources); a thread is started
   * for a task while fewer than {@code threads} run, and ends after {@code idleLifetime} idle.
   */
  static ThreadPoolExecutor pool(String namePrefix, int threads, Duration idleLifetime) {
    AtomicInteger started = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, idleLifetime.toNanos(),
        TimeUnit.NANOSECONDS, new LinkedBlockingQueue<>(),
        task -> new Thread(task, namePrefix + started.incrementAndGet()));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
