package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controllers' work queue retries a failed key as client-go's rate-limited queue does
 * ({@code k8s.io/client-go/util/workqueue/default_rate_limiters.go}: {@code
 * DefaultControllerRateLimiter}, {@code ItemExponentialFailureRateLimiter.When} and {@code
 * Forget}; the controllers' {@code handleErr}, which calls {@code AddRateLimited} on a failure and
 * {@code Forget} on a success).
 */
class WorkQueueTest {

  private static final Logger LOG = LoggerFactory.getLogger(WorkQueueTest.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private WorkQueue queue;

  @AfterEach
  void close() throws InterruptedException {
    if (queue != null) {
      queue.close();
    }
  }

  @Test
  void theDelayDoublesFromFiveMillisecondsWithEachFailureUpToAThousandSeconds() {
    assertThat(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, 1)).isEqualTo(Duration.ofMillis(5));
    assertThat(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, 2)).isEqualTo(Duration.ofMillis(10));
    assertThat(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, 8)).isEqualTo(Duration.ofMillis(640));
    assertThat(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, 18)).isEqualTo(Duration.ofMillis(655_360));
    assertThat(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, 19)).isEqualTo(Duration.ofSeconds(1000));
    assertThat(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, 1_000)).isEqualTo(Duration.ofSeconds(1000));
  }

  @Test
  void aKeyThatKeepsFailingWaitsLongerBeforeEachRetry() {
    List<Long> calls = new CopyOnWriteArrayList<>();
    queue = new WorkQueue("test-queue", (namespace, name) -> {
      calls.add(System.nanoTime());
      throw new IllegalStateException("the API server is unavailable");
    }, () -> { }, LOG);
    queue.start();
    queue.enqueue("shop", "web");

    // before the backoff, the key came straight back: thousands of handlings a second
    await().atMost(TIMEOUT).until(() -> calls.size() >= 7);
    for (int retry = 1; retry < 7; retry++) {
      Duration gap = Duration.ofNanos(calls.get(retry) - calls.get(retry - 1));
      assertThat(gap)
          .as("the wait before retry %d", retry)
          .isGreaterThanOrEqualTo(WorkQueue.retryDelay(WorkQueue.FIRST_RETRY, retry).minusMillis(1));
    }
    await().atMost(TIMEOUT).until(() -> queue.failuresInARow("shop", "web") >= 7);
  }

  @Test
  void aKeyHandledWithoutAFailureHasItsFailuresForgotten() {
    List<Integer> failuresSeen = new CopyOnWriteArrayList<>();
    queue = new WorkQueue("test-queue", (namespace, name) -> {
      failuresSeen.add(queue.failuresInARow(namespace, name));
      if (failuresSeen.size() <= 3) {
        throw new IllegalStateException("conflict");
      }
    }, () -> { }, LOG);
    queue.start();
    queue.enqueue("shop", "web");

    await().atMost(TIMEOUT).until(() -> failuresSeen.size() >= 4);
    assertThat(failuresSeen).startsWith(0, 1, 2, 3);
    await().atMost(TIMEOUT).until(() -> queue.failuresInARow("shop", "web") == 0);
  }

  @Test
  void anEventDoesNotWaitOutAFailuresDelay() {
    AtomicInteger calls = new AtomicInteger();
    queue = new WorkQueue("test-queue", (namespace, name) -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("conflict");
      }
    }, () -> { }, LOG, Duration.ofHours(1), Clock.systemUTC());
    queue.start();
    queue.enqueue("shop", "web");
    await().atMost(TIMEOUT).until(() -> queue.failuresInARow("shop", "web") == 1);

    queue.enqueue("shop", "web");

    await().atMost(TIMEOUT).until(() -> calls.get() == 2);
    await().atMost(TIMEOUT).until(() -> queue.failuresInARow("shop", "web") == 0);
  }

  @Test
  void aResyncThatFailsIsNotCountedAgainstTheKeyHandledBeforeIt() {
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger resyncs = new AtomicInteger();
    SteppedClock clock = new SteppedClock();
    queue = new WorkQueue("test-queue", (namespace, name) -> {
      calls.incrementAndGet();
      // the key took longer than a resync's second: the resync is due right after, in this turn
      clock.advance(Duration.ofSeconds(2));
    }, () -> {
      resyncs.incrementAndGet();
      throw new IllegalStateException("the resync's list failed");
    }, LOG, WorkQueue.FIRST_RETRY, clock);
    queue.start();
    await().atMost(TIMEOUT).until(() -> resyncs.get() >= 1);

    queue.enqueue("shop", "web");

    await().atMost(TIMEOUT).until(() -> resyncs.get() >= 2);
    assertThat(calls).hasValue(1);
    assertThat(queue.failuresInARow("shop", "web")).isZero();
  }

  /** The system clock, moved ahead by the test. */
  private static final class SteppedClock extends Clock {
    private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

    void advance(Duration by) {
      ahead.updateAndGet(current -> current.plus(by));
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(ahead.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void otherKeysAreHandledWhileAFailedOneWaits() {
    List<String> handled = new CopyOnWriteArrayList<>();
    queue = new WorkQueue("test-queue", (namespace, name) -> {
      handled.add(name);
      if (name.equals("broken")) {
        throw new IllegalStateException("always");
      }
    }, () -> { }, LOG, Duration.ofHours(1), Clock.systemUTC());
    queue.start();
    queue.enqueue("shop", "broken");
    await().atMost(TIMEOUT).until(() -> queue.failuresInARow("shop", "broken") == 1);

    queue.enqueue("shop", "web");

    await().atMost(TIMEOUT).until(() -> handled.contains("web"));
    assertThat(handled).containsExactly("broken", "web");
  }
}
