package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RBAC authorizer's decisions, ported from kubernetes/kubernetes:
 * plugin/pkg/auth/authorizer/rbac/rbac_test.go ({@code TestAuthorizer}, {@code TestRuleMatches}),
 * pkg/registry/rbac/validation/rule_test.go ({@code TestAppliesTo}) and the request attributes of
 * staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo_test.go
 * ({@code TestGetAPIRequestInfo}, {@code TestFieldSelectorParsing}). Each test names its source.
 */
class RbacAuthorizerConformanceTest {

  // ---- rbac_test.go TestAuthorizer ----

  /** TestAuthorizer case 0: a RoleBinding to a ClusterRole grants in its namespace only. */
  @Test
  void aRoleBindingToAClusterRoleGrantsInItsNamespaceOnly() {
    RbacAuthorizer authorizer = authorizer(List.of(), List.of(
        roleBinding("ns1", "ClusterRole", "admin", subject("User", "admin"),
            subject("Group", "admins"))),
        List.of(clusterRole("admin", rule("*", "*", "*", "*"))), List.of());

    assertThat(allows(authorizer, "admin", "", "get", "Pods", "", "ns1")).isTrue();
    assertThat(allows(authorizer, "admin", "", "watch", "Pods", "", "ns1")).isTrue();
    assertThat(allows(authorizer, "admin", "group1", "watch", "Foobar", "", "ns1")).isTrue();
    assertThat(allows(authorizer, "joe", "admins", "watch", "Foobar", "", "ns1")).isTrue();
    assertThat(allows(authorizer, "joe", "group1,admins", "watch", "Foobar", "", "ns1")).isTrue();

    assertThat(allows(authorizer, "admin", "", "GET", "Pods", "", "ns2")).isFalse();
    assertThat(allows(authorizer, "admin", "", "GET", "Nodes", "", "")).isFalse();
    assertThat(allows(authorizer, "admin", "admins", "GET", "Pods", "", "ns2")).isFalse();
    assertThat(allows(authorizer, "admin", "admins", "GET", "Nodes", "", "")).isFalse();
  }

  /** TestAuthorizer case 1: non-resource URLs, exact and by prefix. */
  @Test
  void nonResourceUrlsByUserAndGroupExactAndByPrefix() {
    RbacAuthorizer authorizer = authorizer(List.of(), List.of(), List.of(
        clusterRole("non-resource-url-getter", nonResourceRule("get", "/apis")),
        clusterRole("non-resource-url", nonResourceRule("*", "/apis")),
        clusterRole("non-resource-url-prefix", nonResourceRule("get", "/apis/*"))), List.of(
        clusterRoleBinding("non-resource-url-getter", subject("User", "foo"),
            subject("Group", "bar")),
        clusterRoleBinding("non-resource-url", subject("User", "admin"),
            subject("Group", "admin")),
        clusterRoleBinding("non-resource-url-prefix", subject("User", "prefixed"),
            subject("Group", "prefixed"))));

    assertThat(allowsPath(authorizer, user("foo"), "get", "/apis")).isTrue();
    assertThat(allowsPath(authorizer, group("bar"), "get", "/apis")).isTrue();
    assertThat(allowsPath(authorizer, user("admin"), "get", "/apis")).isTrue();
    assertThat(allowsPath(authorizer, group("admin"), "get", "/apis")).isTrue();
    assertThat(allowsPath(authorizer, user("admin"), "watch", "/apis")).isTrue();
    assertThat(allowsPath(authorizer, group("admin"), "watch", "/apis")).isTrue();
    assertThat(allowsPath(authorizer, user("prefixed"), "get", "/apis/v1")).isTrue();
    assertThat(allowsPath(authorizer, group("prefixed"), "get", "/apis/v1")).isTrue();
    assertThat(allowsPath(authorizer, user("prefixed"), "get", "/apis/v1/foobar")).isTrue();
    assertThat(allowsPath(authorizer, group("prefixed"), "get", "/apis/v1/foorbar")).isTrue();

    // wrong verb
    assertThat(allowsPath(authorizer, user("foo"), "watch", "/apis")).isFalse();
    assertThat(allowsPath(authorizer, group("bar"), "watch", "/apis")).isFalse();
    // wrong path
    assertThat(allowsPath(authorizer, user("foo"), "get", "/api/v1")).isFalse();
    assertThat(allowsPath(authorizer, group("bar"), "get", "/api/v1")).isFalse();
    assertThat(allowsPath(authorizer, user("admin"), "get", "/api/v1")).isFalse();
    assertThat(allowsPath(authorizer, group("admin"), "get", "/api/v1")).isFalse();
    // not covered by prefix
    assertThat(allowsPath(authorizer, user("prefixed"), "get", "/api/v1")).isFalse();
    assertThat(allowsPath(authorizer, group("prefixed"), "get", "/api/v1")).isFalse();
  }

