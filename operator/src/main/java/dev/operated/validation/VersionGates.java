package dev.operated.validation;

import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.SpecProblem;
import dev.operated.api.TelemetryMode;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer 4: fields the model knows (it is generated from a 1.34-level Kubernetes model) that the
 * target cluster does not serve by default. The API server drops a field whose feature gate is
 * off ({@code dropDisabledFields} in pkg/api/pod/util.go), so on an older cluster it would
 * silently vanish from the Deployment: it is refused instead, naming the version that serves it.
 * Versions are those at which the feature gate is on by default, from pkg/features/
 * kube_features.go.
 */
public final class VersionGates {

  /**
   * A field and the release whose default feature gates serve it.
   *
   * @param feature     the feature gate, as kube_features.go names it
   * @param servedFrom  first release with the gate on by default
   * @param history     how it got there, for the message
   */
  public record Gate(String field, String feature, KubernetesVersion servedFrom, String history) {
  }

  /** EnvFiles: alpha 1.34 (off), beta 1.35 (on). */
  public static final Gate FILE_KEY_REF = new Gate("valueFrom.fileKeyRef", "EnvFiles",
      new KubernetesVersion(1, 35), "alpha and off by default in 1.34");
  /** DynamicResourceAllocation: alpha 1.26, beta 1.32 (off), GA 1.34 (on). */
  public static final Gate RESOURCE_CLAIMS = new Gate("resources.claims",
      "DynamicResourceAllocation", new KubernetesVersion(1, 34),
      "alpha from 1.26, beta but off by default in 1.32 and 1.33");
  /** PodHostIPs: alpha 1.28 (off), beta 1.29 (on), GA 1.30. */
  public static final Gate HOST_IPS = new Gate("fieldRef.fieldPath: status.hostIPs",
      "PodHostIPs", new KubernetesVersion(1, 29), "alpha and off by default in 1.28");

  private VersionGates() {
  }

  public static List<SpecProblem> check(OperatedServiceSpec spec, KubernetesVersion version) {
    List<SpecProblem> problems = new ArrayList<>();
    List<EnvVar> env = spec.env();
    for (int i = 0; i < env.size(); i++) {
      EnvVar variable = env.get(i);
      if (variable.getValueFrom() == null) {
        continue;
      }
      String field = "spec.env[" + i + "].valueFrom";
      if (variable.getValueFrom().getFileKeyRef() != null) {
        gate(problems, field + ".fileKeyRef", FILE_KEY_REF, version);
      }
      if (variable.getValueFrom().getFieldRef() != null
          && "status.hostIPs".equals(variable.getValueFrom().getFieldRef().getFieldPath())) {
        gate(problems, field + ".fieldRef.fieldPath", HOST_IPS, version);
      }
    }
    claims(problems, "spec.resources", spec.resources(), version);
    if (spec.telemetry().mode() == TelemetryMode.SIDECAR && spec.telemetry().collector() != null) {
      claims(problems, "spec.telemetry.collector.resources",
          spec.telemetry().collector().resources(), version);
    }
    return problems;
  }

  private static void claims(List<SpecProblem> problems, String field,
      ResourceRequirements resources, KubernetesVersion version) {
    if (resources != null && resources.getClaims() != null && !resources.getClaims().isEmpty()) {
      gate(problems, field + ".claims", RESOURCE_CLAIMS, version);
    }
  }

  private static void gate(List<SpecProblem> problems, String field, Gate gate,
      KubernetesVersion version) {
    if (version.compareTo(gate.servedFrom()) < 0) {
      problems.add(new SpecProblem(field, "is not served by Kubernetes " + version + ": it came "
          + "with feature gate " + gate.feature() + ", " + gate.history() + ", on by default "
          + "from " + gate.servedFrom() + "; an older API server drops it from the pod. Remove "
          + "it, or render for " + gate.servedFrom() + " or newer"));
    }
  }
}
