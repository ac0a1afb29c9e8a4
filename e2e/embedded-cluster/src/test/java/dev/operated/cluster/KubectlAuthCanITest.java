package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl auth can-i} sends its SelfSubjectAccessReview and SelfSubjectRulesReview in
 * protobuf, as client-go's typed clients do; they are answered by the same authorizer as the JSON
 * ones (pkg/registry/authorization). Over HTTPS, since kubectl sends a token only over TLS.
 */
class KubectlAuthCanITest {

  private static final String NS = "shop";
  private static final String ACCOUNT = "app";

  @Test
  void aServiceAccountAsksWhatItMayDo(@TempDir Path temp) throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    try (EmbeddedCluster cluster = EmbeddedCluster.builder().authorization(Authorizer.Mode.RBAC)
        .https(true).start(); KubernetesClient admin = cluster.newClient()) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
          .endMetadata().build()).create();
      admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder()
          .withNewMetadata().withName(ACCOUNT).endMetadata().build()).create();
      admin.rbac().roles().inNamespace(NS).resource(new RoleBuilder().withNewMetadata()
          .withName(ACCOUNT).endMetadata().withRules(new PolicyRuleBuilder()
              .withApiGroups("apps").withResources("deployments").withVerbs("patch").build())
          .build()).create();
      admin.rbac().roleBindings().inNamespace(NS).resource(new RoleBindingBuilder()
          .withNewMetadata().withName(ACCOUNT).endMetadata()
          .withNewRoleRef("rbac.authorization.k8s.io", "Role", ACCOUNT)
          .addNewSubject().withKind("ServiceAccount").withName(ACCOUNT).withNamespace(NS)
          .endSubject().build()).create();
      Kubectl account = Kubectl.against(cluster, executable, temp, temp,
          cluster.serviceAccountToken(NS, ACCOUNT));

      Kubectl.Result patch = account.run("auth", "can-i", "patch", "deployments", "-n", NS);
      assertThat(patch.output().strip()).as(patch.output()).isEqualTo("yes");
      Kubectl.Result delete = account.run("auth", "can-i", "delete", "deployments", "-n", NS);
      assertThat(delete.output().strip()).as(delete.output()).isEqualTo("no");
      assertThat(delete.exitCode()).isEqualTo(1);
      Kubectl.Result list = account.run("auth", "can-i", "--list", "-n", NS);
      assertThat(list.exitCode()).as(list.output()).isZero();
      assertThat(list.output()).contains("deployments.apps").contains("[patch]");
    }
  }
}
