package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator {@code helm install} deploys runs on the local node as a process under the
 * chart's RBAC, with authorization on: a rule taken out of the chart's ClusterRole is a 403 the
 * API server answers that process, as the chart's ServiceAccount, and the operator reports it.
 */
class HelmInstalledOperatorRbacTest {

  private static final String USER = "system:serviceaccount:operated:operated";
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void aRuleTakenOutOfTheChartsClusterRoleIsA403ForTheInstalledOperator(@TempDir Path temp)
      throws Exception {
    assumeTrue(Files.isRegularFile(LocalEndToEnd.SAMPLE_JAR) && Files.isRegularFile(
        LocalEndToEnd.OPERATOR_JAR), "the sample-service and operator jars are missing: build "
        + "with ./mvnw -B verify");
    try (LocalCluster cluster = LocalCluster.start(LocalEndToEnd.REPO,
        LocalNodeSettings.forSampleService(LocalEndToEnd.SAMPLE_JAR, temp.resolve("logs"))
            .withOperator(LocalEndToEnd.OPERATOR_JAR), "1.33",
        LocalCluster.InProcessOperator.NONE)) {
      HelmCli helm = new HelmCli(Playground.writeKubeconfig(cluster, temp), LocalEndToEnd.REPO);
      assertThat(helm.run(List.of("install", "operated", "helm/operated", "-n", "operated",
          "--create-namespace"))).contains("STATUS: deployed");
      cluster.createNamespace("shop");
      cluster.apply(LocalEndToEnd.EXAMPLE, "shop");
      await("Ready under the chart's ClusterRole").atMost(TIMEOUT)
          .untilAsserted(() -> assertThat(ready(cluster).getStatus()).isEqualTo("True"));
      assertThat(cluster.apiServer().accessRefusals()).as("nothing refused with every rule")
          .noneMatch(refusal -> refusal.user().equals(USER));

      cluster.client().rbac().clusterRoles().withName("operated").edit(role -> {
        role.getRules().stream().filter(rule -> rule.getResources().contains("deployments"))
            .forEach(rule -> rule.setVerbs(rule.getVerbs().stream()
                .filter(verb -> !verb.equals("patch")).toList()));
        return role;
      });
      OperatedService changed = cluster.client().resources(OperatedService.class)
          .load(Files.newInputStream(LocalEndToEnd.EXAMPLE)).item();
      changed.setSpec(changed.getSpec().withEnv(List.of(new EnvVarBuilder()
          .withName("NEEDS_A_PATCH").withValue("yes").build())));
      cluster.apply(changed, "shop");

      await("a 403 for the installed operator").atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(cluster.apiServer().accessRefusals()).anyMatch(refusal ->
            refusal.user().equals(USER) && refusal.code() == 403
                && refusal.path().contains("/deployments/sample-service"));
        Condition ready = ready(cluster);
        assertThat(ready.getReason()).isEqualTo("ApplyFailed");
        // the API server's answer as the status words it, not the client's exception text
        assertThat(ready.getMessage()).contains("the API server answered 403",
            "deployments.apps \"sample-service\" "
            + "is forbidden: User \"" + USER + "\" cannot patch resource \"deployments\"");
      });
    }
  }

  private static Condition ready(LocalCluster cluster) {
    OperatedService service = cluster.client().resources(OperatedService.class)
        .inNamespace("shop").withName("sample-service").get();
    assertThat(service).isNotNull();
    assertThat(service.getStatus()).isNotNull();
    return service.getStatus().condition("Ready").orElseThrow();
  }
}
