package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sieve's stale state: a reconcile on a cache that has not seen the last report. */
class ReportedStatusesTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:07.250Z");

  private static OperatedServiceStatus ready(String status, String since) {
    Condition ready = new ConditionBuilder().withType("Ready").withStatus(status)
        .withReason("True".equals(status) ? "AllReplicasReady" : "AppNotReady")
        .withLastTransitionTime(since).build();
    return new OperatedServiceStatus(1L, 2, "True".equals(status) ? 2 : 0, 2, 2,
        "True".equals(status) ? "2/2" : "0/2", List.of(ready));
  }

  private static OperatedService cached(String resourceVersion, OperatedServiceStatus status) {
    OperatedService resource = new OperatedService();
    resource.getMetadata().setName("svc");
    resource.getMetadata().setUid("uid-1");
    resource.getMetadata().setResourceVersion(resourceVersion);
    resource.setStatus(status);
    return resource;
  }

  @Test
  void aCacheThatHasNotSeenTheLastReportIsComparedWithTheReport() {
    ReportedStatuses reported = new ReportedStatuses();
    OperatedService stale = cached("10", ready("False", "2026-11-30T11:00:00Z"));
    OperatedServiceStatus report = ready("True", "2026-11-30T12:00:01Z");
    reported.remember(stale, report);

    assertThat(reported.previous(stale)).contains(report);
    // the same state computed again on the stale cache keeps the report's transition time
    OperatedServiceStatus again = ReportedStatuses.withTransitionTimes(
        ready("True", "2026-11-30T12:00:07Z"), reported.previous(stale), NOW);
    assertThat(again.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-11-30T12:00:01Z");
  }

  @Test
  void onceTheCacheMovedOnItsStatusIsThePrevious() {
    ReportedStatuses reported = new ReportedStatuses();
    reported.remember(cached("10", null), ready("True", "2026-11-30T12:00:01Z"));
    OperatedService moved = cached("11", ready("False", "2026-11-30T12:00:05Z"));

    assertThat(reported.previous(moved)).contains(moved.getStatus());
  }

  @Test
  void aConditionWhoseStatusChangedTransitionsNowAndOneWithoutAPreviousKeepsItsTime() {
    OperatedServiceStatus changed = ReportedStatuses.withTransitionTimes(
        ready("False", "2026-11-30T11:00:00Z"),
        Optional.of(ready("True", "2026-11-30T10:00:00Z")), NOW);
    assertThat(changed.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-11-30T12:00:07Z");

    OperatedServiceStatus first = ReportedStatuses.withTransitionTimes(
        ready("False", "2026-11-30T11:00:00Z"), Optional.empty(), NOW);
    assertThat(first.condition("Ready").orElseThrow().getLastTransitionTime())
        .isEqualTo("2026-11-30T11:00:00Z");
  }
}
