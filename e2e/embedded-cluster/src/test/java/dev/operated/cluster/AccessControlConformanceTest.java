package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Authentication and RBAC over HTTP, as a client meets them on a cluster with
 * {@code --authorization-mode=RBAC} and anonymous auth on (kube-apiserver's defaults): the
 * answers' Status (responsewriters/errors.go {@code forbiddenMessage} inside
 * {@code apierrors.NewForbidden}; {@code apierrors.NewUnauthorized} from
 * filters.WithAuthentication), the bootstrap roles (bootstrappolicy/policy.go), aggregation
 * (clusterroleaggregation_controller.go) and the access reviews (pkg/registry/authorization).
 */
class AccessControlConformanceTest {

  private static final String NS = "shop";
  private static final String ACCOUNT = "app";
  private static final String USER = "system:serviceaccount:shop:app";

  private EmbeddedCluster cluster;
  private KubernetesClient admin;
  private KubernetesClient app;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().authorization(Authorizer.Mode.RBAC).start();
    admin = cluster.newClient();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
        .endMetadata().build()).create();
    admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(ACCOUNT).endMetadata().build()).create();
    app = new KubernetesClientBuilder().withConfig(cluster.serviceAccountConfig(NS, ACCOUNT))
        .build();
  }

  @AfterEach
  void stop() {
    app.close();
    admin.close();
    cluster.close();
  }

  @Test
  void theAdminUserInSystemMastersMayDoAnything() {
    assertThat(cluster.authorizationMode()).isEqualTo(Authorizer.Mode.RBAC);
    admin.configMaps().inNamespace(NS).resource(configMap("c")).create();
    assertThat(admin.configMaps().inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(admin.rbac().clusterRoles().withName("cluster-admin").get()).isNotNull();
  }

  @Test
  void aServiceAccountWithoutBindingsIsRefusedWithTheRealServersStatus() throws Exception {
    KubernetesClientException refused = refusal(() -> app.configMaps().inNamespace(NS)
        .withName("c").get());
    Status status = refused.getStatus();
    assertThat(status.getCode()).isEqualTo(403);
    assertThat(status.getReason()).isEqualTo("Forbidden");
    assertThat(status.getMessage()).isEqualTo("configmaps \"c\" is forbidden: User \"" + USER
        + "\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"shop\"");
    assertThat(status.getDetails().getName()).isEqualTo("c");
    assertThat(status.getDetails().getKind()).isEqualTo("configmaps");

    assertThat(refusal(() -> app.apps().deployments().inAnyNamespace().list()).getStatus()
        .getMessage()).isEqualTo("deployments.apps is forbidden: User \"" + USER + "\" cannot "
        + "list resource \"deployments\" in API group \"apps\" at the cluster scope");
    HttpResponse<String> patch = send("PATCH", "/apis/apps/v1/namespaces/shop/deployments/x",
        cluster.serviceAccountToken(NS, ACCOUNT), "{}");
    assertThat(patch.statusCode()).isEqualTo(403);
    Status patchStatus = Serialization.unmarshal(patch.body(), Status.class);
    assertThat(patchStatus.getMessage()).isEqualTo("deployments.apps \"x\" is forbidden: User "
        + "\"" + USER + "\" cannot patch resource \"deployments\" in API group \"apps\" in the "
        + "namespace \"shop\"");
    assertThat(patchStatus.getDetails().getGroup()).isEqualTo("apps");
    assertThat(patchStatus.getDetails().getKind()).isEqualTo("deployments");
  }

  /** Every authenticated user may discover the API and read /version (system:discovery). */
  @Test
  void discoveryAndVersionNeedNoBinding() {
    assertThat(app.getKubernetesVersion().getMinor()).isEqualTo("33");
    assertThat(app.getApiGroups().getGroups()).isNotEmpty();
  }

  @Test
  void aRoleBindingGrantsWhatItsRoleSaysInItsNamespace() {
    bind(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
        .withVerbs("get", "list", "create").build());
    app.configMaps().inNamespace(NS).resource(configMap("c")).create();
    assertThat(app.configMaps().inNamespace(NS).withName("c").get()).isNotNull();
    assertThat(refusal(() -> app.configMaps().inNamespace(NS).withName("c").delete())
        .getCode()).isEqualTo(403);
    assertThat(refusal(() -> app.configMaps().inNamespace("default").list()).getCode())
        .isEqualTo(403);
  }

  /**
   * resourceNames: get by name and an informer's list and watch by {@code metadata.name} are
   * allowed; a list of everything is not.
   */
  @Test
  void aRuleWithResourceNamesAllowsAnInformerOnThatNameOnly() {
    admin.configMaps().inNamespace(NS).resource(configMap("mine")).create();
    admin.configMaps().inNamespace(NS).resource(configMap("theirs")).create();
    bind(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
        .withResourceNames("mine").withVerbs("get", "list", "watch").build());

    assertThat(app.configMaps().inNamespace(NS).withName("mine").get()).isNotNull();
    assertThat(app.configMaps().inNamespace(NS).withField("metadata.name", "mine").list()
        .getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("mine");
    assertThat(refusal(() -> app.configMaps().inNamespace(NS).list()).getCode()).isEqualTo(403);
    assertThat(refusal(() -> app.configMaps().inNamespace(NS).withName("theirs").get())
        .getCode()).isEqualTo(403);
  }

  /** handlers/patch.go withAuthorization: an apply that creates needs create as well as patch. */
  @Test
  void anApplyThatCreatesIsAuthorizedAsACreateToo() {
    bind(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
        .withVerbs("get", "patch").build());
    Status status = refusal(() -> app.configMaps().inNamespace(NS).resource(configMap("c"))
        .fieldManager("app").serverSideApply()).getStatus();
    assertThat(status.getCode()).isEqualTo(403);
    assertThat(status.getMessage()).startsWith("configmaps \"c\" is forbidden");

    admin.configMaps().inNamespace(NS).resource(configMap("c")).create();
    ConfigMap applied = app.configMaps().inNamespace(NS).resource(new ConfigMapBuilder(
        configMap("c")).addToData("k", "v").build()).fieldManager("app").serverSideApply();
    assertThat(applied.getData()).containsEntry("k", "v");
  }

  /**
   * clusterroleaggregation_controller.go: an aggregated ClusterRole takes the rules of the roles
   * its selectors match, and loses them when a role stops matching.
   */
  @Test
  void anAggregatedClusterRoleCarriesTheRulesOfTheRolesItSelects() {
    admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata()
        .withName("monitoring").endMetadata().withNewAggregationRule()
        .addNewClusterRoleSelector().addToMatchLabels("example.com/aggregate-to-monitoring",
            "true").endClusterRoleSelector().endAggregationRule().build()).create();
    admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata()
        .withName("monitoring-configmaps")
        .addToLabels("example.com/aggregate-to-monitoring", "true").endMetadata()
        .addToRules(new PolicyRuleBuilder().withApiGroups("").withResources("configmaps")
            .withVerbs("list").build()).build()).create();
    admin.rbac().roleBindings().inNamespace(NS).resource(new RoleBindingBuilder()
        .withNewMetadata().withName("monitoring").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "monitoring")
        .addNewSubject().withKind("ServiceAccount").withName(ACCOUNT).endSubject().build())
        .create();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      ClusterRole aggregated = admin.rbac().clusterRoles().withName("monitoring").get();
      assertThat(aggregated.getRules()).hasSize(1);
      assertThat(app.configMaps().inNamespace(NS).list().getItems()).isEmpty();
    });

    admin.rbac().clusterRoles().withName("monitoring-configmaps").edit(role -> {
      role.getMetadata().getLabels().clear();
      return role;
    });
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(admin.rbac().clusterRoles().withName("monitoring").get().getRules())
            .isEmpty());
    assertThat(refusal(() -> app.configMaps().inNamespace(NS).list()).getCode()).isEqualTo(403);
  }

  /**
   * authentication/config.go: without credentials a request is system:anonymous, who may read
   * /version (system:public-info-viewer) and nothing else; a token that does not authenticate
   * is 401, never anonymous.
   */
  @Test
  void noTokenIsAnonymousAndABadTokenIsUnauthorized() throws Exception {
    HttpResponse<String> version = get("/version", null);
    assertThat(version.statusCode()).isEqualTo(200);
    HttpResponse<String> api = get("/api", null);
    assertThat(api.statusCode()).isEqualTo(403);
    assertThat(api.body()).contains("forbidden: User \\\"system:anonymous\\\" cannot get path "
        + "\\\"/api\\\"");
    HttpResponse<String> pods = get("/api/v1/namespaces/shop/pods", null);
    assertThat(pods.statusCode()).isEqualTo(403);

    HttpResponse<String> bad = get("/version", "not-a-token");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.body()).contains("\"reason\":\"Unauthorized\"");
  }

  /** claims.go validator: a ServiceAccount's token dies with the account. */
  @Test
  void aServiceAccountTokenStopsWorkingWhenItsAccountIsDeleted() {
    assertThat(app.getKubernetesVersion()).isNotNull();
    admin.serviceAccounts().inNamespace(NS).withName(ACCOUNT).delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(refusal(() -> app.getKubernetesVersion()).getCode()).isEqualTo(401));
    assertThatThrownBy(() -> cluster.serviceAccountToken(NS, "missing"))
        .hasMessageContaining("serviceaccounts \"missing\" not found in namespace \"shop\"");
  }

  @Test
  void accessReviewsAreAnsweredByTheSameAuthorizer() {
    bind(new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments")
        .withVerbs("patch").build());
    SelfSubjectAccessReview allowed = app.authorization().v1().selfSubjectAccessReview()
        .create(new SelfSubjectAccessReviewBuilder().withNewSpec().withResourceAttributes(
            new ResourceAttributesBuilder().withNamespace(NS).withVerb("patch")
                .withGroup("apps").withResource("deployments").build()).endSpec().build());
    assertThat(allowed.getStatus().getAllowed()).isTrue();
    SelfSubjectAccessReview denied = app.authorization().v1().selfSubjectAccessReview()
        .create(new SelfSubjectAccessReviewBuilder().withNewSpec().withResourceAttributes(
            new ResourceAttributesBuilder().withNamespace(NS).withVerb("delete")
                .withGroup("apps").withResource("deployments").build()).endSpec().build());
    assertThat(denied.getStatus().getAllowed()).isFalse();

    SubjectAccessReview asked = admin.authorization().v1().subjectAccessReview()
        .create(new SubjectAccessReviewBuilder().withNewSpec().withUser(USER)
            .withGroups(User.SERVICE_ACCOUNTS).withResourceAttributes(
                new ResourceAttributesBuilder().withNamespace(NS).withVerb("patch")
                    .withGroup("apps").withResource("deployments").build()).endSpec().build());
    assertThat(asked.getStatus().getAllowed()).isTrue();
    assertThat(asked.getStatus().getReason()).contains("RoleBinding \"app/shop\"");

    SelfSubjectRulesReview rules = app.authorization().v1().selfSubjectRulesReview()
        .create(new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(NS).endSpec()
            .build());
    assertThat(rules.getStatus().getResourceRules()).anySatisfy(rule -> {
      assertThat(rule.getResources()).containsExactly("deployments");
      assertThat(rule.getVerbs()).containsExactly("patch");
    });
    assertThat(rules.getStatus().getNonResourceRules()).anySatisfy(rule ->
        assertThat(rule.getNonResourceURLs()).contains("/version"));
  }

  /**
   * selfsubjectreview.REST.Create: the requester as the authenticators named them, whatever
   * roles they hold (system:basic-user lets every authenticated user ask); the anonymous user is
   * not bound to it; v1 is the only version a 1.33 server serves by default.
   */
  @Test
  void aSelfSubjectReviewNamesTheRequester() throws Exception {
    SelfSubjectReview review = app.resource(new SelfSubjectReviewBuilder().build()).create();
    assertThat(review.getStatus().getUserInfo().getUsername()).isEqualTo(USER);
    assertThat(review.getStatus().getUserInfo().getGroups()).containsExactly(
        User.SERVICE_ACCOUNTS, User.SERVICE_ACCOUNTS + ":" + NS, User.AUTHENTICATED);
    assertThat(admin.resource(new SelfSubjectReviewBuilder().build()).create().getStatus()
        .getUserInfo().getGroups()).contains(User.MASTERS);

    String body = Serialization.asJson(new SelfSubjectReviewBuilder().build());
    assertThat(send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", null, body)
        .statusCode()).as("anonymous").isEqualTo(403);
    assertThat(send("POST", "/apis/authentication.k8s.io/v1beta1/selfsubjectreviews",
        cluster.serviceAccountToken(NS, ACCOUNT), body).statusCode()).isEqualTo(404);
  }

  /** The default mode: every request allowed, as before authorization existed here. */
  @Test
  void alwaysAllowIsTheDefault() {
    try (EmbeddedCluster open = EmbeddedCluster.start();
        KubernetesClient openAdmin = open.newClient()) {
      openAdmin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS)
          .endMetadata().build()).create();
      openAdmin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder()
          .withNewMetadata().withName(ACCOUNT).endMetadata().build()).create();
      try (KubernetesClient account = new KubernetesClientBuilder()
          .withConfig(open.serviceAccountConfig(NS, ACCOUNT)).build()) {
        account.configMaps().inNamespace(NS).resource(configMap("c")).create();
        assertThat(account.configMaps().inNamespace(NS).list().getItems()).hasSize(1);
      }
      assertThat(open.authorizationMode()).isEqualTo(Authorizer.Mode.ALWAYS_ALLOW);
    }
  }

  private void bind(io.fabric8.kubernetes.api.model.rbac.PolicyRule rule) {
    admin.rbac().roles().inNamespace(NS).resource(new RoleBuilder().withNewMetadata()
        .withName(ACCOUNT).endMetadata().withRules(rule).build()).create();
    admin.rbac().roleBindings().inNamespace(NS).resource(new RoleBindingBuilder()
        .withNewMetadata().withName(ACCOUNT).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", ACCOUNT)
        .addNewSubject().withKind("ServiceAccount").withName(ACCOUNT).endSubject().build())
        .create();
  }

  private HttpResponse<String> get(String path, String token) throws IOException,
      InterruptedException {
    return send("GET", path, token, null);
  }

  private HttpResponse<String> send(String method, String path, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.config()
        .getMasterUrl().replaceAll("/$", "") + path)).method(method, body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "PATCH".equals(method) ? "application/merge-patch+json"
          : "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static KubernetesClientException refusal(Runnable call) {
    try {
      call.run();
    } catch (KubernetesClientException e) {
      return e;
    }
    throw new AssertionError("expected the API server to refuse the request");
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build();
  }
}
