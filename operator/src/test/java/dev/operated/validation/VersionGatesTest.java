package dev.operated.validation;

import static dev.operated.validation.Manifest.cluster;
import static dev.operated.validation.Manifest.object;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layer 4: a field the model knows but the target's API server drops (its feature gate is off
 * by default there, pkg/features/kube_features.go) is refused for that version, naming the field
 * and the version that serves it; from that version on the gate says nothing.
 */
class VersionGatesTest {

  static Stream<Arguments> gates() {
    return Stream.of(
        Arguments.of("EnvFiles: alpha 1.34, beta 1.35",
            "env: [{name: A, valueFrom: {fileKeyRef: {volumeName: v, path: a.env, key: A}}}]",
            "spec.env[0].valueFrom.fileKeyRef", "1.34", "1.35"),
        Arguments.of("DynamicResourceAllocation: beta off 1.32, GA 1.34",
            "resources: {claims: [{name: gpu}]}", "spec.resources.claims", "1.33", "1.34"),
        Arguments.of("PodHostIPs: alpha 1.28, beta 1.29",
            "env: [{name: IPS, valueFrom: {fieldRef: {fieldPath: status.hostIPs}}}]",
            "spec.env[0].valueFrom.fieldRef.fieldPath", "1.28", "1.29"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("gates")
  void refusedBeforeTheVersionThatServesItNotFromIt(String gate, String specFields, String field,
      String older, String serving) {
    String spec = "{image: 'orders:1', " + specFields + "}";
    assertThat(OperatedServiceValidator.validate(object(spec), cluster(older)))
        .anySatisfy(problem -> {
          assertThat(problem.field()).isEqualTo(field);
          assertThat(problem.message()).contains("is not served by Kubernetes " + older)
              .contains(gate.substring(0, gate.indexOf(':')))
              .contains("from " + serving);
        });
    assertThat(OperatedServiceValidator.validate(object(spec), cluster(serving)))
        .noneMatch(problem -> problem.message().contains("is not served by Kubernetes"));
  }
}
