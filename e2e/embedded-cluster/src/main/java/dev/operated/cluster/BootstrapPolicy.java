package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * The default ClusterRoles and bindings every RBAC cluster has, which clients rely on without
 * knowing it: discovery and {@code /version} for every authenticated user, {@code /version} and
 * health for anonymous ones too, self access reviews for everyone, and {@code cluster-admin}
 * for {@code system:masters}. A subset of plugin/pkg/auth/authorizer/rbac/bootstrappolicy/
 * policy.go ({@code ClusterRoles}, {@code ClusterRoleBindings}), created at start as the API
 * server's {@code rbac/bootstrap-roles} post-start hook creates them; the controllers' and
 * nodes' roles and the aggregated admin/edit/view roles are left out, since nothing here runs as
 * them.
 */
final class BootstrapPolicy {

  static final String DISCOVERY = "system:discovery";
  static final String BASIC_USER = "system:basic-user";
  static final String PUBLIC_INFO_VIEWER = "system:public-info-viewer";
  static final String CLUSTER_ADMIN = "cluster-admin";

  private static final List<String> HEALTH_AND_VERSION = List.of("/healthz", "/livez", "/readyz",
      "/version", "/version/");

  private BootstrapPolicy() {
  }

  static List<HasMetadata> objects() {
    return List.of(
        role(CLUSTER_ADMIN, new PolicyRuleBuilder().withApiGroups("*").withResources("*")
            .withVerbs("*").build(), new PolicyRuleBuilder().withNonResourceURLs("*")
            .withVerbs("*").build()),
        role(DISCOVERY, new PolicyRuleBuilder().withNonResourceURLs("/api", "/api/*", "/apis",
            "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version",
            "/version/").withVerbs("get").build()),
        role(BASIC_USER, new PolicyRuleBuilder().withApiGroups("authorization.k8s.io")
            .withResources("selfsubjectaccessreviews", "selfsubjectrulesreviews")
            .withVerbs("create").build(), new PolicyRuleBuilder()
            .withApiGroups("authentication.k8s.io").withResources("selfsubjectreviews")
            .withVerbs("create").build()),
        role(PUBLIC_INFO_VIEWER, new PolicyRuleBuilder().withNonResourceURLs(HEALTH_AND_VERSION)
            .withVerbs("get").build()),
        binding(CLUSTER_ADMIN, User.MASTERS),
        binding(DISCOVERY, User.AUTHENTICATED),
        binding(BASIC_USER, User.AUTHENTICATED),
        binding(PUBLIC_INFO_VIEWER, User.AUTHENTICATED, User.UNAUTHENTICATED));
  }

  static void create(KubernetesClient admin) {
    for (HasMetadata object : objects()) {
      admin.resource(object).create();
    }
  }

  private static ClusterRole role(String name, PolicyRule... rules) {
    return new ClusterRoleBuilder().withNewMetadata().withName(name).withLabels(defaults())
        .withAnnotations(autoUpdate()).endMetadata().withRules(rules).build();
  }

  private static ClusterRoleBinding binding(String role, String... groups) {
    ClusterRoleBindingBuilder binding = new ClusterRoleBindingBuilder().withNewMetadata()
        .withName(role).withLabels(defaults()).withAnnotations(autoUpdate()).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role);
    for (String group : groups) {
      binding.addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
          .withName(group).endSubject();
    }
    return binding.build();
  }

  private static Map<String, String> defaults() {
    return Map.of("kubernetes.io/bootstrapping", "rbac-defaults");
  }

  private static Map<String, String> autoUpdate() {
    return Map.of("rbac.authorization.kubernetes.io/autoupdate", "true");
  }
}
