package dev.operated.runtime;

import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
    Map<String, Set<String>> stalled = new TreeMap<>();
    info.unhealthyEventSources().forEach((controller, sources) ->
        sources.forEach((name, source) -> {
          if (!(source instanceof InformerWrappingEventSourceHealthIndicator<?> informers)
              || informers.informerHealthIndicators().values().stream()
                  .anyMatch(StalledEventSources::stalled)) {
            stalled.computeIfAbsent(controller, ignored -> new TreeSet<>()).add(name);
          }
        }));
    return stalled;
  }

  static boolean stalled(InformerHealthIndicator informer) {
    return !informer.isRunning() || !informer.hasSynced();
  }
}
