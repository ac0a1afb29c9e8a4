package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.desired.RecentlyUsed;
import dev.operated.status.ConditionTypes;
import dev.operated.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Applies before reports while services are created in bulk. When a thousand services arrive at
 * once, every reconcile that patched a "Creating" or "RolloutInProgress" status (and posted its
 * Event) took the API server's time from the next service's first apply: in the scale benchmark
 * those writes were a third of what the server answered before the last object was applied
 * (docs/benchmarks.md, "N = 1,000, the third round of levers").
 *
 * <p>So a status that only reports progress waits while another service's objects are being
 * created, and is written once that has been quiet for {@link #QUIET} when the service looks again
 * ({@link #nextLook}), or after {@link #LONGEST} at the latest: one write with where the rollout
 * has got to, instead of one per step. Anything
 * a user must act on or is waiting for is written at once: Ready, an invalid spec, a failed
 * apply, a pod problem, a rollout the Deployment reports failing (Degraded, as a quota that
 * refuses its pods), and the progress that follows any of these, which says the problem is
 * gone. With one service created at a time nothing is deferred: a service's own
 * creation never holds back its own status.
 */
final class StatusDeferral {

  /** How long without another service's creation before progress is reported. */
  static final Duration QUIET = Duration.ofSeconds(1);
  /** The longest a progress report waits, however long the creations go on. */
  static final Duration LONGEST = Duration.ofSeconds(30);
  /** Enough for every service one operator watches; the oldest is forgotten first. */
  private static final int REMEMBERED = 10_000;

  private record Creation(String uid, Instant at) {
  }

  private final Clock clock;
  /** The latest creation, and the latest before it by another service. */
  private Creation lastCreation = new Creation("", Instant.MIN);
  private Creation otherCreation = new Creation("", Instant.MIN);
  private final Map<String, Instant> deferredSince = RecentlyUsed.synchronizedMap(REMEMBERED);

  StatusDeferral(Clock clock) {
    this.clock = clock;
  }

  /** This reconcile is creating the service's objects (its Deployment was not there). */
  synchronized void creating(OperatedService resource) {
    String uid = resource.getMetadata().getUid();
    if (!lastCreation.uid().equals(uid)) {
      otherCreation = lastCreation;
    }
    lastCreation = new Creation(uid, clock.instant());
  }

  /** When a service other than this one last had its objects created. */
  private synchronized Instant othersLastCreated(String uid) {
    return (lastCreation.uid().equals(uid) ? otherCreation : lastCreation).at();
  }

  /**
   * How long to wait before looking at {@code status} again, or empty to report it now. Asked
   * only for a status that differs from the stored one.
   */
  Optional<Duration> deferral(OperatedService resource, OperatedServiceStatus status) {
    String uid = resource.getMetadata().getUid();
    Instant now = clock.instant();
    boolean othersCreating = now.isBefore(othersLastCreated(uid).plus(QUIET));
    boolean storedAProblem = resource.getStatus() != null && degraded(resource.getStatus());
    if (!othersCreating || !onlyProgress(status) || storedAProblem) {
      deferredSince.remove(uid);
      return Optional.empty();
    }
    Instant since = deferredSince.computeIfAbsent(uid, key -> now);
    Duration waited = Duration.between(since, now);
    if (waited.compareTo(LONGEST) >= 0) {
      deferredSince.remove(uid);
      return Optional.empty();
    }
    return Optional.of(nextLook(waited));
  }

  /**
   * When to look again: as long as the report has waited so far (a second at first), so a long
   * storm costs a deferred service a handful of reconciles (at 1, 2, 4, 8, 16 s and at the
   * longest wait) rather than one a second. A progress report may then come up to twice as late
   * after the storm; a change a user waits for comes with its own event, not with this look.
   */
  static Duration nextLook(Duration waited) {
    Duration next = waited.compareTo(QUIET) < 0 ? QUIET : waited;
    Duration left = LONGEST.minus(waited);
    return next.compareTo(left) > 0 ? left : next;
  }

  private static boolean onlyProgress(OperatedServiceStatus status) {
    Optional<Condition> ready = status.condition(ConditionTypes.READY);
    return ready.isPresent() && "False".equals(ready.get().getStatus())
        && StatusAggregator.PROGRESS_REASONS.contains(ready.get().getReason())
        && !degraded(status);
  }

  private static boolean degraded(OperatedServiceStatus status) {
    return status.condition(ConditionTypes.DEGRADED)
        .filter(degraded -> "True".equals(degraded.getStatus())).isPresent();
  }
}
