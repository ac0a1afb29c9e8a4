package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReconcilePoolsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void runsAtMostItsThreadsAtOnceAndQueuesTheRestAsAFixedPoolDoes() throws Exception {
    ThreadPoolExecutor pool = ReconcilePools.pool("test-pool-", 2, Duration.ofMinutes(1));
    try {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(2);
      Set<String> threads = ConcurrentHashMap.newKeySet();
      CountDownLatch allDone = new CountDownLatch(5);
      for (int i = 0; i < 5; i++) {
        pool.execute(() -> {
          threads.add(Thread.currentThread().getName());
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          allDone.countDown();
        });
      }
      assertThat(running.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(pool.getActiveCount()).isEqualTo(2);
      assertThat(pool.getQueue()).hasSize(3);

      release.countDown();
      assertThat(allDone.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(threads).containsExactlyInAnyOrder("test-pool-1", "test-pool-2");
    } finally {
      pool.shutdownNow();
    }
  }

  /** What Executors.newFixedThreadPool does not do: it keeps every thread it ever started. */
  @Test
  void anIdleThreadEndsAfterItsLifetimeAndANewOneStartsForTheNextTask() throws Exception {
    ThreadPoolExecutor pool = ReconcilePools.pool("idle-pool-", 4, Duration.ofMillis(200));
    try {
      CountDownLatch done = new CountDownLatch(4);
      for (int i = 0; i < 4; i++) {
        pool.execute(done::countDown);
      }
      assertThat(done.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(pool.getLargestPoolSize()).isEqualTo(4);

      await().atMost(TIMEOUT).until(() -> pool.getPoolSize() == 0);

      CountDownLatch again = new CountDownLatch(1);
      pool.execute(again::countDown);
      assertThat(again.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theOperatorsPoolsLetIdleThreadsGoAfterAMinute() {
    for (var pool : new ThreadPoolExecutor[] {
        (ThreadPoolExecutor) ReconcilePools.reconciles(32),
        (ThreadPoolExecutor) ReconcilePools.dependents(32)}) {
      try {
        assertThat(pool.allowsCoreThreadTimeOut()).isTrue();
        assertThat(pool.getKeepAliveTime(TimeUnit.SECONDS)).isEqualTo(60);
        assertThat(pool.getMaximumPoolSize()).isEqualTo(32);
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
