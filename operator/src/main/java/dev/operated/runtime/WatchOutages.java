package dev.operated.runtime;

import io.javaoperatorsdk.operator.health.EventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The event sources whose watch is down, for the {@code unhealthy_event_sources} gauge and its
 * alert: an informer stopped or not synced ({@link StalledEventSources}), and, over WebSockets,
 * one that has not been watching for longer than {@link #LONGEST_QUIET_WATCH}.
 *
 * <p>fabric8 marks a WebSocket watch as watching when the socket opens, so a WebSocket informer
 * that is not watching is between connections; one that stays so for minutes cannot reach the
 * API server, or is refused. An HTTP watch (the default) is marked watching only on its first
 * byte, and kube-apiserver sends a quiet watch nothing until its type changes or its cache's
 * version moves (a bookmark is sent only for a newer version: {@code cacheWatcher.process} in
 * staging/src/k8s.io/apiserver/pkg/storage/cacher), which on a type nobody writes can outlast
 * the watch itself; so over HTTP "not watching" says nothing, and only stopped or unsynced
 * informers count. Read each time the gauge is scraped; an informer is timed from the first
 * read that finds it not watching.
 */
final class WatchOutages {

  /** Longer than a reconnect's backoff and handshake take, many times over. */
  static final Duration LONGEST_QUIET_WATCH = Duration.ofMinutes(3);

  private final Clock clock;
  private final boolean webSocketWatches;
  private final Map<InformerHealthIndicator, Instant> notWatchingSince = new IdentityHashMap<>();

  /**
   * @param webSocketWatches whether the informers watch over WebSockets, where "not watching"
   *                         means disconnected
   */
  WatchOutages(Clock clock, boolean webSocketWatches) {
    this.clock = clock;
    this.webSocketWatches = webSocketWatches;
  }

  /**
   * @param unhealthy what JOSDK reports unhealthy, per controller and source name
   *                  ({@code RuntimeInfo.unhealthyEventSources()})
   * @return how many of those sources have a watch down
   */
  synchronized int count(Map<String, Map<String, EventSourceHealthIndicator>> unhealthy) {
    Instant now = clock.instant();
    Set<InformerHealthIndicator> notWatching = Collections.newSetFromMap(new IdentityHashMap<>());
    int down = StalledEventSources.of(unhealthy, informer -> {
      if (StalledEventSources.stalled(informer)) {
        return true;
      }
      if (!webSocketWatches || informer.isWatching()) {
        return false;
      }
      notWatching.add(informer);
      Instant since = notWatchingSince.computeIfAbsent(informer, ignored -> now);
      return Duration.between(since, now).compareTo(LONGEST_QUIET_WATCH) > 0;
    }).values().stream().mapToInt(Set::size).sum();
    notWatchingSince.keySet().retainAll(notWatching);
    return down;
  }
}