  /** TestAuthorizer cases 2 and 3: a rule on pods is not one on pods/status, and back. */
  @Test
  void aResourceAndItsSubresourceAreGrantedSeparately() {
    RbacAuthorizer pods = authorizer(List.of(), List.of(roleBinding("ns1", "ClusterRole",
        "admin", subject("User", "admin"))),
        List.of(clusterRole("admin", rule("*", "*", "pods", "*"))), List.of());
    assertThat(allows(pods, "admin", "", "get", "pods", "", "ns1")).isTrue();
    assertThat(allows(pods, "admin", "", "get", "pods", "status", "ns1")).isFalse();

    RbacAuthorizer status = authorizer(List.of(), List.of(roleBinding("ns1", "ClusterRole",
        "admin", subject("User", "admin"))),
        List.of(clusterRole("admin", rule("*", "*", "pods/status", "*"))), List.of());
    assertThat(allows(status, "admin", "", "get", "pods", "status", "ns1")).isTrue();
    assertThat(allows(status, "admin", "", "get", "pods", "", "ns1")).isFalse();
  }

  // ---- rbac_test.go TestRuleMatches ----

  @Test
  void starVerbExactMatchOther() {
    PolicyRule rule = rule("*", "group1", "resource1", "");
    assertThat(matches(rule, "verb1", "group1", "resource1", "")).isTrue();
    assertThat(matches(rule, "verb1", "group2", "resource1", "")).isFalse();
    assertThat(matches(rule, "verb1", "group1", "resource2", "")).isFalse();
    assertThat(matches(rule, "verb2", "group1", "resource1", "")).isTrue();
    assertThat(matches(rule, "verb2", "group2", "resource2", "")).isFalse();
  }

  @Test
  void starGroupExactMatchOther() {
    PolicyRule rule = rule("verb1", "*", "resource1", "");
    assertThat(matches(rule, "verb1", "group1", "resource1", "")).isTrue();
    assertThat(matches(rule, "verb1", "group2", "resource1", "")).isTrue();
    assertThat(matches(rule, "verb1", "group1", "resource2", "")).isFalse();
    assertThat(matches(rule, "verb2", "group1", "resource1", "")).isFalse();
  }

  @Test
  void starResourceExactMatchOther() {
    PolicyRule rule = rule("verb1", "group1", "*", "");
    assertThat(matches(rule, "verb1", "group1", "resource1", "")).isTrue();
    assertThat(matches(rule, "verb1", "group1", "resource2", "")).isTrue();
    assertThat(matches(rule, "verb1", "group2", "resource1", "")).isFalse();
    assertThat(matches(rule, "verb2", "group1", "resource1", "")).isFalse();
  }

  @Test
  void tupleExpansion() {
    PolicyRule rule = rule("verb1,verb2", "group1,group2", "resource1,resource2", "");
    for (String verb : List.of("verb1", "verb2")) {
      for (String group : List.of("group1", "group2")) {
        for (String resource : List.of("resource1", "resource2")) {
          assertThat(matches(rule, verb, group, resource, "")).isTrue();
        }
      }
    }
  }

  @Test
  void subresourceExpansion() {
    PolicyRule rule = rule("*", "*", "resource1/subresource1", "");
    assertThat(matches(rule, "verb1", "group1", "resource1", "subresource1")).isTrue();
    assertThat(matches(rule, "verb1", "group2", "resource1", "subresource2")).isFalse();
    assertThat(matches(rule, "verb1", "group1", "resource2", "subresource1")).isFalse();
    assertThat(matches(rule, "verb2", "group1", "resource1", "subresource1")).isTrue();
  }

