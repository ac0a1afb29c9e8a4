package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Optional;

/**
 * Where the RBAC authorizer reads roles and bindings: the store, or fixed lists in tests
 * (upstream's {@code RoleGetter}, {@code RoleBindingLister}, {@code ClusterRoleGetter} and
 * {@code ClusterRoleBindingLister} in pkg/registry/rbac/validation/rule.go).
 */
public interface RbacObjects {

  Optional<Role> role(String namespace, String name);

  List<RoleBinding> roleBindings(String namespace);

  Optional<ClusterRole> clusterRole(String name);

  List<ClusterRoleBinding> clusterRoleBindings();

  /** Fixed objects, as upstream's {@code StaticRoles} in rule.go. */
  static RbacObjects of(List<Role> roles, List<RoleBinding> roleBindings,
      List<ClusterRole> clusterRoles, List<ClusterRoleBinding> clusterRoleBindings) {
    return new RbacObjects() {
      @Override
      public Optional<Role> role(String namespace, String name) {
        return roles.stream().filter(role -> namespace.equals(role.getMetadata().getNamespace())
            && name.equals(role.getMetadata().getName())).findFirst();
      }

      @Override
      public List<RoleBinding> roleBindings(String namespace) {
        return roleBindings.stream()
            .filter(binding -> namespace.equals(binding.getMetadata().getNamespace())).toList();
      }

      @Override
      public Optional<ClusterRole> clusterRole(String name) {
        return clusterRoles.stream().filter(role -> name.equals(role.getMetadata().getName()))
            .findFirst();
      }

      @Override
      public List<ClusterRoleBinding> clusterRoleBindings() {
        return clusterRoleBindings;
      }
    };
  }
}
