package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.validation.OperatedServiceValidator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The problems of each service's spec as last checked, by uid, generation and cluster facts: a
 * spec is checked again only when one of those changes. What the check reads besides them, the
 * name and namespace, cannot change for a uid, and a spec cannot change without a new
 * generation. In a storm a service is reconciled about ten times for one generation (its
 * Deployment, Service, budget and pods each trigger one), and the check (schema, CEL, core rules,
 * a Deployment rendered for the annotation limit) was the largest share of the operator's CPU.
 */
final class CheckedSpecs {

  /** Enough for every service one operator watches; the oldest is forgotten first. */
  private static final int REMEMBERED = 10_000;

  private record Checked(long generation, ClusterFacts facts, List<SpecProblem> problems) {
  }

  private final BiFunction<OperatedService, ClusterFacts, List<SpecProblem>> check;
  private final Map<String, Checked> checked = RecentlyUsed.synchronizedMap(REMEMBERED);

  CheckedSpecs() {
    this(OperatedServiceValidator::validate);
  }

  CheckedSpecs(BiFunction<OperatedService, ClusterFacts, List<SpecProblem>> check) {
    this.check = check;
  }

  List<SpecProblem> problems(OperatedService resource, ClusterFacts facts) {
    String uid = resource.getMetadata().getUid();
    Long generation = resource.getMetadata().getGeneration();
    if (uid == null || generation == null) {
      return check.apply(resource, facts);
    }
    Checked last = checked.get(uid);
    if (last != null && last.generation() == generation && last.facts().equals(facts)) {
      return last.problems();
    }
    List<SpecProblem> problems = List.copyOf(check.apply(resource, facts));
    checked.put(uid, new Checked(generation, facts, problems));
    return problems;
  }
}
