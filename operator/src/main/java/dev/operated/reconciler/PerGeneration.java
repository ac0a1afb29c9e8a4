package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.RecentlyUsed;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Values that follow from a service's spec and the cluster facts alone (its problems, the digest
 * of what it applies), remembered per uid with the generation and facts they were computed for,
 * and computed again only when one of those changes. What else they read, the name and
 * namespace, cannot change for a uid, and a spec cannot change without a new generation. In a
 * storm a service is reconciled about ten times for one generation (its Deployment, Service,
 * budget and pods each trigger one).
 */
final class PerGeneration<V> {

  /** Enough for every service one operator watches; the oldest is forgotten first. */
  private static final int REMEMBERED = 10_000;

  private record Computed<V>(long generation, ClusterFacts facts, V value) {
  }

  private final Map<String, Computed<V>> computed = RecentlyUsed.synchronizedMap(REMEMBERED);

  V get(OperatedService resource, ClusterFacts facts, Supplier<V> compute) {
    String uid = resource.getMetadata().getUid();
    Long generation = resource.getMetadata().getGeneration();
    if (uid == null || generation == null) {
      return compute.get();
    }
    Computed<V> last = computed.get(uid);
    if (last != null && last.generation() == generation && last.facts().equals(facts)) {
      return last.value();
    }
    V value = compute.get();
    computed.put(uid, new Computed<>(generation, facts, value));
    return value;
  }
}
