package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The eviction subresource against a PodDisruptionBudget, as kube-apiserver's
 * {@code EvictionREST.Create} (pkg/registry/core/pod/storage/eviction.go: canIgnorePDB,
 * checkAndDecrement, createTooManyRequestsError, addConditionAndDeletePod) and the disruption
 * controller's {@code countHealthyPods} with the budget's {@code disruptedPods} answer it.
 */
class EvictionConformanceTest {

  private final ReadinessNode node = new ReadinessNode();

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(() -> EmbeddedCluster.builder().node(node));
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = clusters.client();
  }

  @Test
  void aBudgetLetsOnePodGoAtATimeAndTheNextWhenItsReplacementIsReady() throws Exception {
    client.apps().deployments().resource(Workloads.deployment("web", 2)).create();
    client.policy().v1().podDisruptionBudget().resource(budget("web")).create();
    List<String> first = readyPods(2);
    awaitAllowed(1);

    HttpResponse<String> evicted = evict(first.get(0));
    assertThat(evicted.statusCode()).as(evicted.body()).isEqualTo(201);
    assertThat(Serialization.unmarshal(evicted.body(), Status.class).getStatus())
        .isEqualTo("Success");
    Pod leaving = client.pods().withName(first.get(0)).get();
    assertThat(leaving == null || leaving.getMetadata().getDeletionTimestamp() != null)
        .as("deleted, gracefully").isTrue();
    if (leaving != null) {
      assertThat(leaving.getStatus().getConditions()).anySatisfy(condition -> {
        assertThat(condition.getType()).isEqualTo("DisruptionTarget");
        assertThat(condition.getReason()).isEqualTo("EvictionByEvictionAPI");
      });
    }

    HttpResponse<String> refused = evict(first.get(1));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    Status status = Serialization.unmarshal(refused.body(), Status.class);
    assertThat(status.getReason()).isEqualTo("TooManyRequests");
    assertThat(status.getMessage())
        .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
    assertThat(status.getDetails().getCauses()).singleElement().satisfies(cause -> {
      assertThat(cause.getReason()).isEqualTo("DisruptionBudget");
      assertThat(cause.getMessage()).isEqualTo("The disruption budget web needs 1 healthy pods "
          + "and has 1 currently");
    });
    assertThat(client.pods().withName(first.get(1)).get().getMetadata().getDeletionTimestamp())
        .as("refused: left running").isNull();

    // the Deployment's replacement becomes ready: the budget allows one again
    await().atMost(Duration.ofSeconds(10)).until(() -> podNames().stream()
        .anyMatch(name -> !first.contains(name)));
    podNames().stream().filter(name -> !first.contains(name)).forEach(node::ready);
    awaitAllowed(1);
    assertThat(evict(first.get(1)).statusCode()).isEqualTo(201);
  }

  /**
   * canIgnorePDB: a pod that has not started is deleted whatever its budget says; a pod no budget
   * selects too; two budgets are refused with 500.
   */
  @Test
  void withoutABudgetToAskOrAPodThatHasNotStartedTheEvictionIsADelete() throws Exception {
    client.pods().resource(new PodBuilder().withNewMetadata().withName("loose").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer()
        .endSpec().build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> "Running".equals(client.pods()
        .withName("loose").get().getStatus().getPhase()));
    assertThat(evict("loose").statusCode()).isEqualTo(201);

    client.apps().deployments().resource(Workloads.deployment("web", 1)).create();
    client.policy().v1().podDisruptionBudget().resource(budget("web")).create();
    client.policy().v1().podDisruptionBudget().resource(new PodDisruptionBudgetBuilder(
        budget("web")).editMetadata().withName("web-too").endMetadata().build()).create();
    String pod = readyPods(1).get(0);
    HttpResponse<String> twoBudgets = evict(pod);
    assertThat(twoBudgets.statusCode()).isEqualTo(500);
    assertThat(twoBudgets.body()).contains("This pod has more than one PodDisruptionBudget, "
        + "which the eviction subresource does not support.");
  }

  /**
   * countHealthyPods: a pod an eviction named in disruptedPods is not healthy while it waits for
   * its deletion, so the controller's next sync does not give back the disruption it took; an
   * entry older than DeletionTimeout (two minutes) is dropped.
   */
  @Test
  void aPodNamedInDisruptedPodsIsNotCountedHealthyUntilItsEntryExpires() {
    client.apps().deployments().resource(Workloads.deployment("web", 2)).create();
    client.policy().v1().podDisruptionBudget().resource(budget("web")).create();
    List<String> pods = readyPods(2);
    awaitAllowed(1);

    String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        .toString();
    nameDisrupted(pods.get(0), now);
    // a change of its spec (the same budget for two pods) makes the controller count again
    maxUnavailable("50%");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().withName("web")
          .get();
      assertThat(budget.getStatus().getCurrentHealthy()).isEqualTo(1);
      assertThat(budget.getStatus().getDisruptionsAllowed()).isZero();
      assertThat(budget.getStatus().getDisruptedPods()).containsOnlyKeys(pods.get(0));
    });

    String expired = java.time.Instant.now().minusSeconds(121)
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    nameDisrupted(pods.get(0), expired);
    maxUnavailable(1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().withName("web")
          .get();
      assertThat(budget.getStatus().getCurrentHealthy()).isEqualTo(2);
      assertThat(budget.getStatus().getDisruptedPods()).isNullOrEmpty();
    });
  }

  /**
   * Merge patches, which carry no resourceVersion: the disruption controller writes the budget's
   * status as it likes, and a read-modify-write racing it would be refused with 409.
   */
  private void nameDisrupted(String pod, String since) {
    client.policy().v1().podDisruptionBudget().withName("web").subresource("status").patch(
        PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status",
            Map.of("disruptedPods", Map.of(pod, since)))));
  }

  private void maxUnavailable(Object value) {
    client.policy().v1().podDisruptionBudget().withName("web").patch(
        PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("spec",
            Map.of("maxUnavailable", value))));
  }

  private static PodDisruptionBudget budget(String app) {
    return new PodDisruptionBudgetBuilder().withNewMetadata().withName(app).endMetadata()
        .withNewSpec().withMaxUnavailable(new IntOrString(1)).withNewSelector()
        .addToMatchLabels("app", app).endSelector().endSpec().build();
  }

  private List<String> readyPods(int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> podNames().size() == count);
    List<String> names = podNames();
    names.forEach(node::ready);
    return names;
  }

  private List<String> podNames() {
    return client.pods().withLabel("app", "web").list().getItems().stream()
        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
        .map(pod -> pod.getMetadata().getName()).sorted().toList();
  }

  private void awaitAllowed(int allowed) {
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().withName("web")
          .get();
      return budget.getStatus() != null && budget.getStatus().getDisruptionsAllowed() == allowed
          && budget.getStatus().getCurrentHealthy() == 2;
    });
  }

  private HttpResponse<String> evict(String pod) throws Exception {
    String body = Serialization.asJson(new EvictionBuilder().withNewMetadata().withName(pod)
        .withNamespace("default").endMetadata().build());
    HttpRequest request = HttpRequest.newBuilder(URI.create(client.getConfiguration()
        .getMasterUrl().replaceAll("/$", "") + "/api/v1/namespaces/default/pods/" + pod
        + "/eviction")).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + client.getConfiguration().getOauthToken())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
