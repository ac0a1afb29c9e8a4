package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.health.EventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gauge behind the watch-down alert: over WebSockets, a watch not open for longer than three
 * minutes, not one between connections; over HTTP, whose quiet watches are "not watching" until
 * their first byte, only stopped or unsynced informers. Those, and any other unhealthy source,
 * count at once either way.
 */
class WatchOutagesTest {

  private final MovableClock clock = new MovableClock();
  private final WatchOutages outages = new WatchOutages(clock, true);

  @Test
  void aWebSocketWatchNotOpenForLongerThanThreeMinutesIsDown() {
    Informer quiet = new Informer(true, true, false);
    Map<String, Map<String, EventSourceHealthIndicator>> unhealthy = sources(quiet);

    assertThat(outages.count(unhealthy)).isZero();
    clock.move(WatchOutages.LONGEST_QUIET_WATCH);
    assertThat(outages.count(unhealthy)).as("at exactly three minutes").isZero();
    clock.move(Duration.ofSeconds(1));
    assertThat(outages.count(unhealthy)).isEqualTo(1);
  }

  @Test
  void aWatchThatCameBackIsTimedAfreshTheNextTimeItIsSilent() {
    Informer flapping = new Informer(true, true, false);
    assertThat(outages.count(sources(flapping))).isZero();
    clock.move(Duration.ofMinutes(2));
    assertThat(outages.count(sources(flapping))).isZero();

    // a bookmark arrived: JOSDK no longer lists it as unhealthy
    assertThat(outages.count(Map.of())).isZero();
    clock.move(Duration.ofMinutes(2));
    assertThat(outages.count(sources(flapping))).as("silent again, from now").isZero();
    clock.move(Duration.ofMinutes(2));
    assertThat(outages.count(sources(flapping))).isZero();
    clock.move(Duration.ofMinutes(2));
    assertThat(outages.count(sources(flapping))).isEqualTo(1);
  }

  @Test
  void overHttpASilentWatchNeverCountsButAStoppedInformerDoes() {
    WatchOutages overHttp = new WatchOutages(clock, false);
    Map<String, Map<String, EventSourceHealthIndicator>> quiet =
        sources(new Informer(true, true, false));
    assertThat(overHttp.count(quiet)).isZero();
    clock.move(Duration.ofMinutes(30));
    assertThat(overHttp.count(quiet)).isZero();
    assertThat(overHttp.count(sources(new Informer(false, true, false)))).isEqualTo(1);
  }

  @Test
  void aStoppedOrUnsyncedInformerAndAnyOtherUnhealthySourceCountAtOnce() {
    assertThat(outages.count(sources(new Informer(false, true, false)))).isEqualTo(1);
    assertThat(outages.count(sources(new Informer(true, false, false)))).isEqualTo(1);
    EventSourceHealthIndicator timer = () -> Status.UNHEALTHY;
    assertThat(outages.count(Map.of("operatedservice", Map.of("timer", timer)))).isEqualTo(1);
  }

  private static Map<String, Map<String, EventSourceHealthIndicator>> sources(
      Informer informer) {
    InformerWrappingEventSourceHealthIndicator<?> source = () -> Map.of("shop", informer);
    return Map.of("operatedservice", Map.of("deployments", source));
  }

  private record Informer(boolean running, boolean synced, boolean watching)
      implements InformerHealthIndicator {
    @Override
    public boolean hasSynced() {
      return synced;
    }

    @Override
    public boolean isWatching() {
      return watching;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public Status getStatus() {
      return running && synced && watching ? Status.HEALTHY : Status.UNHEALTHY;
    }

    @Override
    public String getTargetNamespace() {
      return "shop";
    }
  }

  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T22:00:00Z");

    void move(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
