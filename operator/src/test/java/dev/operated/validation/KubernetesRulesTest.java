package dev.operated.validation;

import static dev.operated.validation.Manifest.cluster;
import static dev.operated.validation.Manifest.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.SpecProblem;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layer 2, rule by rule, each side of each rule: what Kubernetes' own validation refuses in a
 * Deployment's pod template is refused here, with the spec field that carries it. The first
 * column names the kubernetes/kubernetes function the case comes from.
 */
class KubernetesRulesTest {

  private static final String GPU_LIMIT = "limits: {nvidia.com/gpu: 1}";
  /** kubectl.kubernetes.io/default-container: app, which the operator puts on every pod. */
  static final int OPERATOR_ANNOTATION_BYTES =
      "kubectl.kubernetes.io/default-container".length() + "app".length();

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("util IsValidLabelValue", "1.33", "podLabels: {team: payments}"),
        Arguments.of("util IsValidLabelValue (empty)", "1.33", "podLabels: {canary: ''}"),
        Arguments.of("util IsValidLabelValue (63 chars)", "1.33",
            "podLabels: {v: " + "a".repeat(63) + "}"),
        Arguments.of("util IsQualifiedName (prefix)", "1.33",
            "podLabels: {example.com/Team_A.b: x}"),
        Arguments.of("objectmeta ValidateAnnotations (key lower-cased)", "1.33",
            "podAnnotations: {Example.com/Note: 'free text, spaces: fine'}"),
        Arguments.of("objectmeta ValidateAnnotations (256 KiB exactly, the operator's too)",
            "1.33", "metrics: {scrape: none}, podAnnotations: {k: "
                + "x".repeat(256 * 1024 - 1 - OPERATOR_ANNOTATION_BYTES) + "}"),
        Arguments.of("core validateContainerResourceName (standard)", "1.33",
            "resources: {requests: {cpu: 100m, memory: 1Gi, ephemeral-storage: 1Gi}}"),
        Arguments.of("core validateContainerResourceName (hugepages with memory)", "1.33",
            "resources: {limits: {hugepages-2Mi: 100Mi, memory: 1Gi}}"),
        Arguments.of("core validateResourceRequirements (extended: limit only)", "1.33",
            "resources: {" + GPU_LIMIT + "}"),
        Arguments.of("core validateResourceRequirements (extended: request = limit)", "1.33",
            "resources: {requests: {example.com/foo: 2}, limits: {example.com/foo: 2}}"),
        Arguments.of("core validateResourceRequirements (request = limit)", "1.33",
            "resources: {requests: {cpu: 500m}, limits: {cpu: '0.5'}}"),
        Arguments.of("core validateEnvVarValueFrom (fieldRef)", "1.33",
            "env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]"),
        Arguments.of("core validateObjectFieldSelector (labels subscript)", "1.33",
            "env: [{name: APP, valueFrom: {fieldRef: {apiVersion: v1, "
                + "fieldPath: \"metadata.labels['app.kubernetes.io/name']\"}}}]"),
        Arguments.of("core validateContainerResourceFieldSelector", "1.33",
            "env: [{name: MEM, valueFrom: {resourceFieldRef: {resource: limits.memory, "
                + "divisor: 1Mi}}}]"),
        Arguments.of("core validateContainerResourceDivisor (divisor.String(): 1000m is 1)",
            "1.33", "env: [{name: C, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
                + "divisor: 1000m}}}, {name: M, valueFrom: {resourceFieldRef: "
                + "{resource: requests.memory, divisor: 1024Ki}}}, {name: K, valueFrom: "
                + "{resourceFieldRef: {resource: limits.memory, divisor: '1000'}}}]"),
        Arguments.of("core validateContainerResourceDivisor (a zero divisor is unset)", "1.33",
            "env: [{name: C, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
                + "divisor: '0'}}}]"),
        Arguments.of("core validateConfigMapKeySelector", "1.33",
            "env: [{name: A, valueFrom: {configMapKeyRef: {name: settings, key: a.b_c-d}}}]"),
        Arguments.of("core validateSecretKeySelector", "1.33",
            "env: [{name: A, valueFrom: {secretKeyRef: {name: creds.v1, key: token}}}]"),
        Arguments.of("util IsRelaxedEnvVarName (from 1.32)", "1.32",
            "env: [{name: '1st var:x', value: v}]"),
        Arguments.of("util IsEnvVarName (before 1.32)", "1.31",
            "env: [{name: my.var-1_A, value: v}]"),
        Arguments.of("util IsRelaxedEnvVarName ('..' allowed from 1.32)", "1.32",
            "env: [{name: ..CONFIG, value: v}]"),
        Arguments.of("core ValidateAppArmorPodAnnotations (the app's container)", "1.33",
            "podAnnotations: {container.apparmor.security.beta.kubernetes.io/app: "
                + "localhost/k8s-orders}"),
        Arguments.of("core ValidateAppArmorPodAnnotations (the collector sidecar)", "1.33",
            "telemetry: {mode: sidecar, endpoint: 'http://gw:4317'}, podAnnotations: "
                + "{container.apparmor.security.beta.kubernetes.io/otel-collector: unconfined}"),
        Arguments.of("core ValidateSeccompProfile (localhost, relative)", "1.33",
            "podAnnotations: {seccomp.security.alpha.kubernetes.io/pod: localhost/orders.json}"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (negative)", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '-5'}"),
        Arguments.of("core ValidateTolerationsInPodAnnotations (a list)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: "
                + "'[{\"key\": \"dedicated\", \"operator\": \"Exists\"}]'}"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (validFirstDigit takes any "
            + "'-', ParseInt its leading zeros)", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '-007'}"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (-0)", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '-0'}"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (int32 bounds)", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '-2147483648'}"),
        Arguments.of("pods ConvertDownwardAPIFieldLabel (spec.host, old v1 clients' "
            + "spec.nodeName)", "1.33",
            "env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.host}}}]"),
        Arguments.of("core ValidateTolerations (Go's json: names in any case, unknown fields, "
            + "null)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"KEY\": "
                + "\"example.com/gpu\", \"Value\": \"a100\", \"effect\": \"NoExecute\", "
                + "\"tolerationSeconds\": 30, \"note\": 1}, {\"operator\": \"Exists\", "
                + "\"value\": null}]'}"),
        Arguments.of("core GetTolerationsFromPodAnnotations (null is no tolerations)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: 'null'}"),
        Arguments.of("core validateResourceQuantityHugePageValue (whole pages)", "1.33",
            "resources: {limits: {hugepages-1Gi: 2Gi, memory: 1Gi}, "
                + "requests: {hugepages-1Gi: 2Gi}}"),
        Arguments.of("core validateEnvVarValueFrom (empty value with valueFrom)", "1.33",
            "env: [{name: A, value: '', valueFrom: {fieldRef: {fieldPath: metadata.uid}}}]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void kubernetesAcceptsIt(String rule, String version, String specFields) {
    assertThat(problems(version, specFields)).isEmpty();
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("util IsValidLabelValue (space)", "1.33",
            "podLabels: {team: 'payments and billing'}", "spec.podLabels[team]",
            "is not a valid label value"),
        Arguments.of("util IsValidLabelValue (64 chars)", "1.33",
            "podLabels: {v: " + "a".repeat(64) + "}", "spec.podLabels[v]",
            "64 characters, at most 63"),
        Arguments.of("util IsValidLabelValue (ends with '-')", "1.33",
            "podLabels: {v: 'abc-'}", "spec.podLabels[v]", "ending with a letter or digit"),
        Arguments.of("util IsQualifiedName (two slashes)", "1.33",
            "podLabels: {a/b/c: x}", "spec.podLabels[a/b/c]", "a single '/'"),
        Arguments.of("util IsQualifiedName (prefix not a DNS subdomain)", "1.33",
            "podLabels: {Example.com/x: y}", "spec.podLabels[Example.com/x]",
            "must be a DNS subdomain"),
        Arguments.of("util IsQualifiedName (name over 63)", "1.33",
            "podLabels: {" + "k".repeat(64) + ": y}", "spec.podLabels[" + "k".repeat(64) + "]",
            "at most 63"),
        Arguments.of("objectmeta ValidateAnnotations (key)", "1.33",
            "podAnnotations: {'bad key!': x}", "spec.podAnnotations[bad key!]",
            "not a valid annotation key"),
        Arguments.of("objectmeta ValidateAnnotations (TotalAnnotationSizeLimitB)", "1.33",
            "podAnnotations: {k: " + "x".repeat(256 * 1024) + "}", "spec.podAnnotations",
            "more than the API server's limit of 262144 bytes"),
        Arguments.of("core validateContainerResourceName (no domain)", "1.33",
            "resources: {limits: {gpu: 1}}", "spec.resources.limits[gpu]",
            "not a standard resource for containers"),
        Arguments.of("core validateContainerResourceName (case)", "1.33",
            "resources: {requests: {CPU: 1}}", "spec.resources.requests[CPU]",
            "not a standard resource for containers"),
        Arguments.of("helper IsExtendedResourceName (requests. prefix)", "1.33",
            "resources: {limits: {requests.example.com/x: 1}}",
            "spec.resources.limits[requests.example.com/x]", "extended resource name standard"),
        Arguments.of("core validateResourceName (not qualified)", "1.33",
            "resources: {limits: {example.com/a/b: 1}}", "spec.resources.limits[example.com/a/b]",
            "is not a resource name"),
        Arguments.of("core ValidateResourceQuantityValue (negative)", "1.33",
            "resources: {requests: {memory: -1Gi}}", "spec.resources.requests[memory]",
            "is negative"),
        Arguments.of("core ValidateResourceQuantityValue (extended must be integer)", "1.33",
            "resources: {limits: {nvidia.com/gpu: '0.5'}}",
            "spec.resources.limits[nvidia.com/gpu]", "must be a whole number"),
        Arguments.of("quantity ParseQuantity", "1.33",
            "resources: {requests: {memory: lots}}", "spec.resources.requests[memory]",
            "is not a quantity"),
        Arguments.of("quantity ParseQuantity (two points)", "1.33",
            "resources: {requests: {cpu: '1.5.5'}}", "spec.resources.requests[cpu]",
            "is not a quantity"),
        Arguments.of("core validateResourceRequirements (request above limit)", "1.33",
            "resources: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}",
            "spec.resources.requests[memory]", "above the limit 512Mi"),
        Arguments.of("core validateResourceRequirements (extended without limit)", "1.33",
            "resources: {requests: {nvidia.com/gpu: 1}}",
            "spec.resources.limits[nvidia.com/gpu]", "cannot be overcommitted"),
        Arguments.of("core validateResourceRequirements (extended request != limit)", "1.33",
            "resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 2}}",
            "spec.resources.requests[nvidia.com/gpu]", "must be equal to the nvidia.com/gpu limit"),
        Arguments.of("core validateResourceRequirements (hugepages alone)", "1.33",
            "resources: {limits: {hugepages-2Mi: 100Mi}}", "spec.resources",
            "hugepages require a cpu or memory"),
        Arguments.of("core validateResourceClaimNames", "1.34",
            "resources: {claims: [{name: gpu}]}", "spec.resources.claims",
            "declares no spec.resourceClaims"),
        Arguments.of("core validateResourceRequirements (collector sidecar too)", "1.33",
            "telemetry: {mode: sidecar, endpoint: 'http://gw:4317', collector: "
                + "{resources: {limits: {gpu: 1}}}}",
            "spec.telemetry.collector.resources.limits[gpu]", "not a standard resource"),
        Arguments.of("core validateEnvVarValueFrom (two sources)", "1.33",
            "env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}, "
                + "secretKeyRef: {name: s, key: k}}}]", "spec.env[0].valueFrom",
            "has fieldRef and secretKeyRef: a variable takes its value from one source only"),
        Arguments.of("core validateEnvVarValueFrom (value and valueFrom)", "1.33",
            "env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]",
            "spec.env[0].valueFrom", "may not be specified when value is not empty"),
        Arguments.of("core validateEnvVarValueFrom (no source)", "1.33",
            "env: [{name: A, valueFrom: {}}]", "spec.env[0].valueFrom", "must specify one of"),
        Arguments.of("core validEnvDownwardAPIFieldPathExpressions", "1.33",
            "env: [{name: H, valueFrom: {fieldRef: {fieldPath: spec.hostname}}}]",
            "spec.env[0].valueFrom.fieldRef.fieldPath", "not offered by the downward API"),
        Arguments.of("core validateObjectFieldSelector (subscript on other maps)", "1.33",
            "env: [{name: H, valueFrom: {fieldRef: {fieldPath: \"metadata.ownerRefs['x']\"}}}]",
            "spec.env[0].valueFrom.fieldRef", "does not support a subscript"),
        Arguments.of("core validateObjectFieldSelector (subscript key)", "1.33",
            "env: [{name: H, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['a b']\"}}}]",
            "spec.env[0].valueFrom.fieldRef", "'a b' is not a valid key"),
        Arguments.of("pods ConvertDownwardAPIFieldLabel (apiVersion)", "1.33",
            "env: [{name: H, valueFrom: {fieldRef: {apiVersion: v2, fieldPath: metadata.name}}}]",
            "spec.env[0].valueFrom.fieldRef.apiVersion", "'v2' is not supported"),
        Arguments.of("core validateContainerResourceFieldSelector", "1.33",
            "env: [{name: G, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}]",
            "spec.env[0].valueFrom.resourceFieldRef.resource", "'limits.gpu' is not supported"),
        Arguments.of("core validateContainerResourceDivisor", "1.33",
            "env: [{name: C, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
                + "divisor: 1k}}}]", "spec.env[0].valueFrom.resourceFieldRef.divisor",
            "'1k' is not supported with limits.cpu"),
        Arguments.of("core validateContainerResourceDivisor (1024 is not 1Ki)", "1.33",
            "env: [{name: M, valueFrom: {resourceFieldRef: {resource: limits.memory, "
                + "divisor: '1024'}}}]",
            "spec.env[0].valueFrom.resourceFieldRef.divisor", "'1024' is not supported"),
        Arguments.of("core validateContainerResourceDivisor (+1: ParseQuantity keeps the text)",
            "1.33", "env: [{name: C, valueFrom: {resourceFieldRef: {resource: limits.cpu, "
                + "divisor: '+1'}}}]",
            "spec.env[0].valueFrom.resourceFieldRef.divisor", "'+1' is not supported"),
        Arguments.of("core validateContainerResourceDivisor (1e0 is kept as written too)",
            "1.33", "env: [{name: M, valueFrom: {resourceFieldRef: {resource: limits.memory, "
                + "divisor: '1e0'}}}]",
            "spec.env[0].valueFrom.resourceFieldRef.divisor", "'1e0' is not supported"),
        Arguments.of("core validateContainerResourceDivisor (1e3 is written 1e3, not 1k)",
            "1.33", "env: [{name: K, valueFrom: {resourceFieldRef: {resource: limits.memory, "
                + "divisor: '1e3'}}}]",
            "spec.env[0].valueFrom.resourceFieldRef.divisor", "'1e3' is not supported"),
        Arguments.of("core validateConfigMapKeySelector (key required)", "1.33",
            "env: [{name: A, valueFrom: {configMapKeyRef: {name: settings}}}]",
            "spec.env[0].valueFrom.configMapKeyRef.key", "is required"),
        Arguments.of("util IsConfigMapKey", "1.33",
            "env: [{name: A, valueFrom: {configMapKeyRef: {name: settings, key: '..'}}}]",
            "spec.env[0].valueFrom.configMapKeyRef.key", "not a valid key"),
        Arguments.of("core validateSecretKeySelector (ValidateSecretName)", "1.33",
            "env: [{name: A, valueFrom: {secretKeyRef: {name: Bad_Name, key: k}}}]",
            "spec.env[0].valueFrom.secretKeyRef.name", "is not a Secret name"),
        Arguments.of("core ValidateEnv (name required)", "1.33",
            "env: [{value: x}]", "spec.env[0].name", "is required"),
        Arguments.of("util IsRelaxedEnvVarName ('=')", "1.33",
            "env: [{name: 'A=B', value: x}]", "spec.env[0].name", "other than '='"),
        Arguments.of("util IsEnvVarName (before 1.32)", "1.31",
            "env: [{name: '1A', value: x}]", "spec.env[0].name",
            "not a valid variable name on Kubernetes 1.31"),
        Arguments.of("util IsEnvVarName hasChDirPrefix (before 1.32)", "1.31",
            "env: [{name: ..CONFIG, value: x}]", "spec.env[0].name",
            "must not be '.' or start with '..'"),
        Arguments.of("core validateResourceQuantityHugePageValue (not whole pages)", "1.33",
            "resources: {limits: {hugepages-2Mi: 3Mi, memory: 1Gi}}",
            "spec.resources.limits[hugepages-2Mi]", "not a whole number of 2Mi pages"),
        Arguments.of("core ValidateAppArmorPodAnnotations (podSpecHasContainer)", "1.33",
            "podAnnotations: {container.apparmor.security.beta.kubernetes.io/orders: "
                + "runtime/default}",
            "spec.podAnnotations[container.apparmor.security.beta.kubernetes.io/orders]",
            "names container 'orders', which the pod does not have"),
        Arguments.of("core ValidateAppArmorProfileFormat", "1.33",
            "podAnnotations: {container.apparmor.security.beta.kubernetes.io/app: RuntimeDefault}",
            "spec.podAnnotations[container.apparmor.security.beta.kubernetes.io/app]",
            "'RuntimeDefault' is not an AppArmor profile"),
        Arguments.of("core ValidateSeccompProfile", "1.33",
            "podAnnotations: {seccomp.security.alpha.kubernetes.io/pod: RuntimeDefault}",
            "spec.podAnnotations[seccomp.security.alpha.kubernetes.io/pod]",
            "is not a seccomp profile"),
        Arguments.of("core validateLocalDescendingPath (seccomp localhost)", "1.33",
            "podAnnotations: {container.seccomp.security.alpha.kubernetes.io/app: "
                + "localhost/../etc/profile.json}",
            "spec.podAnnotations[container.seccomp.security.alpha.kubernetes.io/app]",
            "must not contain '..'"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '+10'}",
            "spec.podAnnotations[controller.kubernetes.io/pod-deletion-cost]",
            "must be a 32-bit integer"),
        Arguments.of("core ValidatePodSpecificAnnotations (mirror pod)", "1.33",
            "podAnnotations: {kubernetes.io/config.mirror: abc}",
            "spec.podAnnotations[kubernetes.io/config.mirror]", "remove it"),
        Arguments.of("core ValidateTolerationsInPodAnnotations", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: 'not json'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations]",
            "not a JSON list of tolerations"),
        Arguments.of("core GetTolerationsFromPodAnnotations (an object, not a list)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '{\"key\": \"a\"}'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations]", "not a JSON list of tolerations"),
        Arguments.of("core GetTolerationsFromPodAnnotations (Go refuses a number for a string)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"value\": 1}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations]", "value is a JSON number, not a string"),
        Arguments.of("core GetTolerationsFromPodAnnotations (5.0 is not an int64)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"effect\": \"NoExecute\", \"tolerationSeconds\": 5.0}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations]", "is not a 64-bit integer"),
        Arguments.of("core GetTolerationsFromPodAnnotations (nothing after the list)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[] []'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations]", "not a JSON list of tolerations"),
        Arguments.of("core ValidateTolerations (key: ValidateLabelName)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a b\", \"operator\": \"Exists\"}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].key", "'a b' is not a valid toleration key"),
        Arguments.of("core ValidateTolerations (no key needs Exists)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"operator\": \"Equal\", \"value\": \"x\"}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].operator", "must be Exists when key is empty"),
        Arguments.of("core ValidateTolerations (tolerationSeconds needs NoExecute)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"tolerationSeconds\": 30}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].effect", "must be NoExecute when tolerationSeconds is set"),
        Arguments.of("core ValidateTolerations (value: IsValidLabelValue)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"value\": \"x y\"}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].value", "'x y' is not a valid label value"),
        Arguments.of("core ValidateTolerations (Exists takes no value)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"operator\": \"Exists\", \"value\": \"x\"}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].value", "must be empty when operator is Exists"),
        Arguments.of("core ValidateTolerations (operator: Lt and Gt need an alpha gate)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"operator\": \"Gt\", \"value\": \"5\"}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].operator", "'Gt' is not supported"),
        Arguments.of("core validateTaintEffect", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[{\"key\": \"a\", \"effect\": \"NoScheduleNoAdmit\"}]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].effect", "'NoScheduleNoAdmit' is not supported"),
        Arguments.of("core ValidateTolerations (a null element is an empty toleration)", "1.33",
            "podAnnotations: {scheduler.alpha.kubernetes.io/tolerations: '[null]'}",
            "spec.podAnnotations[scheduler.alpha.kubernetes.io/tolerations][0].operator", "must be Exists when key is empty"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (leading zero)", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '007'}",
            "spec.podAnnotations[controller.kubernetes.io/pod-deletion-cost]",
            "must be a 32-bit integer"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (ParseInt: ASCII digits only)",
            "1.33", "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '\u0661'}",
            "spec.podAnnotations[controller.kubernetes.io/pod-deletion-cost]",
            "must be a 32-bit integer"),
        Arguments.of("helper GetDeletionCostFromPodAnnotations (over int32)", "1.33",
            "podAnnotations: {controller.kubernetes.io/pod-deletion-cost: '-2147483649'}",
            "spec.podAnnotations[controller.kubernetes.io/pod-deletion-cost]",
            "must be a 32-bit integer"),
        Arguments.of("helper IsHugePageResourceValueDivisible (no page size)", "1.33",
            "resources: {limits: {hugepages-big: 2Mi, memory: 1Gi}}",
            "spec.resources.limits[hugepages-big]", "multiple of the page size"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void kubernetesRefusesItAndSoDoWe(String rule, String version, String specFields,
      String field, String fragment) {
    assertThat(problems(version, specFields)).anySatisfy(problem -> {
      assertThat(problem.field()).isEqualTo(field);
      assertThat(problem.message()).contains(fragment);
    });
  }

  private static List<SpecProblem> problems(String version, String specFields) {
    return OperatedServiceValidator.validate(object("{image: 'orders:1', " + specFields + "}"),
        cluster(version));
  }
}
