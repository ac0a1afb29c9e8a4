package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import java.util.List;

/** The authorization stage's decision maker (k8s.io/apiserver {@code authorizer.Authorizer}). */
public interface Authorizer {

  /** Allowed or not, and why (RBAC names the binding that allowed it). */
  record Decision(boolean allowed, String reason) {
  }

  Decision authorize(RequestAttributes request);

  /** What the user may do in the namespace ("" for cluster-wide), for SelfSubjectRulesReviews. */
  List<PolicyRule> rulesFor(User user, String namespace);

  /** kube-apiserver's {@code --authorization-mode}: the two this server offers. */
  enum Mode {
    /** Every request allowed (the default here, and kube-apiserver's AlwaysAllow). */
    ALWAYS_ALLOW,
    /** {@code system:masters} allowed everything, everyone else by the stored RBAC objects. */
    RBAC
  }

  /** AlwaysAllow ({@code authorizerfactory.NewAlwaysAllowAuthorizer}). */
  Authorizer ALWAYS_ALLOW = new Authorizer() {
    @Override
    public Decision authorize(RequestAttributes request) {
      return new Decision(true, "the embedded API server authorizes every request");
    }

    @Override
    public List<PolicyRule> rulesFor(User user, String namespace) {
      return List.of(everything());
    }
  };

  /** {@code *} on every resource and non-resource URL. */
  static PolicyRule everything() {
    return new PolicyRuleBuilder().withVerbs("*").withApiGroups("*").withResources("*")
        .withNonResourceURLs("*").build();
  }
}
