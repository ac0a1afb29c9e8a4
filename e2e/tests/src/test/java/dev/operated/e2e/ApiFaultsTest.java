package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.RequestFaults;
import dev.operated.cluster.RequestFaults.Fault;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorSettings;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator, in its production configuration (its client, {@link OperatorClient}), while the
 * API server misbehaves: faults are
 * injected in front of the embedded API server's request pipeline ({@link RequestFaults}).
 */
class ApiFaultsTest {

  private static final String NS = "shop";
  private static final String NAME = "sample-service";
  /** JOSDK's default retry gives up after 5 attempts, about 26 s: an outage longer than that. */
  private static final Duration OUTAGE = Duration.ofSeconds(35);
  /** The operator's retry backs off to a minute, so it tries again within one after the end. */
  private static final Duration LONGEST_BACKOFF = Duration.ofSeconds(60);

  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private KubernetesClient operatorClient;
  private KubernetesClient restartedClient;
  private static final String RESTARTED = "operated-restarted";
  private Operator operator;

  @BeforeEach
  void start() throws IOException {
    cluster = TestClusters.withCrds().start();
    client = cluster.newClient();
    TestClusters.createNamespaces(client, NS);
    operatorClient = OperatorClient.forConfig(cluster.config(),
        OperatorSettings.DEFAULT_WATCH_TRANSPORT);
    operator = OperatedOperator.create(operatorClient, Clock.systemUTC(), configuration -> { });
    operator.start();
    Examples.apply(client, Examples.SAMPLE, NS);
    await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(ready().getStatus()));
  }

  @AfterEach
  void stop() {
    operator.stop();
    operatorClient.close();
    if (restartedClient != null) {
      restartedClient.close();
    }
    client.close();
    cluster.close();
  }

  /**
   * Sieve's and Acto's first finding in many operators: a change made while the API server
   * refuses writes for longer than the retry budget is never applied until something else
   * happens. Here every write of the operator fails for 35 s; the spec change made at the start
   * of the outage must reach the Deployment within the longest backoff after the end.
   */
  @Test
  void aSpecChangeDuringAnOutageLongerThanTheRetryBudgetIsAppliedSoonAfterItEnds() {
    RequestFaults.Rule outage = cluster.faults().during(OUTAGE,
        RequestFaults.writesBy("operated"), Fault.unavailable());
    Instant end = Instant.now().plus(OUTAGE);
    changeEnv("CHANGED_DURING_OUTAGE", "yes");

    await().atMost(OUTAGE.plus(LONGEST_BACKOFF).plusSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> appEnv().stream().anyMatch(env -> env.getName().equals("CHANGED_DURING_OUTAGE")));
    Duration afterTheEnd = Duration.between(end, Instant.now());
    assertThat(afterTheEnd).as("applied within the longest backoff after the outage")
        .isLessThanOrEqualTo(LONGEST_BACKOFF.plusSeconds(5));
    assertThat(cluster.requests().all()).filteredOn(request -> request.fault() != null)
        .as("the operator kept trying during the outage").hasSizeGreaterThan(5);
    outage.lift();
  }

  /**
   * A write RBAC refuses: the status says which object and what the API server answered, rather
   * than staying at its last value, and recovers by itself once the permission is back.
   */
  @Test
  void anApplyRefusedWithForbiddenIsReportedInTheStatusAndRecovers() {
    RequestFaults.Rule missingRule = cluster.faults().during(Duration.ofMinutes(2),
        RequestFaults.requests("PATCH", "/apis/apps/v1/namespaces/shop/deployments/"),
        Fault.forbidden("deployments.apps \"sample-service\" is forbidden: User "
            + "\"system:serviceaccount:operated:operated\" cannot patch resource \"deployments\" "
            + "in API group \"apps\" in the namespace \"shop\""));
    changeEnv("NEEDS_A_WRITE", "yes");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(ready().getReason()).isEqualTo("ApplyFailed");
      assertThat(ready().getMessage()).contains("the API server answered 403")
          .contains("cannot patch resource \"deployments\"");
    });

    missingRule.lift();
    await().atMost(LONGEST_BACKOFF.plusSeconds(10)).untilAsserted(() -> {
      assertThat(appEnv()).extracting(EnvVar::getName).contains("NEEDS_A_WRITE");
      assertThat(ready().getReason()).isNotEqualTo("ApplyFailed");
    });
  }

  /**
   * A cluster fact that cannot be read is unknown, not absent: an operator that starts while the
   * API server refuses to list namespaces, CRDs and its version must not take the namespace for
   * unlabelled (dropping the mesh wiring) or the Prometheus Operator for uninstalled (deleting
   * the ServiceMonitor). It writes nothing until it knows, then finds nothing to change.
   */
  @Test
  void aRestartWhileClusterFactsCannotBeReadNeverChangesWhatIsRunning() throws Exception {
    PrometheusOperatorCrd.install(client);
    client.namespaces().withName(NS).edit(namespace -> {
      namespace.getMetadata().getLabels().put("istio-injection", "enabled");
      return namespace;
    });
    // Both facts applied: the ServiceMonitor and the Deployment are separate dependents, so the
    // monitor can exist while the pod template still has the scrape annotations it replaces.
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      Map<String, String> annotations = client.apps().deployments().inNamespace(NS)
          .withName(NAME).get().getSpec().getTemplate().getMetadata().getAnnotations();
      return annotations.keySet().stream().anyMatch(key -> key.contains("istio"))
          && !annotations.containsKey("prometheus.io/scrape")
          && client.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
              .inNamespace(NS).withName(NAME).get() != null;
    });
    Deployment before = client.apps().deployments().inNamespace(NS).withName(NAME).get();
    operator.stop();

    Duration factOutage = Duration.ofSeconds(20);
    Instant restartedAt = Instant.now();
    RequestFaults.Rule unreadable = cluster.faults().during(factOutage,
        request -> "GET".equals(request.method()) && isClusterFact(request.path()),
        Fault.unavailable());
    // the old process may still finish the reconcile it was in; the new one is told apart by
    // its user agent
    restartedClient = OperatorClient.forConfig(new ConfigBuilder(cluster.config())
        .withUserAgent(RESTARTED).build(), OperatorSettings.DEFAULT_WATCH_TRANSPORT);
    operator = startLikeTheKubeletWould(restartedClient);

    changeEnv("CHANGED_AFTER_THE_OUTAGE", "yes");
    await().atMost(Duration.ofSeconds(90)).until(() -> appEnv().stream()
        .anyMatch(env -> env.getName().equals("CHANGED_AFTER_THE_OUTAGE")));
    assertThat(cluster.requests().all())
        .filteredOn(request -> request.fault() != null)
        .as("the facts really were unreadable while the operator started").isNotEmpty();
    assertThat(cluster.requests().all())
        .filteredOn(request -> request.at().isAfter(restartedAt) && request.mutating()
            && RESTARTED.equals(request.userAgent())
            && request.at().isBefore(restartedAt.plus(factOutage)))
        .as("no write by the operator while it could not read the cluster's facts").isEmpty();
    Deployment after = client.apps().deployments().inNamespace(NS).withName(NAME).get();
    assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
        .isEqualTo(before.getSpec().getTemplate().getMetadata().getAnnotations());
    assertThat(client.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
        .inNamespace(NS).withName(NAME).get()).isNotNull();
    unreadable.lift();
  }

  /** Namespaces, CRDs and the version: the facts the pod template depends on. */
  private static boolean isClusterFact(String path) {
    return path.startsWith("/version")
        || path.startsWith("/apis/apiextensions.k8s.io/")
        || path.matches("/api/v1/namespaces(/[^/?]+)?([?].*)?");
  }

  /**
   * A new operator process: JOSDK refuses to start while an informer cannot list, and the
   * kubelet then starts the container again after a backoff; so does this, for a bounded time.
   */
  private Operator startLikeTheKubeletWould(KubernetesClient client) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
        .ignoreExceptions().until(() -> {
          Operator fresh = OperatedOperator.create(client, Clock.systemUTC(),
              configuration -> configuration.withCacheSyncTimeout(Duration.ofSeconds(5)));
          try {
            fresh.start();
            return fresh;
          } catch (RuntimeException e) {
            fresh.stop();
            throw e;
          }
        }, started -> true);
  }

  /**
   * A merge patch, not a read-modify-write: the operator's status patches move the
   * resourceVersion, and an `edit` racing one fails with 409.
   */
  private void changeEnv(String name, String value) {
    client.resources(OperatedService.class).inNamespace(NS).withName(NAME).patch(
        PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("spec",
            Map.of("env", List.of(new EnvVarBuilder().withName(name).withValue(value).build())))));
  }

  private List<EnvVar> appEnv() {
    Deployment deployment = client.apps().deployments().inNamespace(NS).withName(NAME).get();
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
  }

  private Condition ready() {
    OperatedService resource = client.resources(OperatedService.class).inNamespace(NS)
        .withName(NAME).get();
    return resource.getStatus() == null ? new Condition()
        : resource.getStatus().condition("Ready").orElse(new Condition());
  }
}
