package dev.operated.runtime;

import io.javaoperatorsdk.operator.health.EventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The event sources whose watch is down, for the {@code unhealthy_event_sources} gauge and its
 * alert: an informer stopped or not synced ({@link StalledEventSources}), or one that has not
 * been watching for longer than {@link #LONGEST_QUIET_WATCH}.
 *
 * <p>"Not watching" alone is no outage: an informer between two connections is not watching,
 * and neither is an HTTP watch on which nothing has arrived yet (fabric8 7.5 marks it started
 * on its first byte). On a healthy watch kube-apiserver sends a bookmark at least every minute
 * ({@code defaultBookmarkFrequency} in staging/src/k8s.io/apiserver/pkg/storage/cacher), and
 * fabric8 asks for bookmarks, so a watch that has been silent for three of those periods is
 * down: the API server unreachable, or a watch it keeps refusing. Read each time the gauge is
 * scraped; an informer is timed from the first read that finds it not watching.
 */
final class WatchOutages {

  /** Three of kube-apiserver's bookmark periods. */
  static final Duration LONGEST_QUIET_WATCH = Duration.ofMinutes(3);

  private final Clock clock;
  private final Map<InformerHealthIndicator, Instant> notWatchingSince = new IdentityHashMap<>();

  WatchOutages(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param unhealthy what JOSDK reports unhealthy, per controller and source name
   *                  ({@code RuntimeInfo.unhealthyEventSources()})
   * @return how many of those sources have a watch down
   */
  synchronized int count(Map<String, Map<String, EventSourceHealthIndicator>> unhealthy) {
    Instant now = clock.instant();
    Set<InformerHealthIndicator> notWatching = Collections.newSetFromMap(new IdentityHashMap<>());
    int down = 0;
    for (Map<String, EventSourceHealthIndicator> sources : unhealthy.values()) {
      for (EventSourceHealthIndicator source : sources.values()) {
        if (!(source instanceof InformerWrappingEventSourceHealthIndicator<?> informers)) {
          down++;
          continue;
        }
        boolean sourceDown = false;
        for (InformerHealthIndicator informer : informers.informerHealthIndicators().values()) {
          if (StalledEventSources.stalled(informer)) {
            sourceDown = true;
          } else if (!informer.isWatching()) {
            notWatching.add(informer);
            Instant since = notWatchingSince.computeIfAbsent(informer, ignored -> now);
            sourceDown |= Duration.between(since, now).compareTo(LONGEST_QUIET_WATCH) > 0;
          }
        }
        if (sourceDown) {
          down++;
        }
      }
    }
    notWatchingSince.keySet().retainAll(notWatching);
    return down;
  }
}
