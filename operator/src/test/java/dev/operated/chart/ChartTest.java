package dev.operated.chart;

import static dev.operated.chart.RenderedChart.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.operated.runtime.OperatorPermissions;
import dev.operated.runtime.OperatorPermissions.Grant;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The chart as Helm renders it, checked against what the operator's code needs
 * ({@link OperatorPermissions}) and what the issue asks of the pod. Lives in the operator module
 * because the expected RBAC is computed from the operator's own classes.
 */
class ChartTest {

  private static final String FULLNAME = "operated";
  private static final String LEASE = "operated-operator-lease";

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void shipsTheGeneratedCrdInItsCrdsFolder() throws java.io.IOException {
    String crd = java.nio.file.Files.readString(RenderedChart.CHART.getParent().getParent()
        .resolve("crds").resolve("operatedservices.operated.dev-v1.yml"));
    assertThat(new Helm(RenderedChart.CHART).show().crds().call()).contains(crd.strip());
  }

  @Test
  void defaultsWatchAllNamespacesThroughAClusterRoleWithoutLeases() {
    RenderedChart chart = RenderedChart.render(Map.of());

    assertThat(grantsBySubjectScope(chart)).isEqualTo(OperatorPermissions.expected(
        new WatchedNamespaces.All(), NAMESPACE, Optional.empty()));
    assertThat(chart.all(Role.class)).isEmpty();
    assertThat(env(chart)).containsEntry("OPERATED_WATCH_NAMESPACES", "all")
        .containsEntry("OPERATED_LEADER_ELECTION", "false");
    assertThat(chart.all(ServiceMonitor.class)).isEmpty();
    // one replica without a Lease: nothing would fence an old pod from a new one
    assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
  }

