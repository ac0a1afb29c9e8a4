package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import dev.operated.status.StatusAggregator;
import dev.operated.validation.OperatedServiceValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service taken through what every reconcile does (validate the spec with its CEL rules,
 * build and digest the desired objects, write them as the apply sends them, read them as a watch
 * delivers them, compare, aggregate a status) before the operator says it is ready. Without it
 * the first reconciles after a start loaded and initialised all of that at once, on every
 * reconcile thread: in the scale benchmark the first object was applied 3.3 s after the first
 * OperatedService was created, against 0.1 s warm (docs/benchmarks.md, "N = 1,000, the third round of levers").
 * Nothing is sent to the API server.
 */
public final class StartupWarmup {

  /** Enough rounds for the compiler to take the hot paths, bounded in time on a slow start. */
  private static final int ROUNDS = 50;
  private static final Duration LONGEST = Duration.ofSeconds(3);

  private StartupWarmup() {
  }

  /** @return the rounds run */
  public static int run(KubernetesSerialization serialization) {
    ClusterFacts facts = new ClusterFacts(KubernetesVersion.of("1", "33"), false, Map.of());
    Instant deadline = Instant.now().plus(LONGEST);
    int rounds = 0;
    while (rounds < ROUNDS && Instant.now().isBefore(deadline)) {
      OperatedService resource = new OperatedService("operated-warmup", "warmup-" + rounds,
          new OperatedServiceSpec("example.com/warmup:" + rounds, 2, null, null, null, null,
              null, null, null, null, null, null));
      resource.getMetadata().setGeneration(1L);
      firstReconcileWithoutApiServer(resource, facts, serialization);
      rounds++;
    }
    return rounds;
  }

  /**
   * What a service's first reconcile does besides talking to the API server, the work the
   * warm-up runs and {@code dev.operated.bench.WarmupCost} times.
   */
  public static void firstReconcileWithoutApiServer(OperatedService resource, ClusterFacts facts,
      KubernetesSerialization serialization) {
    if (!OperatedServiceValidator.validate(resource, facts).isEmpty()) {
      throw new IllegalStateException("the warm-up service must be valid");
    }
    for (HasMetadata desired : DesiredState.of(resource, facts)) {
      // read back as an informer receives it: the one-pass watch decoding (OperatorSerialization)
      WatchEvent event = serialization.unmarshal(
          serialization.asJson(new WatchEvent(desired, "MODIFIED")), WatchEvent.class);
      AppliedState.firstDifference((HasMetadata) event.getObject(), desired);
    }
    StatusAggregator.aggregate(resource, Optional.empty(), List.of(), List.of(), Instant.now());
  }
}
