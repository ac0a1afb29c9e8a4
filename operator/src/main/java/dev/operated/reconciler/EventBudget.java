package dev.operated.reconciler;

import dev.operated.desired.RecentlyUsed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * How many Events the operator may write about one object: client-go's
 * {@code EventSourceObjectSpamFilter} (tools/record/events_cache.go), a token bucket per source
 * and involved object that starts with {@code defaultSpamBurst} = 25 tokens and refills one every
 * 300 s ({@code defaultSpamQPS}). A service whose readiness flaps for an hour then writes about
 * 37 Events, not one per flap; the status still tells the current truth at once.
 */
final class EventBudget {

  static final int BURST = 25;
  static final Duration REFILL = Duration.ofSeconds(300);
  /** client-go's {@code maxLruCacheEntries}: the objects remembered, the oldest forgotten first. */
  static final int REMEMBERED_OBJECTS = 4096;

  private final Clock clock;
  /** Guarded by this budget's own lock ({@link #tryTake}). */
  private final Map<String, Bucket> buckets = RecentlyUsed.map(REMEMBERED_OBJECTS);

  EventBudget(Clock clock) {
    this.clock = clock;
  }

  /** Takes a token for an Event about {@code objectKey}, or says the Event is to be dropped. */
  synchronized boolean tryTake(String objectKey) {
    Instant now = clock.instant();
    Bucket bucket = buckets.computeIfAbsent(objectKey, key -> new Bucket(BURST, now));
    long elapsedMillis = Math.max(0, Duration.between(bucket.at, now).toMillis());
    double tokens = Math.min(BURST, bucket.tokens + (double) elapsedMillis / REFILL.toMillis());
    boolean taken = tokens >= 1;
    buckets.put(objectKey, new Bucket(taken ? tokens - 1 : tokens, now));
    return taken;
  }

  private record Bucket(double tokens, Instant at) {
  }
}
