package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * RBAC as kube-apiserver decides it: the privileged group {@code system:masters} first (it is
 * allowed everything before RBAC is asked: pkg/kubeapiserver/authorizer/config.go puts
 * {@code authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup)} first in the
 * union), then the rules of every ClusterRoleBinding and, for a namespaced request, every
 * RoleBinding of that namespace whose subjects include the user. Rules only allow; nothing
 * denies.
 *
 * <p>Ported from plugin/pkg/auth/authorizer/rbac/rbac.go ({@code RBACAuthorizer.Authorize},
 * {@code RuleAllows}), pkg/registry/rbac/validation/rule.go ({@code VisitRulesFor},
 * {@code GetRoleReferenceRules}, {@code appliesToUser}) and pkg/apis/rbac/v1/evaluation_helpers.go
 * ({@code VerbMatches}, {@code APIGroupMatches}, {@code ResourceMatches},
 * {@code ResourceNameMatches}, {@code NonResourceURLMatches}). Aggregated ClusterRoles are read
 * as stored: their rules are written by {@link ClusterRoleAggregation}, as upstream's controller
 * writes them.
 */
public final class RbacAuthorizer implements Authorizer {

  private final RbacObjects objects;

  public RbacAuthorizer(RbacObjects objects) {
    this.objects = objects;
  }

  /** A rule and the binding it came from, as {@code VisitRulesFor} hands them over. */
  private record SourcedRule(String source, PolicyRule rule) {
  }

  @Override
  public Decision authorize(RequestAttributes request) {
    if (request.user().inGroup(User.MASTERS)) {
      return new Decision(true, "");
    }
    List<String> errors = new ArrayList<>();
    for (SourcedRule sourced : rules(request.user(), request.namespace(), errors)) {
      if (ruleAllows(request, sourced.rule())) {
        return new Decision(true, "RBAC: allowed by " + sourced.source());
      }
    }
    // rbac.go: resolution errors (a binding to a missing role) become the denial's reason
    String reason = errors.isEmpty() ? "" : "RBAC: " + (errors.size() == 1 ? errors.get(0)
        : "[" + String.join(", ", errors) + "]");
    return new Decision(false, reason);
  }

  @Override
  public List<PolicyRule> rulesFor(User user, String namespace) {
    if (user.inGroup(User.MASTERS)) {
      return List.of(Authorizer.everything());
    }
    return rules(user, namespace, new ArrayList<>()).stream().map(SourcedRule::rule).toList();
  }

  /** rule.go {@code VisitRulesFor}: cluster role bindings, then the namespace's role bindings. */
  private List<SourcedRule> rules(User user, String namespace, List<String> errors) {
    List<SourcedRule> rules = new ArrayList<>();
    for (ClusterRoleBinding binding : objects.clusterRoleBindings()) {
      Optional<Subject> subject = appliesTo(user, binding.getSubjects(), "");
      if (subject.isEmpty()) {
        continue;
      }
      String source = "ClusterRoleBinding \"" + binding.getMetadata().getName() + "\" of "
          + describe(binding.getRoleRef()) + " to " + describe(subject.get(), "");
      roleReferenceRules(binding.getRoleRef(), "", errors)
          .forEach(rule -> rules.add(new SourcedRule(source, rule)));
    }
    if (!namespace.isEmpty()) {
      for (RoleBinding binding : objects.roleBindings(namespace)) {
        Optional<Subject> subject = appliesTo(user, binding.getSubjects(), namespace);
        if (subject.isEmpty()) {
          continue;
        }
        String source = "RoleBinding \"" + binding.getMetadata().getName() + "/" + namespace
            + "\" of " + describe(binding.getRoleRef()) + " to " + describe(subject.get(),
            namespace);
        roleReferenceRules(binding.getRoleRef(), namespace, errors)
            .forEach(rule -> rules.add(new SourcedRule(source, rule)));
      }
    }
    return rules;
  }

  /** rule.go {@code GetRoleReferenceRules}: a Role of the binding's namespace, or a ClusterRole. */
  private List<PolicyRule> roleReferenceRules(RoleRef roleRef, String bindingNamespace,
      List<String> errors) {
    switch (String.valueOf(roleRef.getKind())) {
      case "Role" -> {
        var role = objects.role(bindingNamespace, roleRef.getName());
        if (role.isEmpty()) {
          errors.add("role.rbac.authorization.k8s.io \"" + roleRef.getName() + "\" not found");
          return List.of();
        }
        return nullToEmpty(role.get().getRules());
      }
      case "ClusterRole" -> {
        var role = objects.clusterRole(roleRef.getName());
        if (role.isEmpty()) {
          errors.add("clusterrole.rbac.authorization.k8s.io \"" + roleRef.getName()
              + "\" not found");
          return List.of();
        }
        return nullToEmpty(role.get().getRules());
      }
      default -> {
        errors.add("unsupported role reference kind: \"" + roleRef.getKind() + "\"");
        return List.of();
      }
    }
  }

