package dev.operated.playground;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The playground's example, applied as {@code kubectl apply --server-side} applies a manifest,
 * with the sample-service's fault endpoints turned on by a field manager of the playground's
 * own. So the user's next {@code kubectl apply --server-side -f} of the same file owns what the
 * file says and nothing else: the variable stays, and the file applied unchanged changes
 * nothing (before, the playground applied the variable as {@code kubectl}, and that apply took
 * it away and rolled the pods out without their fault endpoints). {@code spec.env} is keyed by
 * name (AssociativeLists), so each manager owns its own variables.
 */
final class FaultEndpointsSwitch {

  static final String VARIABLE = "SAMPLE_FAULTS_ENABLED";
  static final String FIELD_MANAGER = "operated-playground";

  private FaultEndpointsSwitch() {
  }

  /**
   * One generation, three applies: the manifest with the variable as the playground (what the
   * operator first sees already has it), the manifest as kubectl (the same values: a co-owner,
   * no change), then the playground's apply of the variable alone, which gives up the rest.
   *
   * @param manifest a fresh copy of the manifest at each call (an apply changes what it sends)
   */
  static OperatedService apply(KubernetesClient client, Supplier<OperatedService> manifest,
      String namespace) {
    OperatedService asWritten = manifest.get();
    if (asWritten.getSpec().env().stream().anyMatch(e -> VARIABLE.equals(e.getName()))) {
      return LocalCluster.apply(client, asWritten, namespace, LocalCluster.FIELD_MANAGER);
    }
    OperatedService withVariable = manifest.get();
    List<EnvVar> env = new ArrayList<>(withVariable.getSpec().env());
    env.add(variable());
    withVariable.setSpec(withVariable.getSpec().withEnv(env));
    LocalCluster.apply(client, withVariable, namespace, FIELD_MANAGER);
    LocalCluster.apply(client, asWritten, namespace, LocalCluster.FIELD_MANAGER);
    GenericKubernetesResource variableOnly = new GenericKubernetesResourceBuilder()
        .withApiVersion(asWritten.getApiVersion()).withKind(asWritten.getKind())
        .withNewMetadata().withName(asWritten.getMetadata().getName())
        .withNamespace(namespace).endMetadata()
        .addToAdditionalProperties("spec", Map.of("env", List.of(
            Map.of("name", VARIABLE, "value", variable().getValue()))))
        .build();
    client.resource(variableOnly).fieldManager(FIELD_MANAGER).forceConflicts()
        .serverSideApply();
    return client.resources(OperatedService.class).inNamespace(namespace)
        .withName(asWritten.getMetadata().getName()).get();
  }

  private static EnvVar variable() {
    return new EnvVarBuilder().withName(VARIABLE).withValue("true").build();
  }
}
