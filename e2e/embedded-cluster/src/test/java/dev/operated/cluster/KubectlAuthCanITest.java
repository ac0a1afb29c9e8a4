package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl auth can-i} sends its SelfSubjectAccessReview and SelfSubjectRulesReview in
 * protobuf, as client-go's typed clients do; they are answered by the same authorizer as the JSON
 * ones (pkg/registry/authorization). {@code kubectl auth whoami} is answered from the request's
 * user. Over HTTPS, since kubectl sends a token only over TLS.
 */
class KubectlAuthCanITest {

  private static final String NS = "shop";
  private static final String ACCOUNT = "app";

  private String executable;
  private EmbeddedCluster cluster;
  private KubernetesClient admin;

  @BeforeEach
  void start() {
    executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    cluster = EmbeddedCluster.builder().authorization(Authorizer.Mode.RBAC).https(true).start();
    admin = cluster.newClient();
  }

  @AfterEach
  void stop() {
    if (admin != null) {
      admin.close();
      cluster.close();
    }
  }

  @Test
  void aServiceAccountAsksWhatItMayDo(@TempDir Path temp) throws Exception {
    accountAllowedTo(admin, "apps", "deployments", "patch");
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

  /**
   * kubectl auth whoami: a SelfSubjectReview (pkg/registry/authentication/selfsubjectreview),
   * printed by kubectl's {@code printTableSelfSubjectAccessReview}.
   */
  @Test
  void kubectlAuthWhoamiNamesTheAccountAndItsGroups(@TempDir Path temp) throws Exception {
    accountAllowedTo(admin, "", "pods", "list");
    Kubectl account = Kubectl.against(cluster, executable, temp, temp,
        cluster.serviceAccountToken(NS, ACCOUNT));

    Kubectl.Result whoami = account.run("auth", "whoami");
    assertThat(whoami.exitCode()).as(whoami.output()).isZero();
    assertThat(whoami.output().lines().map(line -> line.split("\\s{2,}")).toList())
        .containsExactly(new String[] {"ATTRIBUTE", "VALUE"},
            new String[] {"Username", "system:serviceaccount:" + NS + ":" + ACCOUNT},
            new String[] {"Groups", "[system:serviceaccounts system:serviceaccounts:" + NS
                + " system:authenticated]"});
    Kubectl.Result json = account.run("auth", "whoami", "-o", "jsonpath={.kind}");
    assertThat(json.output()).as(json.output()).isEqualTo("SelfSubjectReview");
  }

  /**
   * kubectl create token: the TokenRequest subresource answers a token that authenticates as the
   * account (TokenREST.Create), refuses a life under ten minutes (ValidateTokenRequest) and an
   * account that does not exist.
   */
  @Test
  void kubectlCreateTokenGivesATokenThatActsAsTheAccount(@TempDir Path temp) throws Exception {
    accountAllowedTo(admin, "", "pods", "list");
    Path adminDir = Files.createDirectories(temp.resolve("admin"));
    Kubectl asAdmin = Kubectl.against(cluster, executable, adminDir, adminDir,
        cluster.adminToken());

    Kubectl.Result token = asAdmin.run("create", "token", ACCOUNT, "-n", NS);
    assertThat(token.exitCode()).as(token.output()).isZero();
    Path accountDir = Files.createDirectories(temp.resolve("account"));
    Kubectl.Result whoCanList = Kubectl.against(cluster, executable, accountDir, accountDir,
        token.output().strip()).run("auth", "can-i", "list", "pods", "-n", NS);
    assertThat(whoCanList.output().strip()).as("what only the account's role allows")
        .isEqualTo("yes");

    Kubectl.Result tooShort = asAdmin.run("create", "token", ACCOUNT, "-n", NS,
        "--duration=5m");
    assertThat(tooShort.exitCode()).isNotZero();
    assertThat(tooShort.output()).contains("may not specify a duration less than 10 minutes");
    Kubectl.Result absent = asAdmin.run("create", "token", "nobody", "-n", NS);
    assertThat(absent.output()).contains("serviceaccounts \"nobody\" not found");
  }

  /** The namespace, its ServiceAccount and a Role bound to it allowing one verb on one resource. */
  private static void accountAllowedTo(KubernetesClient admin, String group, String resource,
      String verb) {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
    admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(ACCOUNT).endMetadata().build()).create();
    admin.rbac().roles().inNamespace(NS).resource(new RoleBuilder().withNewMetadata()
        .withName(ACCOUNT).endMetadata().withRules(new PolicyRuleBuilder()
            .withApiGroups(group).withResources(resource).withVerbs(verb).build())
        .build()).create();
    admin.rbac().roleBindings().inNamespace(NS).resource(new RoleBindingBuilder()
        .withNewMetadata().withName(ACCOUNT).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", ACCOUNT)
        .addNewSubject().withKind("ServiceAccount").withName(ACCOUNT).withNamespace(NS)
        .endSubject().build()).create();
  }
}
