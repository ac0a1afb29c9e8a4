package dev.operated.playground;

import dev.operated.runtime.OperatorPermissions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The identity the chart gives the operator with its defaults (watching every namespace), under
 * names of the playground's own: a ServiceAccount bound to a ClusterRole with exactly
 * {@link OperatorPermissions}' rules. ChartTest holds the chart's rendered RBAC
 * equal to those rules, and e2e's OperatorUnderChartRbacTest runs the operator under the rendered
 * chart itself; here they are built from the same source without a Helm at run time.
 */
final class OperatorServiceAccount {

  /**
   * Not the chart's names ({@code operated} in {@code operated}): the README's
   * {@code helm install operated} must find them free, as on a new cluster, and Helm refuses
   * to adopt objects it did not create.
   */
  static final String NAMESPACE = "playground-system";
  static final String NAME = "operated-playground";

  private OperatorServiceAccount() {
  }

  /** Creates the namespace, the ServiceAccount, its ClusterRole and the binding, as an admin. */
  static void install(io.fabric8.kubernetes.client.KubernetesClient admin) {
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
        .endMetadata().build()).serverSideApply();
    admin.serviceAccounts().inNamespace(NAMESPACE).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(NAME).endMetadata().build()).serverSideApply();
    List<PolicyRule> rules = new ArrayList<>(OperatorPermissions.inWatchedNamespaces());
    rules.addAll(OperatorPermissions.clusterScoped(Optional.empty()));
    admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata()
        .withName(NAME).endMetadata().withRules(rules).build()).serverSideApply();
    admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName(NAME).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", NAME)
        .addNewSubject().withKind("ServiceAccount").withName(NAME).withNamespace(NAMESPACE)
        .endSubject().build()).serverSideApply();
  }
}
