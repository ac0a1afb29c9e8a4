package dev.operated.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Latency, the fault that is not an error: chosen requests are served, but only after a delay or
 * once the test releases them, as a slow network, an overloaded API server or a client paused
 * mid-request makes them. A held write is in flight: the client has sent it and waits, and the
 * store takes it when it is let through. Off until a test adds a delay; the request log keeps the
 * time each arrived ({@link ApiRequest#at()}) and, once served, its answer.
 */
public final class RequestDelays {

  /** Requests held until {@link #release()} or the longest hold has passed. */
  public static final class Hold {
    private final Predicate<ApiRequest> matches;
    private final AtomicInteger remaining;
    private final Duration longest;
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger arrived = new AtomicInteger();

    private Hold(Predicate<ApiRequest> matches, int times, Duration longest) {
      this.matches = matches;
      this.remaining = new AtomicInteger(times);
      this.longest = longest;
    }

    /** Lets every held request through, and later ones pass. */
    public void release() {
      remaining.set(0);
      released.countDown();
    }

    /** How many requests this hold has caught so far. */
    public int arrived() {
      return arrived.get();
    }

    private boolean takes(ApiRequest request) {
      return matches.test(request) && remaining.getAndDecrement() > 0;
    }

    private void await() {
      arrived.incrementAndGet();
      try {
        released.await(longest.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final List<Hold> holds = new CopyOnWriteArrayList<>();

  RequestDelays() {
  }

  /** Serves each of the next {@code times} matching requests after this much latency. */
  public Hold delay(int times, Predicate<ApiRequest> matches, Duration latency) {
    return hold(times, matches, latency);
  }

  /**
   * Holds the next {@code times} matching requests until the returned hold is released (at most
   * {@code longest}, so a test that fails never leaves a request hanging).
   */
  public Hold hold(int times, Predicate<ApiRequest> matches, Duration longest) {
    Hold hold = new Hold(matches, times, longest);
    holds.add(hold);
    return hold;
  }

  /** Waits as the first hold taking this request says; returns at once when none does. */
  void await(ApiRequest request) {
    for (Hold hold : holds) {
      if (hold.takes(request)) {
        hold.await();
        return;
      }
    }
  }
}
