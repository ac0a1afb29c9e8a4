package dev.operated.runtime;

import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.health.EventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The event sources that cannot feed reconciles, per controller: an informer that stopped (its
 * cache no longer follows the cluster) or has not synced, or another source JOSDK reports
 * unhealthy. What readiness reads; the unhealthy-sources gauge counts these and watches down for
 * long ({@link WatchOutages}).
 *
 * <p>Not JOSDK's own "unhealthy", which also counts an informer whose watch is not open at this
 * moment: one waiting to reconnect, or an HTTP watch that has had no event since it connected
 * (fabric8 7.5's {@code WatchHTTPManager} marks a watch started on its first byte, not on the
 * 200; kube-apiserver sends nothing on a quiet watch until a bookmark). Such an informer keeps
 * its synced cache and reconnects by itself, so the operator can still reconcile: ready, as a
 * controller-runtime manager is once its caches have synced (kubebuilder's scaffold answers its
 * readiness with a plain ping).
 */
final class StalledEventSources {

  private StalledEventSources() {
  }

  /** Controller name to the names of its stalled sources; empty when none. */
  static Map<String, Set<String>> of(RuntimeInfo info) {
    return of(info.unhealthyEventSources(), StalledEventSources::stalled);
  }

  /**
   * The sources of {@code unhealthy} (what {@code RuntimeInfo.unhealthyEventSources()} answers)
   * that are down: any that is not an informer, and an informer source with an informer
   * {@code down} says is.
   */
  static Map<String, Set<String>> of(
      Map<String, Map<String, EventSourceHealthIndicator>> unhealthy,
      Predicate<InformerHealthIndicator> down) {
    Map<String, Set<String>> stalled = new TreeMap<>();
    unhealthy.forEach((controller, sources) ->
        sources.forEach((name, source) -> {
          // every informer of the source is asked (no anyMatch): down may time the ones it sees
          if (!(source instanceof InformerWrappingEventSourceHealthIndicator<?> informers)
              || informers.informerHealthIndicators().values().stream().map(down::test)
                  .reduce(false, Boolean::logicalOr)) {
            stalled.computeIfAbsent(controller, ignored -> new TreeSet<>()).add(name);
          }
        }));
    return stalled;
  }

  static boolean stalled(InformerHealthIndicator informer) {
    return !informer.isRunning() || !informer.hasSynced();
  }
}