  /** rule.go {@code appliesTo}: the first subject that names this user. */
  private static Optional<Subject> appliesTo(User user, List<Subject> subjects,
      String namespace) {
    return nullToEmpty(subjects).stream()
        .filter(subject -> appliesToUser(user, subject, namespace)).findFirst();
  }

  /**
   * rule.go {@code appliesToUser}: a User by name, a Group by membership, a ServiceAccount by its
   * user name; a ServiceAccount subject without a namespace means the binding's own namespace
   * (and nothing in a ClusterRoleBinding).
   */
  static boolean appliesToUser(User user, Subject subject, String namespace) {
    switch (String.valueOf(subject.getKind())) {
      case "User":
        return user.name().equals(subject.getName());
      case "Group":
        return user.inGroup(subject.getName());
      case "ServiceAccount":
        String accountNamespace = subject.getNamespace() == null || subject.getNamespace()
            .isEmpty() ? namespace : subject.getNamespace();
        if (accountNamespace.isEmpty()) {
          return false;
        }
        return user.name().equals(User.SERVICE_ACCOUNT_PREFIX + accountNamespace + ":"
            + subject.getName());
      default:
        return false;
    }
  }

  /** rbac.go {@code RuleAllows}. */
  static boolean ruleAllows(RequestAttributes request, PolicyRule rule) {
    if (request.resourceRequest()) {
      String combined = request.subresource().isEmpty() ? request.resource()
          : request.resource() + "/" + request.subresource();
      return verbMatches(rule, request.verb())
          && apiGroupMatches(rule, request.apiGroup())
          && resourceMatches(rule, combined, request.subresource())
          && resourceNameMatches(rule, request.name());
    }
    return verbMatches(rule, request.verb()) && nonResourceUrlMatches(rule, request.path());
  }

  /** evaluation_helpers.go {@code VerbMatches}: the verb, or {@code *}. */
  static boolean verbMatches(PolicyRule rule, String verb) {
    return nullToEmpty(rule.getVerbs()).stream().anyMatch(v -> v.equals("*") || v.equals(verb));
  }

  /** evaluation_helpers.go {@code APIGroupMatches}: the group ("" is core), or {@code *}. */
  static boolean apiGroupMatches(PolicyRule rule, String group) {
    return nullToEmpty(rule.getApiGroups()).stream()
        .anyMatch(g -> g.equals("*") || g.equals(group));
  }

  /**
   * evaluation_helpers.go {@code ResourceMatches}: {@code *}, the exact {@code resource} or
   * {@code resource/subresource}, or {@code *}/subresource for a subresource request. A rule on
   * {@code deployments} does not cover {@code deployments/scale}.
   */
  static boolean resourceMatches(PolicyRule rule, String combinedResource, String subresource) {
    for (String ruleResource : nullToEmpty(rule.getResources())) {
      if (ruleResource.equals("*") || ruleResource.equals(combinedResource)) {
        return true;
      }
      if (!subresource.isEmpty() && ruleResource.equals("*/" + subresource)) {
        return true;
      }
    }
    return false;
  }

  /**
   * evaluation_helpers.go {@code ResourceNameMatches}: no names is every name; otherwise the
   * request must name one of them, so a create, or a list or watch without a
   * {@code metadata.name} field selector, never matches a rule with names.
   */
  static boolean resourceNameMatches(PolicyRule rule, String name) {
    List<String> names = nullToEmpty(rule.getResourceNames());
    return names.isEmpty() || names.contains(name);
  }

  /**
   * evaluation_helpers.go {@code NonResourceURLMatches}: {@code *}, the exact path, or a prefix
   * ending in {@code *}.
   */
  static boolean nonResourceUrlMatches(PolicyRule rule, String path) {
    for (String url : nullToEmpty(rule.getNonResourceURLs())) {
      if (url.equals("*") || url.equals(path)) {
        return true;
      }
      if (url.endsWith("*") && path.startsWith(url.replaceAll("\\*+$", ""))) {
        return true;
      }
    }
    return false;
  }

  private static String describe(RoleRef roleRef) {
    return roleRef.getKind() + " \"" + roleRef.getName() + "\"";
  }

  /** rule.go {@code describeSubject}. */
  private static String describe(Subject subject, String bindingNamespace) {
    if ("ServiceAccount".equals(subject.getKind())) {
      String namespace = subject.getNamespace() == null || subject.getNamespace().isEmpty()
          ? bindingNamespace : subject.getNamespace();
      return subject.getKind() + " \"" + subject.getName() + "/" + namespace + "\"";
    }
    return subject.getKind() + " \"" + subject.getName() + "\"";
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