  /** evaluation_helpers.go ResourceMatches: {@code *}/subresource, for subresources only. */
  @Test
  void starSlashSubresourceMatchesThatSubresourceOfEveryResourceAndNoResourceItself() {
    PolicyRule rule = rule("update", "*", "*/status", "");
    assertThat(matches(rule, "update", "apps", "deployments", "status")).isTrue();
    assertThat(matches(rule, "update", "", "pods", "status")).isTrue();
    assertThat(matches(rule, "update", "apps", "deployments", "scale")).isFalse();
    assertThat(matches(rule, "update", "apps", "deployments", "")).isFalse();
    PolicyRule scale = rule("patch", "apps", "deployments/scale", "");
    assertThat(matches(scale, "patch", "apps", "deployments", "scale")).isTrue();
    assertThat(matches(scale, "patch", "apps", "deployments", "")).isFalse();
  }

  @Test
  void starNonResourceExactMatchOther() {
    PolicyRule rule = nonResourceRule("verb1", "*");
    for (String url : List.of("/foo", "/foo/bar", "/foo/baz", "/foo/bar/one", "/foo/baz/one")) {
      assertThat(matchesPath(rule, "verb1", url)).as(url).isTrue();
      assertThat(matchesPath(rule, "verb2", url)).as(url).isFalse();
    }
  }

  @Test
  void starNonResourceSubpath() {
    PolicyRule rule = nonResourceRule("verb1", "/foo/*");
    assertThat(matchesPath(rule, "verb1", "/foo")).isFalse();
    for (String url : List.of("/foo/bar", "/foo/baz", "/foo/bar/one", "/foo/baz/one")) {
      assertThat(matchesPath(rule, "verb1", url)).as(url).isTrue();
    }
    for (String url : List.of("/notfoo", "/notfoo/bar", "/notfoo/baz", "/notfoo/bar/one")) {
      assertThat(matchesPath(rule, "verb1", url)).as(url).isFalse();
    }
  }

  @Test
  void starVerbExactNonResource() {
    PolicyRule rule = nonResourceRule("*", "/foo", "/foo/bar/one");
    for (String verb : List.of("verb1", "verb2")) {
      assertThat(matchesPath(rule, verb, "/foo")).isTrue();
      assertThat(matchesPath(rule, verb, "/foo/bar")).isFalse();
      assertThat(matchesPath(rule, verb, "/foo/baz")).isFalse();
      assertThat(matchesPath(rule, verb, "/foo/bar/one")).isTrue();
      assertThat(matchesPath(rule, verb, "/foo/baz/one")).isFalse();
    }
  }

