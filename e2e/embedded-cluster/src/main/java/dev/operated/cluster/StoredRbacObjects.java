package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The RBAC objects as stored now: every decision reads the current roles and bindings. */
final class StoredRbacObjects implements RbacObjects {

  private static final String GROUP = "rbac.authorization.k8s.io";

  private final Storage api;

  StoredRbacObjects(Storage api) {
    this.api = api;
  }

  @Override
  public Optional<Role> role(String namespace, String name) {
    return Optional.ofNullable(api.get(target(namespace, "roles", name)))
        .map(object -> StoredForm.typed(object, Role.class));
  }

  @Override
  public List<RoleBinding> roleBindings(String namespace) {
    return api.list(target(namespace, "rolebindings", null).collectionPath()).stream()
        .map(object -> StoredForm.typed(object, RoleBinding.class)).toList();
  }

  @Override
  public Optional<ClusterRole> clusterRole(String name) {
    return Optional.ofNullable(api.get(target(null, "clusterroles", name)))
        .map(object -> StoredForm.typed(object, ClusterRole.class));
  }

  @Override
  public List<ClusterRoleBinding> clusterRoleBindings() {
    return api.list(target(null, "clusterrolebindings", null).collectionPath()).stream()
        .map(object -> StoredForm.typed(object, ClusterRoleBinding.class)).toList();
  }

  private static ApiTarget target(String namespace, String plural, String name) {
    return new ApiTarget(GROUP, "v1", namespace, plural, name, null, Map.of());
  }
}