  @Test
  void aListOfNamespacesGetsARoleInEachAndNamesThemInTheClusterRole() {
    RenderedChart chart = RenderedChart.render(Map.of("watch",
        Map.of("mode", "list", "namespaces", List.of("shop", "billing"))));

    assertThat(grantsBySubjectScope(chart)).isEqualTo(OperatorPermissions.expected(
        new WatchedNamespaces.Listed(new TreeSet<>(Set.of("shop", "billing"))), NAMESPACE,
        Optional.empty()));
    assertThat(chart.all(Role.class)).extracting(role -> role.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("shop", "billing");
    assertThat(env(chart)).containsEntry("OPERATED_WATCH_NAMESPACES", "shop,billing");
  }

  @Test
  void ownNamespaceModeGrantsOnlyTheReleaseNamespace() {
    RenderedChart chart = RenderedChart.render(Map.of("watch", Map.of("mode", "own")));

    assertThat(grantsBySubjectScope(chart)).isEqualTo(OperatorPermissions.expected(
        new WatchedNamespaces.Own(), NAMESPACE, Optional.empty()));
    assertThat(env(chart)).containsEntry("OPERATED_WATCH_NAMESPACES", "own");
  }

  @Test
  void moreThanOneReplicaTurnsLeaderElectionOnWithItsLeaseRole() {
    RenderedChart chart = RenderedChart.render(Map.of("replicaCount", 2));

    assertThat(grantsBySubjectScope(chart)).isEqualTo(OperatorPermissions.expected(
        new WatchedNamespaces.All(), NAMESPACE, Optional.of(LEASE)));
    assertThat(env(chart)).containsEntry("OPERATED_LEADER_ELECTION", "true")
        .containsEntry("OPERATED_LEASE_NAME", LEASE);
    assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(2);
    // a standby is ready: pods are replaced one by one, never below two
    assertThat(chart.deployment().getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(chart.deployment().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()
        .getIntVal()).isZero();
  }

  @Test
  void leaderElectionCanBeOnWithOneReplicaAndInANamespacedInstall() {
    RenderedChart chart = RenderedChart.render(Map.of(
        "leaderElection", Map.of("enabled", true, "leaseName", "my-lease"),
        "watch", Map.of("mode", "own")));

    assertThat(grantsBySubjectScope(chart)).isEqualTo(OperatorPermissions.expected(
        new WatchedNamespaces.Own(), NAMESPACE, Optional.of("my-lease")));
  }

  @Test
  void leaderElectionOffWithTwoReplicasIsRefusedWithTheFix() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("replicaCount", 2,
        "leaderElection", Map.of("enabled", false))))
        .hasMessageContaining("leaderElection.enabled is false with replicaCount 2")
        .hasMessageContaining("Set leaderElection.enabled to auto");
  }

  @Test
  void rbacHasNoWildcardsAndNeverTouchesSecrets() {
    for (RenderedChart chart : List.of(RenderedChart.render(Map.of()),
        RenderedChart.render(Map.of("replicaCount", 3, "watch",
            Map.of("mode", "list", "namespaces", List.of("a")))))) {
      List<PolicyRule> rules = new java.util.ArrayList<>();
      chart.all(ClusterRole.class).forEach(role -> rules.addAll(role.getRules()));
      chart.all(Role.class).forEach(role -> rules.addAll(role.getRules()));
      assertThat(OperatorPermissions.grants(rules)).isNotEmpty().allSatisfy(grant -> {
        assertThat(List.of(grant.apiGroup(), grant.resource(), grant.verb())).doesNotContain("*");
        assertThat(grant.resource()).isNotEqualTo("secrets");
      });
    }
  }

  /**
   * Delete is granted only for what the workflow removes (a dependent with a reconcile
   * precondition: the collector's ConfigMap, the budget, the ServiceMonitor); the Deployment and
   * the Service go by garbage collection with their OperatedService.
   */
  @Test
  void theOperatorMayDeleteOnlyWhatItsWorkflowRemoves() {
    Set<String> deletable = grantsBySubjectScope(RenderedChart.render(Map.of()))
        .get(OperatorPermissions.CLUSTER).stream().filter(grant -> grant.verb().equals("delete"))
        .map(grant -> grant.apiGroup() + "/" + grant.resource())
        .collect(java.util.stream.Collectors.toSet());
    assertThat(deletable).containsExactlyInAnyOrder("/configmaps",
        "policy/poddisruptionbudgets", "monitoring.coreos.com/servicemonitors");
  }

  /**
   * The metrics Service's name is what kube-apiserver takes as a Service name
   * ({@code ValidateServiceName}: {@code NameIsDNS1035Label}) for any release name Helm takes
   * ({@code chartutil.ValidateReleaseName}: up to 53 characters, dots and a leading digit
   * allowed); where no such name follows from the release's, Helm refuses with the fix.
   */
  @Test
  void theMetricsServiceIsNamedAsKubernetesNamesAServiceForEveryReleaseName() {
    String longest = "a".repeat(53); // "-operated" is added: 62, and "-metrics" was over 63
    assertThat(RenderedChart.render(longest, Map.of()).all(Service.class))
        .singleElement().satisfies(service -> assertThat(service.getMetadata().getName())
            .hasSizeLessThanOrEqualTo(63).matches("[a-z]([-a-z0-9]*[a-z0-9])?"));
    for (String release : List.of("1ops", "ops.operated")) {
      assertThatThrownBy(() -> RenderedChart.render(release, Map.of())).as(release)
          .hasMessageContaining("which Kubernetes refuses as a Service name")
          .hasMessageContaining("set fullnameOverride");
    }
    assertThat(RenderedChart.render("1ops", Map.of("fullnameOverride", "ops")).all(Service.class))
        .extracting(service -> service.getMetadata().getName()).containsExactly("ops-metrics");
  }

  @Test
  void thePodRunsRestricted() {
    Deployment deployment = RenderedChart.render(Map.of()).deployment();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container operator = pod.getContainers().get(0);
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(operator.getSecurityContext().getPrivileged()).isNull();
    // the only writable path: the JVM's temporary files
    assertThat(operator.getVolumeMounts()).singleElement()
        .satisfies(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getServiceAccountName()).isEqualTo(FULLNAME);
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(25L);
  }

  @Test
  void probesPointAtTheOperatorsHealthEndpoints() {
    Container operator = container(RenderedChart.render(Map.of("metrics", Map.of("port", 9090))));
    assertThat(operator.getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("http");
      assertThat(port.getContainerPort()).isEqualTo(9090);
    });
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/livez");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(operator.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(env(operator)).containsEntry("OPERATED_HTTP_PORT", "9090");
  }

  @Test
  void theDefaultImageIsTheOneJibBuilds() {
    String jibImage = System.getProperty("operated.image");
    assertThat(jibImage).as("set by operator/pom.xml (image.name)").isNotBlank();
    Container operator = container(RenderedChart.render(Map.of()));
    assertThat(operator.getImage()).isEqualTo(jibImage);
    assertThat(operator.getArgs()).containsExactly("run");

    String digest = "sha256:" + "a".repeat(64);
    assertThat(container(RenderedChart.render(Map.of("image", Map.of("digest", digest))))
        .getImage()).isEqualTo("ghcr.io/operated-dev/operator@" + digest);
  }

  @Test
  void theHeapFollowsTheMemoryLimit() {
    Container operator = container(RenderedChart.render(Map.of("jvm",
        Map.of("maxRamPercentage", 60))));
    assertThat(operator.getResources().getLimits()).containsKey("memory");
    assertThat(env(operator).get("JDK_JAVA_OPTIONS")).isEqualTo("-XX:+UseSerialGC "
        + "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError "
        + "-XX:+IgnoreUnrecognizedVMOptions -XX:+UseCompactObjectHeaders "
        + "-XX:+UseStringDeduplication -XX:TieredStopAtLevel=1");
    assertThat(env(operator).get("MALLOC_ARENA_MAX")).isEqualTo("2");
  }

  @Test
  void eachMeasuredJvmLeverCanBeTurnedOff() {
    Container operator = container(RenderedChart.render(Map.of("jvm",
        Map.of("compactObjectHeaders", false, "stringDeduplication", false,
            "clientCompilerOnly", false, "extraOptions", "-Xss512k"))));
    assertThat(env(operator).get("JDK_JAVA_OPTIONS")).isEqualTo("-XX:+UseSerialGC "
        + "-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError -Xss512k");
  }

  @Test
  void theMetricsServiceAndTheOptionalServiceMonitor() {
    RenderedChart chart = RenderedChart.render(Map.of("metrics",
        Map.of("serviceMonitor", Map.of("enabled", true, "interval", "15s",
            "labels", Map.of("release", "prometheus")))));
    Service service = chart.find(Service.class, FULLNAME + "-metrics").orElseThrow();
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getSelector()).isEqualTo(
        chart.deployment().getSpec().getSelector().getMatchLabels());
    ServiceMonitor monitor = chart.find(ServiceMonitor.class, FULLNAME).orElseThrow();
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
      assertThat(endpoint.getPort()).isEqualTo(service.getSpec().getPorts().get(0).getName());
      assertThat(endpoint.getPath()).isEqualTo("/metrics");
      assertThat(endpoint.getInterval()).isEqualTo("15s");
    });
    assertThat(chart.all(ServiceAccount.class)).singleElement();
  }

  @Test
  void collectorDefaultsAndTracingReachTheOperator() {
    Map<String, String> env = env(RenderedChart.render(Map.of(
        "collector", Map.of("image", "otel/opentelemetry-collector-contrib:0.140.0",
            "gateway", "http://gateway.observability:4317"),
        "tracing", Map.of("enabled", true, "endpoint", "http://collector:4318"),
        "logLevel", "DEBUG")));
    assertThat(env).containsEntry("OPERATED_COLLECTOR_IMAGE",
            "otel/opentelemetry-collector-contrib:0.140.0")
        .containsEntry("OPERATED_COLLECTOR_GATEWAY", "http://gateway.observability:4317")
        .containsEntry("OTEL_TRACES_EXPORTER", "otlp")
        .containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
        .containsEntry("OPERATED_LOG_LEVEL", "DEBUG");
    assertThat(env(RenderedChart.render(Map.of()))).containsEntry("OTEL_TRACES_EXPORTER", "none")
        .doesNotContainKeys("OPERATED_COLLECTOR_IMAGE", "OPERATED_COLLECTOR_GATEWAY");
  }

  /** Grants of the chart's service account by scope, following its bindings to their roles. */
  static Map<String, Set<Grant>> grantsBySubjectScope(RenderedChart chart) {
    Map<String, Set<Grant>> byScope = new TreeMap<>();
    Map<String, ClusterRole> clusterRoles = chart.all(ClusterRole.class).stream()
        .collect(Collectors.toMap(role -> role.getMetadata().getName(), Function.identity()));
    for (ClusterRoleBinding binding : chart.all(ClusterRoleBinding.class)) {
      if (bindsOperator(binding.getSubjects())) {
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        byScope.computeIfAbsent(OperatorPermissions.CLUSTER, s -> new TreeSet<>()).addAll(
            OperatorPermissions.grants(clusterRoles.get(binding.getRoleRef().getName()).getRules()));
      }
    }
    for (RoleBinding binding : chart.all(RoleBinding.class)) {
      if (bindsOperator(binding.getSubjects())) {
        String namespace = binding.getMetadata().getNamespace();
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        Role role = chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getNamespace().equals(namespace)
                && r.getMetadata().getName().equals(binding.getRoleRef().getName()))
            .findFirst().orElseThrow(() -> new AssertionError("no Role for " + binding));
        byScope.computeIfAbsent(namespace, s -> new TreeSet<>())
            .addAll(OperatorPermissions.grants(role.getRules()));
      }
    }
    return byScope;
  }

  private static boolean bindsOperator(List<Subject> subjects) {
    return subjects.stream().anyMatch(subject -> "ServiceAccount".equals(subject.getKind())
        && FULLNAME.equals(subject.getName()) && NAMESPACE.equals(subject.getNamespace()));
  }

  private static Container container(RenderedChart chart) {
    return chart.deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Map<String, String> env(RenderedChart chart) {
    return env(container(chart));
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new TreeMap<>();
    for (EnvVar variable : container.getEnv()) {
      if (variable.getValue() != null) {
        env.put(variable.getName(), variable.getValue());
      }
    }
    return env;
  }
}
