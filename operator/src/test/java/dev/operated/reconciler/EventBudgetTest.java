package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The spam filter of client-go's EventCorrelator: NewEventSourceObjectSpamFilter(25, 1/300). */
class EventBudgetTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
  private final EventBudget budget = new EventBudget(clock);

  @Test
  void anObjectGetsTwentyFiveEventsAtOnceThenOneEveryFiveMinutes() {
    assertThat(IntStream.range(0, 30).filter(i -> budget.tryTake("orders")).count())
        .isEqualTo(EventBudget.BURST);

    clock.advance(Duration.ofSeconds(299));
    assertThat(budget.tryTake("orders")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(budget.tryTake("orders")).isTrue();
    assertThat(budget.tryTake("orders")).isFalse();
  }

  @Test
  void eachObjectHasItsOwnBudgetAndAQuietOneRefillsToTheBurstOnly() {
    IntStream.range(0, 25).forEach(i -> budget.tryTake("orders"));
    assertThat(budget.tryTake("payments")).isTrue();

    clock.advance(Duration.ofDays(1));
    assertThat(IntStream.range(0, 30).filter(i -> budget.tryTake("orders")).count())
        .isEqualTo(EventBudget.BURST);
  }
}