  /**
   * evaluation_helpers.go ResourceNameMatches: a rule with names allows requests naming one of
   * them; a create, or a list or watch that names nothing, never matches it.
   */
  @Test
  void resourceNamesAllowOnlyRequestsThatNameOneOfThem() {
    PolicyRule rule = new PolicyRuleBuilder().withApiGroups("").withResources("namespaces")
        .withResourceNames("shop").withVerbs("get", "list", "watch", "create").build();
    User user = user("u");
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.resource(user, "get", "", "",
        "namespaces", "", "shop"), rule)).isTrue();
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.resource(user, "get", "", "",
        "namespaces", "", "billing"), rule)).isFalse();
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.of(user, "GET",
        "/api/v1/namespaces"), rule)).as("list without a name").isFalse();
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.of(user, "GET",
        "/api/v1/namespaces?watch=true"), rule)).as("watch without a name").isFalse();
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.of(user, "POST",
        "/api/v1/namespaces"), rule)).as("create").isFalse();
    // requestinfo.go: a list or watch selecting metadata.name is authorized with that name
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.of(user, "GET",
        "/api/v1/namespaces?fieldSelector=metadata.name%3Dshop"), rule)).isTrue();
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.of(user, "GET",
        "/api/v1/namespaces?fieldSelector=metadata.name%3Dshop&watch=true"), rule)).isTrue();
    assertThat(RbacAuthorizer.ruleAllows(RequestAttributes.of(user, "GET",
        "/api/v1/namespaces?fieldSelector=metadata.name%3Dbilling"), rule)).isFalse();
  }

  // ---- rule_test.go TestAppliesTo ----

  @Test
  void subjectsApplyByUserNameGroupAndServiceAccount() {
    User alice = new User("alice", List.of("team-a"));
    User account = User.serviceAccount("operated", "operated");

    assertThat(RbacAuthorizer.appliesToUser(alice, subject("User", "alice"), "")).isTrue();
    assertThat(RbacAuthorizer.appliesToUser(alice, subject("User", "bob"), "")).isFalse();
    assertThat(RbacAuthorizer.appliesToUser(alice, subject("Group", "team-a"), "")).isTrue();
    assertThat(RbacAuthorizer.appliesToUser(alice, subject("Group", "team-b"), "")).isFalse();
    assertThat(RbacAuthorizer.appliesToUser(account, serviceAccount("operated", "operated"),
        "")).isTrue();
    assertThat(RbacAuthorizer.appliesToUser(account, serviceAccount("other", "operated"), ""))
        .isFalse();
    assertThat(RbacAuthorizer.appliesToUser(account, subject("Group",
        "system:serviceaccounts:operated"), "")).isTrue();
    // a user named like a ServiceAccount is not matched by kind User with the short name
    assertThat(RbacAuthorizer.appliesToUser(account, subject("User", "operated"), ""))
        .isFalse();
  }

  /**
   * TestAppliesTo "service account without namespace": it is the binding's namespace in a
   * RoleBinding, and matches nothing in a ClusterRoleBinding.
   */
  @Test
  void aServiceAccountSubjectWithoutNamespaceIsTheBindingsNamespace() {
    User account = User.serviceAccount("operated", "operated");
    Subject withoutNamespace = serviceAccount(null, "operated");
    assertThat(RbacAuthorizer.appliesToUser(account, withoutNamespace, "operated")).isTrue();
    assertThat(RbacAuthorizer.appliesToUser(account, withoutNamespace, "shop")).isFalse();
    assertThat(RbacAuthorizer.appliesToUser(account, withoutNamespace, "")).isFalse();
  }

  // ---- the authorizer as a whole ----

  /** config.go: system:masters is allowed before RBAC is asked, with no binding at all. */
  @Test
  void systemMastersIsAllowedEverythingWithoutAnyBinding() {
    RbacAuthorizer authorizer = authorizer(List.of(), List.of(), List.of(), List.of());
    User admin = new User("someone", List.of(User.MASTERS));
    assertThat(authorizer.authorize(RequestAttributes.of(admin, "DELETE",
        "/api/v1/namespaces/kube-system")).allowed()).isTrue();
    assertThat(authorizer.authorize(RequestAttributes.of(admin, "GET", "/metrics")).allowed())
        .isTrue();
    assertThat(authorizer.authorize(RequestAttributes.of(user("someone"), "GET", "/metrics"))
        .allowed()).isFalse();
  }

  /**
   * rbac.go Authorize: an allow names the binding (rule.go roleBindingDescriber); a binding to a
   * role that does not exist is the denial's reason.
   */
  @Test
  void anAllowNamesItsBindingAndAMissingRoleIsTheDenialsReason() {
    RbacAuthorizer authorizer = authorizer(
        List.of(role("shop", "reader", rule("get", "", "pods", ""))),
        List.of(roleBinding("shop", "Role", "reader", serviceAccount(null, "app")),
            roleBinding("shop", "ClusterRole", "gone", serviceAccount(null, "app"))),
        List.of(), List.of());
    User app = User.serviceAccount("shop", "app");

    Authorizer.Decision allowed = authorizer.authorize(RequestAttributes.of(app, "GET",
        "/api/v1/namespaces/shop/pods/p"));
    assertThat(allowed.allowed()).isTrue();
    assertThat(allowed.reason()).isEqualTo("RBAC: allowed by RoleBinding \"reader-binding/shop\" "
        + "of Role \"reader\" to ServiceAccount \"app/shop\"");

    Authorizer.Decision denied = authorizer.authorize(RequestAttributes.of(app, "DELETE",
        "/api/v1/namespaces/shop/pods/p"));
    assertThat(denied.allowed()).isFalse();
    assertThat(denied.reason())
        .isEqualTo("RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found");
  }

  /** rule.go GetRoleReferenceRules: a RoleBinding's Role is looked up in its own namespace. */
  @Test
  void aRoleBindingReadsTheRoleOfItsOwnNamespace() {
    RbacAuthorizer authorizer = authorizer(
        List.of(role("billing", "reader", rule("get", "", "pods", ""))),
        List.of(roleBinding("shop", "Role", "reader", subject("User", "u"))),
        List.of(), List.of());
    assertThat(allows(authorizer, "u", "", "get", "pods", "", "shop")).isFalse();
  }

  /** The rules a SelfSubjectRulesReview lists: cluster-wide ones plus the namespace's. */
  @Test
  void rulesForAUserAreTheClusterAndNamespaceRulesItIsBoundTo() {
    PolicyRule clusterWide = rule("get", "", "namespaces", "");
    PolicyRule inShop = rule("patch", "apps", "deployments", "");
    RbacAuthorizer authorizer = authorizer(List.of(role("shop", "deployer", inShop)),
        List.of(roleBinding("shop", "Role", "deployer", subject("User", "u"))),
        List.of(clusterRole("ns-reader", clusterWide)),
        List.of(clusterRoleBinding("ns-reader", subject("User", "u"))));
    assertThat(authorizer.rulesFor(user("u"), "shop")).containsExactly(clusterWide, inShop);
    assertThat(authorizer.rulesFor(user("u"), "billing")).containsExactly(clusterWide);
  }

  // ---- requestinfo_test.go TestGetAPIRequestInfo ----

  @Test
  void requestAttributesFromMethodAndPath() {
    User u = user("u");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces/other/pods"),
        "list", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces/other/pods/foo"),
        "get", "", "other", "pods", "", "foo");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/pods"), "list", "", "", "pods", "",
        "");
    assertAttributes(RequestAttributes.of(u, "HEAD", "/api/v1/namespaces/other/pods/foo"),
        "get", "", "other", "pods", "", "foo");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces/other/pods?watch=true"),
        "watch", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces/other/pods?watch"),
        "watch", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces/other/pods?watch=false"),
        "list", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/watch/namespaces/other/pods"),
        "watch", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "POST", "/api/v1/namespaces/other/pods"),
        "create", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "PUT", "/api/v1/namespaces/other/pods/foo"),
        "update", "", "other", "pods", "", "foo");
    assertAttributes(RequestAttributes.of(u, "DELETE", "/api/v1/namespaces/other/pods/foo"),
        "delete", "", "other", "pods", "", "foo");
    assertAttributes(RequestAttributes.of(u, "DELETE", "/api/v1/namespaces/other/pods"),
        "deletecollection", "", "other", "pods", "", "");
    assertAttributes(RequestAttributes.of(u, "PATCH",
        "/apis/apps/v1/namespaces/shop/deployments/web/scale"),
        "patch", "apps", "shop", "deployments", "scale", "web");
    assertAttributes(RequestAttributes.of(u, "PATCH",
        "/apis/operated.dev/v1alpha1/namespaces/shop/operatedservices/web/status"),
        "patch", "operated.dev", "shop", "operatedservices", "status", "web");
    // a namespace is its own namespace, and status/finalize are its subresources
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces/other"),
        "get", "", "other", "namespaces", "", "other");
    assertAttributes(RequestAttributes.of(u, "PUT", "/api/v1/namespaces/other/finalize"),
        "update", "", "other", "namespaces", "finalize", "other");
    assertAttributes(RequestAttributes.of(u, "GET", "/api/v1/namespaces"),
        "list", "", "", "namespaces", "", "");
    assertAttributes(RequestAttributes.of(u, "GET",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/view"),
        "get", "rbac.authorization.k8s.io", "", "clusterroles", "", "view");
  }

  @Test
  void pathsThatNameNoResourceAreNonResourceRequestsWithTheMethodAsVerb() {
    for (String path : List.of("/version", "/api", "/api/v1", "/apis", "/apis/apps",
        "/apis/apps/v1", "/openapi/v3", "/healthz")) {
      RequestAttributes attributes = RequestAttributes.of(user("u"), "GET", path);
      assertThat(attributes.resourceRequest()).as(path).isFalse();
      assertThat(attributes.verb()).isEqualTo("get");
      assertThat(attributes.path()).isEqualTo(path);
    }
    assertThat(RequestAttributes.of(user("u"), "POST", "/logs").verb()).isEqualTo("post");
  }

  /** TestFieldSelectorParsing: only an exact match on metadata.name names the request. */
  @Test
  void aFieldSelectorNamesAListOnlyByAnExactMetadataNameMatch() {
    User u = user("u");
    assertThat(RequestAttributes.of(u, "GET", "/api/v1/namespaces/ns/pods"
        + "?fieldSelector=metadata.name%3D%3Dfoo").name()).isEqualTo("foo");
    assertThat(RequestAttributes.of(u, "GET", "/api/v1/namespaces/ns/pods"
        + "?fieldSelector=spec.nodeName%3Dn%2Cmetadata.name%3Dfoo").name()).isEqualTo("foo");
    assertThat(RequestAttributes.of(u, "GET", "/api/v1/namespaces/ns/pods"
        + "?fieldSelector=metadata.name!%3Dfoo").name()).isEmpty();
    assertThat(RequestAttributes.of(u, "GET", "/api/v1/namespaces/ns/pods"
        + "?fieldSelector=spec.nodeName%3Dfoo").name()).isEmpty();
  }

  // ---- helpers, as rbac_test.go's newRule/newRole/newRoleBinding ----

  private static void assertAttributes(RequestAttributes attributes, String verb, String group,
      String namespace, String resource, String subresource, String name) {
    assertThat(attributes.resourceRequest()).as(attributes.toString()).isTrue();
    assertThat(List.of(attributes.verb(), attributes.apiGroup(), attributes.namespace(),
        attributes.resource(), attributes.subresource(), attributes.name()))
        .as(attributes.path()).containsExactly(verb, group, namespace, resource, subresource,
            name);
  }

  private static boolean allows(RbacAuthorizer authorizer, String name, String groups,
      String verb, String resource, String subresource, String namespace) {
    User user = new User(name, groups.isEmpty() ? List.of() : Arrays.asList(groups.split(",")));
    return authorizer.authorize(RequestAttributes.resource(user, verb, "", namespace, resource,
        subresource, "")).allowed();
  }

  private static boolean allowsPath(RbacAuthorizer authorizer, User user, String verb,
      String path) {
    return authorizer.authorize(RequestAttributes.nonResource(user, verb, path)).allowed();
  }

  private static boolean matches(PolicyRule rule, String verb, String group, String resource,
      String subresource) {
    return RbacAuthorizer.ruleAllows(RequestAttributes.resource(user("u"), verb, group, "",
        resource, subresource, ""), rule);
  }

  private static boolean matchesPath(PolicyRule rule, String verb, String path) {
    return RbacAuthorizer.ruleAllows(RequestAttributes.nonResource(user("u"), verb, path), rule);
  }

  private static User user(String name) {
    return new User(name, List.of());
  }

  private static User group(String group) {
    return new User("", List.of(group));
  }

  /** rbac_test.go newRule: comma-separated verbs, groups, resources and URLs. */
  private static PolicyRule rule(String verbs, String groups, String resources, String urls) {
    PolicyRuleBuilder rule = new PolicyRuleBuilder().withVerbs(verbs.split(","))
        .withApiGroups(groups.split(",", -1)).withResources(resources.split(","));
    if (!urls.isEmpty()) {
      rule.withNonResourceURLs(urls.split(","));
    }
    return rule.build();
  }

  private static PolicyRule nonResourceRule(String verbs, String... urls) {
    return new PolicyRuleBuilder().withVerbs(verbs.split(",")).withNonResourceURLs(urls).build();
  }

  private static RbacAuthorizer authorizer(List<Role> roles, List<RoleBinding> roleBindings,
      List<ClusterRole> clusterRoles, List<ClusterRoleBinding> clusterRoleBindings) {
    return new RbacAuthorizer(RbacObjects.of(roles, roleBindings, clusterRoles,
        clusterRoleBindings));
  }

  private static Role role(String namespace, String name, PolicyRule... rules) {
    return new RoleBuilder().withNewMetadata().withNamespace(namespace).withName(name)
        .endMetadata().withRules(rules).build();
  }

  private static ClusterRole clusterRole(String name, PolicyRule... rules) {
    return new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata()
        .withRules(rules).build();
  }

  private static RoleBinding roleBinding(String namespace, String kind, String role,
      Subject... subjects) {
    return new RoleBindingBuilder().withNewMetadata().withNamespace(namespace)
        .withName(role + "-binding").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", kind, role).withSubjects(subjects).build();
  }

  private static ClusterRoleBinding clusterRoleBinding(String role, Subject... subjects) {
    return new ClusterRoleBindingBuilder().withNewMetadata().withName(role).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role).withSubjects(subjects)
        .build();
  }

  private static Subject subject(String kind, String name) {
    return new SubjectBuilder().withApiGroup("rbac.authorization.k8s.io").withKind(kind)
        .withName(name).build();
  }

  private static Subject serviceAccount(String namespace, String name) {
    return new SubjectBuilder().withKind("ServiceAccount").withNamespace(namespace)
        .withName(name).build();
  }

}
