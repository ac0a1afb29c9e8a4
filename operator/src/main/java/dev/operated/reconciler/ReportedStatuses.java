package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.desired.RecentlyUsed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The status this process last reported per object, and the resourceVersion it was computed on.
 *
 * <p>Sieve's stale state: a reconcile may start on a cached object that has not yet seen the
 * status patch the previous reconcile made (another event arrived first). Compared with that
 * cached status, the same state looks like a new transition: a second Event for it, and a
 * {@code lastTransitionTime} rewritten with a later time. When the cached object is still the
 * version the last report was computed on, nothing has happened to it since but that report, so
 * the report is the status to compare with. Once the cache has moved on (the patch seen, or
 * anyone else's write), the cached status is. A report whose patch failed is still patched
 * again: whether to patch is decided against the cached status, never this one.
 */
final class ReportedStatuses {

  /** Enough for every service one operator watches; the oldest is forgotten first. */
  private static final int REMEMBERED = 10_000;

  private record Reported(String resourceVersion, OperatedServiceStatus status) {
  }

  private final Map<String, Reported> reported = RecentlyUsed.synchronizedMap(REMEMBERED);

  /** The status to compare a new one with: the cached one, or the report it has not seen yet. */
  Optional<OperatedServiceStatus> previous(OperatedService resource) {
    Reported last = reported.get(resource.getMetadata().getUid());
    if (last != null && Objects.equals(last.resourceVersion(),
        resource.getMetadata().getResourceVersion())) {
      return Optional.of(last.status());
    }
    return Optional.ofNullable(resource.getStatus());
  }

  /**
   * The status with each condition's {@code lastTransitionTime} as it follows from
   * {@code previous}: kept while the condition's status is the same, now where it changed.
   */
  static OperatedServiceStatus withTransitionTimes(OperatedServiceStatus status,
      Optional<OperatedServiceStatus> previous, Instant now) {
    String transitionNow = now.truncatedTo(ChronoUnit.SECONDS).toString();
    List<Condition> conditions = new ArrayList<>();
    for (Condition condition : status.conditions()) {
      Optional<Condition> before = previous.flatMap(p -> p.condition(condition.getType()));
      String transition;
      if (before.isEmpty()) {
        transition = condition.getLastTransitionTime() == null ? transitionNow
            : condition.getLastTransitionTime();
      } else if (Objects.equals(before.get().getStatus(), condition.getStatus())) {
        transition = before.get().getLastTransitionTime();
      } else {
        transition = transitionNow;
      }
      conditions.add(new ConditionBuilder(condition).withLastTransitionTime(transition).build());
    }
    return new OperatedServiceStatus(status.observedGeneration(), status.replicas(),
        status.readyReplicas(), status.updatedReplicas(), status.availableReplicas(),
        status.ready(), conditions);
  }

  void remember(OperatedService resource, OperatedServiceStatus status) {
    reported.put(resource.getMetadata().getUid(),
        new Reported(resource.getMetadata().getResourceVersion(), status));
  }
}
