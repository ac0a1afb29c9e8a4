package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.Authorizer;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.desired.CollectorDefaults;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.reconciler.ServiceEvents;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is enough for the operator, and nothing else gives it rights: the embedded
 * API server authorizes with RBAC, the chart's ServiceAccount, Roles, ClusterRole and bindings
 * (rendered by a real Helm) are applied, and the operator runs in-process with a client
 * authenticated by that ServiceAccount's token. Both watch modes reconcile the examples to
 * Ready, and so does the runtime with leader election through the chart's Lease Role, without a
 * single request refused; a rule taken out of the chart's ClusterRole is a 403 the operator
 * reports, naming the object and quoting the API server, and putting the rule back recovers.
 */
class OperatorUnderChartRbacTest {

  private static final String RELEASE_NAMESPACE = "operated";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** The operator's retry backs off to a minute. */
  private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(60);
  /** The chart's default leaderElection.leaseName. */
  private static final String LEASE = "operated-operator-lease";
  private static final Path FULL = Examples.REPO.resolve(
      "sample-service/deploy/operatedservice-full.yaml");

  private EmbeddedCluster cluster;
  private KubernetesClient admin;
  private KubernetesClient operatorClient;
  private Operator operator;
  private OperatorRuntime runtime;
  private final List<String> namespaces = new ArrayList<>();

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.shutdown();
    }
    if (operator != null) {
      operator.stop();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    admin.close();
    cluster.close();
  }

  /** The chart's defaults: a ClusterRole for every namespace. */
  @Test
  void theExamplesGoReadyUnderTheChartsClusterRole() {
    ChartRbac rbac = install(Map.of(), "shop", "billing");
    PrometheusOperatorCrd.install(admin);
    startOperator(rbac, Set.of(Constants.WATCH_ALL_NAMESPACES));

    Examples.apply(admin, Examples.SAMPLE, "shop");
    Examples.apply(admin, FULL, "billing");

    awaitReady("shop", "sample-service");
    awaitReady("billing", "sample-service-full");
    assertThat(admin.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
        .inNamespace("shop").withName("sample-service").get()).isNotNull();
    assertOperatorWasNeverRefused();
  }

  /** {@code watch.mode=list}: a Role in each listed namespace, namespaces readable by name. */
  @Test
  void theExamplesGoReadyUnderRolesInEachListedNamespace() {
    ChartRbac rbac = install(Map.of("watch", Map.of("mode", "list",
        "namespaces", List.of("shop", "billing"))), "shop", "billing");
    startOperator(rbac, Set.of("shop", "billing"));

    Examples.apply(admin, Examples.SAMPLE, "shop");
    Examples.apply(admin, FULL, "billing");

    awaitReady("shop", "sample-service");
    awaitReady("billing", "sample-service-full");
    assertOperatorWasNeverRefused();
  }

  /**
   * Two replicas turn leader election on: the operator's runtime asks for a rules review of the
   * Lease, then creates, reads and renews it, all under the chart's Lease Role, and reconciles.
   */
  @Test
  void theRuntimeElectsItselfThroughTheChartsLeaseRoleAndReconciles() {
    ChartRbac rbac = install(Map.of("replicaCount", 2), "shop");
    operatorClient = operatorsClient(rbac);
    OperatorSettings settings = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of(RELEASE_NAMESPACE), "127.0.0.1", 0, "INFO", true, LEASE, "replica-a", false,
        Duration.ofSeconds(10), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
    runtime = OperatorRuntime.start(settings, operatorClient, Clock.systemUTC(), exit -> { },
        overrides -> { });

    await().atMost(TIMEOUT).until(() -> runtime.health().leading());
    Examples.apply(admin, Examples.SAMPLE, "shop");
    awaitReady("shop", "sample-service");
    assertThat(admin.resources(Lease.class).inNamespace(RELEASE_NAMESPACE).withName(LEASE).get()
        .getSpec().getHolderIdentity()).isEqualTo("replica-a");
    assertOperatorWasNeverRefused();
  }

  /**
   * Without {@code patch} on Deployments a spec change cannot be applied: the API server answers
   * 403 and the operator's Ready condition says so (ApplyFailed, the object, the API server's
   * message); with the rule back the change is applied and the service is Ready again.
   */
  @Test
  void aRuleTakenOutOfTheChartIsA403TheOperatorReportsAndPuttingItBackRecovers() {
    ChartRbac rbac = install(Map.of(), "shop");
    startOperator(rbac, Set.of(Constants.WATCH_ALL_NAMESPACES));
    Examples.apply(admin, Examples.SAMPLE, "shop");
    awaitReady("shop", "sample-service");

    ClusterRole granted = admin.rbac().clusterRoles().withName(ChartRbac.RELEASE).get();
    admin.rbac().clusterRoles().withName(ChartRbac.RELEASE).edit(role -> {
      role.getRules().stream().filter(rule -> rule.getResources().contains("deployments"))
          .forEach(rule -> rule.setVerbs(rule.getVerbs().stream()
              .filter(verb -> !verb.equals("patch")).toList()));
      return role;
    });
    Examples.apply(admin, Examples.SAMPLE, "shop", service -> {
      service.setSpec(service.getSpec().withEnv(List.of(new EnvVarBuilder()
          .withName("NEEDS_A_PATCH").withValue("yes").build())));
      return service;
    });

    String user = "system:serviceaccount:operated:" + rbac.serviceAccountName();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = ready("shop", "sample-service");
      assertThat(ready.getReason()).isEqualTo("ApplyFailed");
      assertThat(ready.getMessage()).contains("sample-service")
          .contains("the API server answered 403")
          .contains("deployments.apps \"sample-service\" is forbidden: User \"" + user
              + "\" cannot patch resource \"deployments\" in API group \"apps\" in the "
              + "namespace \"shop\"");
    });

    admin.rbac().clusterRoles().withName(ChartRbac.RELEASE).edit(role -> {
      role.setRules(granted.getRules());
      return role;
    });
    await().atMost(LONGEST_BACKOFF.plus(TIMEOUT)).untilAsserted(() -> {
      assertThat(admin.apps().deployments().inNamespace("shop").withName("sample-service").get()
          .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
          .anySatisfy(env -> assertThat(env.getName()).isEqualTo("NEEDS_A_PATCH"));
      assertThat(ready("shop", "sample-service").getStatus()).isEqualTo("True");
    });
  }

  /** An RBAC cluster, the namespaces, and the chart's ServiceAccount and rules in them. */
  private ChartRbac install(Map<String, Object> values, String... serviceNamespaces) {
    cluster = TestClusters.withCrds().authorization(Authorizer.Mode.RBAC).start();
    admin = cluster.newClient();
    namespaces.add(RELEASE_NAMESPACE);
    namespaces.addAll(List.of(serviceNamespaces));
    TestClusters.createNamespaces(admin, namespaces.toArray(String[]::new));
    ChartRbac rbac = ChartRbac.render(RELEASE_NAMESPACE, values);
    rbac.applyTo(admin);
    return rbac;
  }

  /** The operator as production configures it, authenticated as the chart's ServiceAccount. */
  /**
   * The same Event written twice (a service Ready again with the same message after a flap) has
   * the first one's count raised by a PATCH, as client-go's EventCorrelator does
   * ({@code eventLogger.eventObserve}, tools/record/events_cache.go), so the chart must grant
   * patch on events beside create. It granted create alone: the installed operator's count raises
   * were 403s, found by the playground's Helm test when a storm happened to repeat an Event.
   */
  @Test
  void anEventWrittenAgainHasItsCountRaisedUnderTheChartsRole() {
    ChartRbac rbac = install(Map.of(), "shop");
    operatorClient = operatorsClient(rbac);
    OperatedService service = new OperatedService();
    service.getMetadata().setName("sample-service");
    service.getMetadata().setNamespace("shop");
    service.getMetadata().setUid("uid-1");
    OperatedServiceStatus ready = new OperatedServiceStatus(1L, 2, 2, 2, 2, "2/2", List.of(
        new ConditionBuilder().withType("Ready").withStatus("True").withReason("AllReplicasReady")
            .withMessage("2/2 replicas ready").build()));
    ServiceEvents events = new ServiceEvents(operatorClient, Clock.systemUTC());

    events.onTransition(service, Optional.empty(), ready);
    await().atMost(TIMEOUT).until(() -> admin.v1().events().inNamespace("shop").list().getItems()
        .size() == 1);
    events.onTransition(service, Optional.empty(), ready);

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace("shop")
        .list().getItems()).singleElement().satisfies(event ->
            assertThat(event.getCount()).isEqualTo(2)));
    assertOperatorWasNeverRefused();
  }

  /** Production's client, authenticated as the chart's ServiceAccount. */
  private KubernetesClient operatorsClient(ChartRbac rbac) {
    return OperatorClient.forConfig(cluster.serviceAccountConfig(RELEASE_NAMESPACE,
        rbac.serviceAccountName()), OperatorSettings.DEFAULT_WATCH_TRANSPORT);
  }

  private void startOperator(ChartRbac rbac, Set<String> watched) {
    operatorClient = operatorsClient(rbac);
    operator = OperatedOperator.create(operatorClient, Clock.systemUTC(),
        CollectorDefaults.standard(), watched, configuration -> { });
    operator.start();
  }

  private void awaitReady(String namespace, String name) {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = ready(namespace, name);
      assertThat(ready.getStatus()).as(namespace + "/" + name + ": " + ready.getReason() + " "
          + ready.getMessage()).isEqualTo("True");
    });
  }

  private Condition ready(String namespace, String name) {
    OperatedService resource = admin.resources(OperatedService.class).inNamespace(namespace)
        .withName(name).get();
    return resource == null || resource.getStatus() == null ? new Condition()
        : resource.getStatus().condition("Ready").orElse(new Condition());
  }

  /** Nothing the operator asked for was refused: the chart grants all of it. */
  private void assertOperatorWasNeverRefused() {
    assertThat(cluster.requests().all()).as("requests the API server answered").isNotEmpty();
    assertThat(cluster.accessRefusals()).as("requests the API server refused").isEmpty();
  }

}
