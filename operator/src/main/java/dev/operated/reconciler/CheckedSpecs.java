package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.validation.OperatedServiceValidator;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.function.Consumer;

/**
 * The problems of each service's spec as last checked ({@link PerGeneration}): the check
 * (schema, CEL, core rules, the pod's annotations against the size limit) was the largest share
 * of the operator's CPU in a storm, 13.8 % of its samples at N = 1,000.
 */
final class CheckedSpecs {

  /** The check: a valid spec's Deployment, which it builds, goes to the consumer. */
  interface Check {
    List<SpecProblem> problems(OperatedService resource, ClusterFacts facts,
        Consumer<Deployment> rendered);
  }

  private final Check check;
  private final PerGeneration<List<SpecProblem>> checked = new PerGeneration<>();

  CheckedSpecs() {
    this(OperatedServiceValidator::validate);
  }

  CheckedSpecs(Check check) {
    this.check = check;
  }

  /**
   * The spec's problems; when this call checked it and found none, the Deployment the check
   * built goes to {@code rendered} (a remembered answer has none to give).
   */
  List<SpecProblem> problems(OperatedService resource, ClusterFacts facts,
      Consumer<Deployment> rendered) {
    return checked.get(resource, facts,
        () -> List.copyOf(check.problems(resource, facts, rendered)));
  }
}
