package dev.operated.desired;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceValidator;
import dev.operated.api.SpecProblem;
import dev.operated.api.TelemetryMode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** Everything the operator applies for one OperatedService, in apply order. */
public final class DesiredState {

  private DesiredState() {
  }

  /**
   * Every reason not to apply anything: the spec's own problems, and a grace period that does not
   * cover the budget on this cluster (which the schema cannot know).
   */
  public static List<SpecProblem> problems(OperatedService resource, ClusterFacts facts) {
    List<SpecProblem> problems = new ArrayList<>(OperatedServiceValidator.validate(resource));
    if (problems.isEmpty() && resource.getSpec().telemetry().mode() == TelemetryMode.SIDECAR
        && CollectorSidecar.gateway(resource.getSpec(), facts).isEmpty()) {
      problems.add(new SpecProblem("spec.telemetry.endpoint", "mode sidecar needs a gateway for "
          + "the collector to export to: set spec.telemetry.endpoint, or configure the "
          + "operator's default gateway (--collector-gateway)"));
    }
    if (problems.isEmpty()) {
      budget(resource, facts).shortfall().ifPresent(shortfall -> problems.add(
          new SpecProblem("spec.shutdown.terminationGracePeriodSeconds", shortfall)));
    }
    return problems;
  }

  public static TerminationBudget budget(OperatedService resource, ClusterFacts facts) {
    return TerminationBudget.of(resource.getSpec(), facts);
  }

  public static List<HasMetadata> of(OperatedService resource, ClusterFacts facts) {
    List<HasMetadata> resources = new ArrayList<>();
    resources.add(DesiredDeployment.build(resource, facts));
    resources.add(DesiredService.build(resource));
    if (DesiredPodDisruptionBudget.wanted(resource)) {
      resources.add(DesiredPodDisruptionBudget.build(resource));
    }
    if (resource.getSpec().telemetry().mode() == TelemetryMode.SIDECAR) {
      resources.add(CollectorSidecar.config(resource, facts));
    }
    if (ScrapePlan.of(resource.getSpec(), facts) == ScrapePlan.SERVICE_MONITOR) {
      resources.add(DesiredServiceMonitor.build(resource));
    }
    return resources;
  }
}
