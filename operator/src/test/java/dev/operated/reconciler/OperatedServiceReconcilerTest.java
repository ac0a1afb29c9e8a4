package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.DesiredDigest;
import dev.operated.status.ConditionTypes;
import dev.operated.api.TelemetryMode;
import dev.operated.desired.CollectorSidecar;
import dev.operated.api.TelemetrySpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import dev.operated.api.OperatedServiceStatus;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Optional;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatedServiceReconcilerTest {

  static final String NS = "shop";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster("1.33");
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private OperatedService apply(String name, OperatedServiceSpec spec) {
    OperatedService resource = new OperatedService(NS, name, spec);
    return cluster.client.resource(resource).createOr(existing -> existing.update());
  }

  /**
   * A spec change as a user makes it. The operator patches the status in between, so a stale
   * resourceVersion gets 409 Conflict: read again and retry, as kubectl edit does.
   */
  private void updateSpec(String name, UnaryOperator<OperatedServiceSpec> change) {
    await().atMost(TIMEOUT)
        .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException conflict
            && conflict.getCode() == 409)
        .until(() -> {
          OperatedService resource = cluster.get(NS, name);
          resource.setSpec(change.apply(resource.getSpec()));
          cluster.client.resource(resource).update();
          return true;
        });
  }

  private Deployment deployment(String name) {
    return cluster.client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private Condition ready(String name) {
    OperatedService resource = cluster.get(NS, name);
    return resource.getStatus() == null ? null
        : resource.getStatus().condition(ConditionTypes.READY).orElse(null);
  }

  /** The Ready condition's reason, null before the first status. */
  private String readyReason(String name) {
    Condition ready = ready(name);
    return ready == null ? null : ready.getReason();
  }

  /** What the Deployment controller would write once every pod of the spec is ready. */
  private void rollOut(String name, int replicas) {
    rollOut(name, replicas, replicas);
  }

  /** What the Deployment controller writes when {@code ready} of the pods pass readiness. */
  private void rollOut(String name, int replicas, int ready) {
    Deployment deployment = deployment(name);
    deployment.setStatus(new DeploymentStatusBuilder()
        .withObservedGeneration(deployment.getMetadata().getGeneration())
        .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .withConditions(new DeploymentConditionBuilder().withType("Progressing")
            .withStatus("True").withReason("NewReplicaSetAvailable").build())
        .build());
    cluster.client.resource(deployment).updateStatus();
  }

  /** A service of two replicas, applied, rolled out and reported Ready. */
  private void readyWithTwoReplicas(String name) {
    apply(name, new OperatedServiceSpec(name + ":1", 2, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment(name) != null);
    rollOut(name, 2);
    await().atMost(TIMEOUT).until(() -> ready(name) != null
        && "True".equals(ready(name).getStatus()));
  }

  @Test
  void createsTheDeploymentServiceAndBudgetOwnedByTheResource() {
    OperatedService created = apply("orders", new OperatedServiceSpec("orders:1", 2, null, null,
        null, null, null, null, null, null, null, null));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Deployment deployment = deployment("orders");
      assertThat(deployment).isNotNull();
      assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
      assertThat(deployment.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(owner -> assertThat(owner.getUid())
              .isEqualTo(created.getMetadata().getUid()));
      Service service = cluster.client.services().inNamespace(NS).withName("orders").get();
      assertThat(service).isNotNull();
      PodDisruptionBudget budget = cluster.client.policy().v1().podDisruptionBudget()
          .inNamespace(NS).withName("orders").get();
      assertThat(budget).isNotNull();
    });
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(ready("orders")).isNotNull().satisfies(condition -> {
          assertThat(condition.getStatus()).isEqualTo("False");
          assertThat(condition.getReason()).isIn("Creating", "RolloutInProgress");
        }));
  }

  @Test
  void reportsReadyWithCountsWhenTheRolloutCompletes() {
    apply("orders", new OperatedServiceSpec("orders:1", 2, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);

    rollOut("orders", 2);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      OperatedService resource = cluster.get(NS, "orders");
      assertThat(resource.getStatus()).isNotNull();
      assertThat(resource.getStatus().ready()).isEqualTo("2/2");
      assertThat(resource.getStatus().observedGeneration())
          .isEqualTo(resource.getMetadata().getGeneration());
      Condition ready = resource.getStatus().condition(ConditionTypes.READY).orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("True");
      assertThat(ready.getReason()).isEqualTo("AllReplicasReady");
      assertThat(ready.getObservedGeneration()).isEqualTo(1L);
    });
    // Events are written by their own thread, after the status
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        cluster.client.v1().events().inNamespace(NS).list().getItems())
        .extracting(e -> e.getReason()).contains("AllReplicasReady"));
  }

  @Test
  void aReconcileWithNothingToChangeWritesNothing() throws InterruptedException {
    readyWithTwoReplicas("orders");
    // The rollout's last reconcile posts its Event on another thread: let both end first, so the
    // count below is taken with nothing in flight and the log holds only what the edit causes.
    await().atMost(TIMEOUT).until(() -> cluster.idle() && cluster.client.v1().events()
        .inNamespace(NS).list().getItems().stream()
        .anyMatch(event -> "AllReplicasReady".equals(event.getReason())));
    int before = cluster.reconciles();
    cluster.clearRequestLog();

    // A change the operator does not care about still triggers a reconcile through the informer.
    // Counted before the edit: the reconcile it triggers can finish before the edit returns.
    cluster.client.services().inNamespace(NS).withName("orders")
        .edit(service -> {
          service.getMetadata().getAnnotations().put("example.com/touched", "yes");
          return service;
        });
    await().atMost(TIMEOUT).until(() -> cluster.reconciles() > before);

    assertThat(cluster.mutatingRequests()).as("the test's own edit and nothing from the operator")
        .containsExactly("PATCH /api/v1/namespaces/shop/services/orders");
  }

  @Test
  void aManualEditOfAManagedFieldIsPutBack() {
    apply("orders", new OperatedServiceSpec("orders:1", 2, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);

    cluster.client.apps().deployments().inNamespace(NS).withName("orders").edit(deployment -> {
      deployment.getSpec().getTemplate().getSpec().getContainers().get(0)
          .getReadinessProbe().getHttpGet().setPath("/hand-edited");
      return deployment;
    });

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment("orders").getSpec()
        .getTemplate().getSpec().getContainers().get(0).getReadinessProbe().getHttpGet()
        .getPath()).isEqualTo("/readyz"));
  }

  /**
   * Once the rollout's status writes have been reconciled without comparing (AppliedInputs), an
   * edit of the Deployment's spec or of the metadata the operator sets is still put back.
   */
  @Test
  void editsAfterTheRolloutArePutBackThoughStatusWritesSkippedTheComparison() {
    readyWithTwoReplicas("orders");
    statusWrittenTwice("orders");
    String digest = deployment("orders").getMetadata().getAnnotations()
        .get(DesiredDigest.ANNOTATION);

    cluster.client.apps().deployments().inNamespace(NS).withName("orders").edit(deployment -> {
      deployment.getMetadata().getAnnotations().remove(DesiredDigest.ANNOTATION);
      return deployment;
    });
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment("orders").getMetadata()
        .getAnnotations()).as("metadata only: no new generation")
        .containsEntry(DesiredDigest.ANNOTATION, digest));
    statusWrittenTwice("orders");

    cluster.client.apps().deployments().inNamespace(NS).withName("orders").edit(deployment -> {
      deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("orders:2");
      return deployment;
    });
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment("orders").getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("orders:1"));
  }

  /**
   * Two status writes of the Deployment controller, each reconciled: the second finds the
   * Deployment as the first left it, so it does not compare.
   */
  private void statusWrittenTwice(String name) {
    for (int ready : new int[] {1, 2}) {
      await().atMost(TIMEOUT).until(cluster::idle);
      int before = cluster.reconciles();
      rollOut(name, 2, ready);
      await().atMost(TIMEOUT).until(() -> cluster.reconciles() > before);
    }
  }

  /**
   * A copy of the service's Deployment made with {@code kubectl get -o yaml} keeps its owner
   * reference to the service, so JOSDK finds two owned Deployments. Reading "the" one with
   * JOSDK's singular {@code getSecondaryResource} threw, in the reconcile and again in the error
   * status: the next spec change was never applied and the status stayed Ready on the old
   * generation. The copy's pods carry the service's labels, and its crash is not the service's.
   */
  @Test
  void aCopyOfTheDeploymentThatKeptItsOwnerLeavesTheServiceReconciled() {
    readyWithTwoReplicas("orders");
    Deployment copy = deployment("orders");
    copy.getMetadata().setName("orders-debug");
    copy.getMetadata().setUid(null);
    copy.getMetadata().setResourceVersion(null);
    copy.setStatus(null);
    cluster.client.resource(copy).create();
    Pod copysPod = recordedPod("app-crash-loop-panic.yaml");
    copysPod.getMetadata().setNamespace(NS);
    Map<String, String> labels = new HashMap<>(copy.getSpec().getTemplate().getMetadata()
        .getLabels());
    labels.put("pod-template-hash", "7d9f");
    copysPod.getMetadata().setLabels(labels);
    copysPod.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
        .withApiVersion("apps/v1").withKind("ReplicaSet").withName("orders-debug-7d9f")
        .withUid("rs-uid").withController(true).build()));
    cluster.client.resource(copysPod).create();

    updateSpec("orders", spec -> spec.withImage("orders:2"));

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment("orders").getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("orders:2"));
    rollOut("orders", 2);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      OperatedService resource = cluster.get(NS, "orders");
      assertThat(resource.getStatus().observedGeneration())
          .isEqualTo(resource.getMetadata().getGeneration());
      assertThat(ready("orders").getStatus()).isEqualTo("True");
      assertThat(resource.getStatus().condition(ConditionTypes.DEGRADED).orElseThrow()
          .getStatus()).as("the copy's crash loop is not the service's").isEqualTo("False");
    });
    assertThat(deployment("orders-debug").getSpec().getTemplate().getSpec().getContainers()
        .get(0).getImage()).as("the copy is not the operator's").isEqualTo("orders:1");
  }

  @Test
  void toolsSharingTheDeploymentKeepTheirFieldsWhenNothingChanged() {
    apply("orders", OperatedServiceSpec.ofImage("orders:1"));
    await().atMost(TIMEOUT).until(() -> ready("orders") != null && cluster.idle());
    // Counted before the edit: the reconcile it triggers can finish before the edit returns.
    int before = cluster.reconciles();

    cluster.client.apps().deployments().inNamespace(NS).withName("orders").edit(deployment -> {
      deployment.getSpec().setReplicas(7);
      deployment.getSpec().getTemplate().getMetadata().getAnnotations()
          .put("kubectl.kubernetes.io/restartedAt", "2026-11-25T00:00:00Z");
      return deployment;
    });
    await().atMost(TIMEOUT).until(() -> cluster.reconciles() > before);

    Deployment after = deployment("orders");
    assertThat(after.getSpec().getReplicas()).as("the HPA's replicas").isEqualTo(7);
    assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("kubectl.kubernetes.io/restartedAt", "2026-11-25T00:00:00Z");
  }

  @Test
  void anInvalidSpecIsReportedAndLeavesTheRunningDeploymentAsItWas() {
    readyWithTwoReplicas("orders");
    Deployment running = deployment("orders");

    // The mock has no schema validation, as a cluster with an outdated CRD would not.
    updateSpec("orders", spec -> new OperatedServiceSpec("orders", -1, null, null, null, null,
        null, null, null, null, null, null));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = ready("orders");
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo("InvalidSpec");
      assertThat(ready.getMessage()).contains("spec.image").contains("spec.replicas")
          .contains("left as it was");
    });
    Deployment after = deployment("orders");
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(running.getMetadata().getResourceVersion());
    assertThat(after.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("orders:1");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        cluster.client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(event -> {
          assertThat(event.getReason()).isEqualTo("InvalidSpec");
          assertThat(event.getType()).isEqualTo("Warning");
        }));
  }

  @Test
  void scalingBelowTwoReplicasRemovesTheDisruptionBudget() {
    apply("orders", new OperatedServiceSpec("orders:1", 2, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> cluster.client.policy().v1().podDisruptionBudget()
        .inNamespace(NS).withName("orders").get() != null);

    updateSpec("orders", spec -> new OperatedServiceSpec("orders:1", 1, null, null, null, null,
        null, null, null, null, null, null));

    await().atMost(TIMEOUT).until(() -> cluster.client.policy().v1().podDisruptionBudget()
        .inNamespace(NS).withName("orders").get() == null);
    // The workflow applies independent dependents concurrently: the Deployment may come later.
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(deployment("orders").getSpec().getReplicas()).isEqualTo(1));
  }

  /**
   * The CRD appearing is an event of its own. (That the scrape annotations then leave the pod
   * template is server-side apply's work, which this mock lacks: see OperatorOnEmbeddedClusterTest.)
   */
  @Test
  void installingThePrometheusOperatorAddsAServiceMonitorWithNoSpecChange() {
    apply("orders", OperatedServiceSpec.ofImage("orders:1"));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);
    assertThat(deployment("orders").getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true");

    cluster.client.apiextensions().v1().customResourceDefinitions()
        .resource(serviceMonitorCrd()).create();

    await().atMost(TIMEOUT).untilAsserted(() ->
      assertThat(cluster.client.resources(ServiceMonitor.class).inNamespace(NS)
          .withName("orders").get()).isNotNull());
  }

  @Test
  void labellingTheNamespaceForIstioInjectionRewiresItsServicesWithNoSpecChange() {
    apply("orders", OperatedServiceSpec.ofImage("orders:1"));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);
    assertThat(deployment("orders").getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKey("proxy.istio.io/config");

    cluster.client.namespaces().withName(NS).edit(namespace -> new NamespaceBuilder(namespace)
        .editMetadata().addToLabels("istio-injection", "enabled").endMetadata().build());

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(deployment("orders").getSpec().getTemplate().getMetadata().getAnnotations())
            .containsKey("proxy.istio.io/config")
            .containsEntry("sidecar.istio.io/nativeSidecar", "true"));
  }

  /**
   * The facts come from watches, not from reads on the reconcile path: a reconcile with nothing
   * new makes no GET of the namespace, the CRD or the version, so a failing read cannot reach
   * the pod template, and the Deployment's generation stays where it was.
   */
  @Test
  void aReconcileReadsNoClusterFactFromTheApiServer() throws InterruptedException {
    apply("orders", OperatedServiceSpec.ofImage("orders:1"));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);
    await().atMost(TIMEOUT).until(() -> ready("orders") != null && cluster.idle());
    long generation = deployment("orders").getMetadata().getGeneration();
    cluster.clearRequestLog();

    touch("orders");
    // the touch's reconcile, not an earlier one: the change applied and nothing left running
    await().atMost(TIMEOUT).until(() -> deployment("orders").getMetadata().getGeneration()
        > generation && cluster.idle());

    assertThat(cluster.requestPaths()).noneMatch(path -> path.startsWith("/version")
        || path.startsWith("/api/v1/namespaces/shop?") || path.equals("/api/v1/namespaces/shop")
        || path.contains("customresourcedefinitions/servicemonitors"));
  }

  private static io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition
      serviceMonitorCrd() {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("servicemonitors.monitoring.coreos.com").endMetadata()
        .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
          .withNewNames().withKind("ServiceMonitor").withPlural("servicemonitors")
            .withSingular("servicemonitor").endNames()
          .addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion()
        .endSpec().build();
  }

  /** A generation change, so the reconcile is not filtered as a no-op. */
  private void touch(String name) {
    updateSpec(name, spec -> spec.withEnv(List.of(
        new EnvVarBuilder().withName("TOUCHED").withValue("1").build())));
  }

  @Test
  void productionKeepsServerSideApply() {
    var production = OperatedOperator.create(cluster.client, java.time.Clock.systemUTC(),
        configuration -> { });
    assertThat(production.getConfigurationService()
        .ssaBasedCreateUpdateMatchForDependentResources()).isTrue();
    assertThat(production.getConfigurationService().useSSAToPatchPrimaryResource()).isTrue();
  }

  @Test
  void aSpecChangeRollsTheTemplateButNeverTheSelector() {
    apply("orders", new OperatedServiceSpec("orders:1", 2, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);
    var selector = deployment("orders").getSpec().getSelector();

    updateSpec("orders", spec -> new OperatedServiceSpec("orders:2", 2, 9000, null, null, null,
        null, null, null, null, null, null));

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment("orders").getSpec()
        .getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("orders:2"));
    assertThat(deployment("orders").getSpec().getSelector()).isEqualTo(selector);
    assertThat(List.of(deployment("orders").getSpec().getTemplate().getSpec().getContainers()
        .get(0).getPorts().get(0).getContainerPort())).containsExactly(9000);
  }
  @Test
  void theStatusNamesTheSidecarThatHoldsTheRolloutBack() {
    apply("orders", new OperatedServiceSpec("orders:1", 1, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);

    // What the kubelet would report: the app is ready, the collector sidecar is not.
    Pod pod = recordedPod("sidecar-not-ready.yaml");
    pod.getMetadata().setNamespace(NS);
    pod.getMetadata().setLabels(deployment("orders").getSpec().getTemplate().getMetadata()
        .getLabels());
    cluster.client.resource(pod).create();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(ready("orders")).isNotNull();
      assertThat(readyReason("orders")).isEqualTo("SidecarNotReady");
      assertThat(ready("orders").getMessage())
          .startsWith("sidecar otel-collector is not ready in 1 of 1 pods");
    });

    cluster.client.resource(pod).delete();
    rollOut("orders", 1);
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(readyReason("orders")).isEqualTo("AllReplicasReady"));
  }

  /**
   * Nothing in the cluster announces that an unready app has now been unready for longer than
   * its readiness probe allows: the reconciler has to come back by itself. The pod reports once
   * and never again; only the passing of time turns "not ready yet" into "failing its probe".
   */
  @Test
  void anAppThatNeverGetsReadyIsReportedAsFailingItsProbeWithoutAnotherEvent() {
    apply("orders", new OperatedServiceSpec("orders:1", 1, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);
    Pod pod = recordedPod("probe-failing.yaml");
    pod.getMetadata().setNamespace(NS);
    pod.getMetadata().setLabels(deployment("orders").getSpec().getTemplate().getMetadata()
        .getLabels());
    // started a second ago, under a readiness probe that may fail twice a second apart
    pod.getSpec().getContainers().get(0).setReadinessProbe(new ProbeBuilder()
        .withPeriodSeconds(1).withFailureThreshold(2).build());
    pod.getStatus().getContainerStatuses().get(0).getState().getRunning()
        .setStartedAt(cluster.clock.instant().minusSeconds(1).toString());
    cluster.client.resource(pod).create();
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(readyReason("orders")).isEqualTo("AppNotReady"));

    cluster.clock.advance(Duration.ofSeconds(5));

    // by the operator's own recheck (about a second), well before the next resync (10 minutes)
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(readyReason("orders")).isEqualTo("ProbeFailing"));
  }

  /**
   * An apply the API server refuses is reported as the API server said it, naming the object,
   * instead of the status staying at its last value; retries go on and the next success wins.
   */
  @Test
  void anApplyTheApiServerRefusesIsReportedInTheStatusUntilARetrySucceeds() {
    // three refusals: retried after 1, 2 and 4 s, so the failure stays in the status some 7 s
    cluster.api.refuse("POST", "/apis/apps/v1/namespaces/shop/deployments", 3, new StatusBuilder()
        .withCode(422).withReason("Invalid").withStatus("Failure")
        .withMessage("Deployment.apps \"orders\" is invalid: spec.template.spec.containers[0]"
            + ".image: Required value")
        .withNewDetails().withKind("Deployment").withName("orders").withGroup("apps")
        .endDetails().build());

    apply("orders", OperatedServiceSpec.ofImage("orders:1"));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      Condition ready = ready("orders");
      assertThat(ready).isNotNull();
      assertThat(ready.getReason()).isEqualTo("ApplyFailed");
      assertThat(ready.getMessage()).contains("Deployment orders: the API server answered 422: "
          + "Deployment.apps \"orders\" is invalid: spec.template.spec.containers[0].image");
    });
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(deployment("orders")).isNotNull();
      assertThat(readyReason("orders")).isNotEqualTo("ApplyFailed");
    });
  }

  /**
   * A namespace being deleted takes its services with it, and the API server refuses anything
   * created in it (403, NamespaceTerminating). A service whose Deployment the namespace
   * controller deleted first is not applied again, and nothing is written about it.
   */
  @Test
  void aServiceInANamespaceBeingDeletedIsNeitherAppliedNorWritten()
      throws InterruptedException {
    readyWithTwoReplicas("orders");
    await().atMost(TIMEOUT).until(cluster::idle);
    int beforeMark = cluster.reconciles();
    // a namespace being deleted waits for its spec.finalizers, which this mock ignores; with a
    // finalizer in its metadata the mock's delete only marks it, as kube-apiserver's does
    cluster.client.namespaces().withName(NS).edit(namespace -> new NamespaceBuilder(namespace)
        .editMetadata().addToFinalizers("example.com/hold").endMetadata().build());
    cluster.client.namespaces().withName(NS).delete();
    assertThat(cluster.client.namespaces().withName(NS).get().getMetadata()
        .getDeletionTimestamp()).isNotNull();
    // the namespace's event reconciles the services in it: the operator has seen the mark
    await().atMost(TIMEOUT).until(() -> cluster.reconciles() > beforeMark && cluster.idle());
    cluster.clearRequestLog();
    int beforeDelete = cluster.reconciles();

    cluster.client.apps().deployments().inNamespace(NS).withName("orders").delete();

    await().atMost(TIMEOUT).until(() -> cluster.reconciles() > beforeDelete && cluster.idle());
    assertThat(cluster.mutatingRequests()).as("the test's delete and nothing from the operator")
        .containsExactly("DELETE /apis/apps/v1/namespaces/shop/deployments/orders");
    assertThat(deployment("orders")).isNull();
  }

  /**
   * The API server may see the namespace's deletion before the operator's cache does: an apply
   * it refuses for that is no failure of the service's, neither reported in its status nor in
   * an Event, and the retry applies once the refusal is over.
   */
  @Test
  void anApplyRefusedAsTheNamespaceIsTerminatingIsNotReportedAsAFailure()
      throws InterruptedException {
    cluster.clearRequestLog();
    cluster.api.refuse("POST", "/apis/apps/v1/namespaces/shop/deployments", 1, new StatusBuilder()
        .withCode(403).withReason("Forbidden").withStatus("Failure")
        .withMessage("deployments.apps \"orders\" is forbidden: unable to create new content in "
            + "namespace shop because it is being terminated")
        .withNewDetails().withKind("deployments").withName("orders").withGroup("apps")
        .addNewCause().withReason("NamespaceTerminating").withField("metadata.namespace")
        .withMessage("namespace shop is being terminated").endCause().endDetails().build());

    apply("orders", OperatedServiceSpec.ofImage("orders:1"));

    await().atMost(TIMEOUT).until(() -> deployment("orders") != null && cluster.idle());
    assertThat(cluster.api.refusalsPending()).as("the refusal was met").isZero();
    assertThat(cluster.writes()).as("no status or Event says an apply failed")
        .noneMatch(write -> String.valueOf(write.body()).contains("ApplyFailed"));
  }

  /**
   * A status patch the API server refuses fails the reconcile after everything was applied: the
   * retry writes the status, and nothing says an apply failed. It had reported ApplyFailed,
   * flipping a Ready service to Degraded and back with a Warning Event each way. (A 429 or a 5xx
   * the client retries by itself first; what outlasts its retries, a 403 while a Role is being
   * rolled out, an admission policy's 422, reaches the reconcile like this.)
   */
  @Test
  void aRefusedStatusPatchIsRetriedWithoutReportingAnApplyFailure()
      throws InterruptedException {
    readyWithTwoReplicas("orders");
    cluster.clearRequestLog();
    cluster.api.refuse("PATCH", "/apis/" + OperatedService.GROUP + "/"
        + OperatedService.VERSION + "/namespaces/shop/operatedservices/orders/status", 1,
        new StatusBuilder().withCode(403).withReason("Forbidden").withStatus("Failure")
            .withMessage("operatedservices.operated.dev \"orders\" is forbidden: User "
                + "\"system:serviceaccount:operated:operated\" cannot patch resource "
                + "\"operatedservices/status\" in API group \"operated.dev\"").build());

    rollOut("orders", 2, 1);

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(cluster.get(NS, "orders").getStatus().ready()).isEqualTo("1/2"));
    List<MockCluster.Write> statusWrites = cluster.writes().stream()
        .filter(write -> write.path().endsWith("/operatedservices/orders/status")).toList();
    assertThat(statusWrites).hasSizeGreaterThanOrEqualTo(2) // the refused one, then the retry
        .noneSatisfy(write -> assertThat(write.body()).contains("ApplyFailed"));
    assertThat(cluster.client.v1().events().inNamespace(NS).list().getItems())
        .extracting(event -> event.getReason()).doesNotContain("ApplyFailed");
  }

  /**
   * A custom resource the operator cannot decode (replicas stored as a string, as a CRD without
   * a schema or an older one allows) next to a good one: the good one keeps reconciling, the bad
   * one is reported with its field, and fixing it recovers without a restart. Before, one such
   * object failed the list of every OperatedService and stopped the informer.
   */
  @Test
  void anUndecodableResourceIsReportedAndTheOthersKeepReconciling() {
    GenericKubernetesResource broken = new GenericKubernetesResourceBuilder()
        .withApiVersion("operated.dev/v1alpha1").withKind("OperatedService")
        .withNewMetadata().withName("broken").withNamespace(NS).endMetadata()
        .addToAdditionalProperties("spec", Map.of("image", "broken:1", "replicas", "two"))
        .build();
    cluster.client.resource(broken).create();
    apply("orders", OperatedServiceSpec.ofImage("orders:1"));

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(deployment("orders")).isNotNull();
      assertThat(readyReason("broken")).isEqualTo("InvalidSpec");
      assertThat(ready("broken").getMessage()).contains("spec.replicas");
    });
    assertThat(deployment("broken")).isNull();

    cluster.client.genericKubernetesResources("operated.dev/v1alpha1", "OperatedService")
        .inNamespace(NS).withName("broken").edit(stored -> {
          stored.setAdditionalProperty("spec", Map.of("image", "broken:1", "replicas", 2));
          return stored;
        });
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment("broken")).isNotNull());
  }

  /** Decided, not defaulted: never give up, back off to a minute, resync every ten minutes. */
  @Test
  void retriesNeverStopAndEveryServiceIsResyncedEveryTenMinutes() {
    var configuration = cluster.operator.getRuntimeInfo()
        .getRegisteredController(OperatedServiceReconciler.NAME).getConfiguration();
    GenericRetry retry = (GenericRetry) configuration.getRetry();
    assertThat(retry.getMaxAttempts()).isEqualTo(-1);
    assertThat(retry.getInitialInterval()).isEqualTo(1_000);
    assertThat(retry.getMaxInterval()).isEqualTo(60_000);
    assertThat(configuration.maxReconciliationInterval()).contains(Duration.ofMinutes(10));
  }

  @Test
  void theReconcileReturnsTheRecheckWithTheStatusPatchOrWithoutOne() {
    OperatedService resource = new OperatedService(NS, "orders",
        OperatedServiceSpec.ofImage("orders:1"));
    OperatedServiceStatus status = new OperatedServiceStatus(1L, 1, 0, 1, 0, "0/1", List.of());

    UpdateControl<OperatedService> changed = StatusReport.update(resource,
        status, Optional.of(Duration.ofSeconds(7)));
    assertThat(changed.isPatchStatus()).isTrue();
    assertThat(changed.getScheduleDelay()).contains(7_000L);

    resource.setStatus(status);
    UpdateControl<OperatedService> unchanged = StatusReport.update(resource,
        status, Optional.of(Duration.ofSeconds(3)));
    assertThat(unchanged.isNoUpdate()).isTrue();
    assertThat(unchanged.getScheduleDelay()).contains(3_000L);

    assertThat(StatusReport.update(resource, status, Optional.empty())
        .getScheduleDelay()).isEmpty();
  }

  /**
   * status.conditions is keyed by type: a condition of a type the operator does not report was
   * applied by another writer. It makes no difference to compare, and the patch, when one is
   * due, carries only the operator's conditions, so server-side apply leaves the other one be.
   * One without a type (stored while the list was atomic, or under a CRD that Helm did not
   * upgrade) is another writer's too, not a reason to fail every reconcile.
   */
  @Test
  void aConditionAnotherWriterAddedIsNeitherAChangeNorPatchedAway() {
    OperatedService resource = new OperatedService(NS, "orders",
        OperatedServiceSpec.ofImage("orders:1"));
    Condition ready = new ConditionBuilder().withType("Ready").withStatus("True")
        .withReason("AllReplicasReady").withMessage("1/1").build();
    Condition policy = new ConditionBuilder().withType("PolicyCompliant").withStatus("True")
        .withReason("AllRulesPass").build();
    OperatedServiceStatus reported = new OperatedServiceStatus(1L, 1, 1, 1, 1, "1/1",
        List.of(ready));
    Condition untyped = new ConditionBuilder().withStatus("True").withReason("Legacy").build();
    resource.setStatus(new OperatedServiceStatus(1L, 1, 1, 1, 1, "1/1",
        List.of(policy, ready, untyped)));

    assertThat(StatusReport.update(resource, reported, Optional.empty()).isNoUpdate()).isTrue();

    OperatedServiceStatus scaled = new OperatedServiceStatus(1L, 2, 1, 2, 1, "1/2",
        List.of(ready));
    UpdateControl<OperatedService> patch = StatusReport.update(resource, scaled,
        Optional.empty());
    assertThat(patch.isPatchStatus()).isTrue();
    assertThat(patch.getResource().orElseThrow().getStatus().conditions())
        .extracting(Condition::getType).containsExactly("Ready");
  }

  @Test
  void sidecarModeOwnsTheCollectorConfigAndRemovesItOnceNoPodCanMountIt() {
    TelemetrySpec sidecar = new TelemetrySpec(TelemetryMode.SIDECAR, "http://gw.obs:4317", null,
        null, null);
    OperatedService created = apply("orders", new OperatedServiceSpec("orders:1", 1, null, null,
        null, null, null, sidecar, null, null, null, null));
    await().atMost(TIMEOUT).untilAsserted(() -> {
      ConfigMap config = collectorConfig("orders");
      assertThat(config).isNotNull();
      assertThat(config.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(owner -> assertThat(owner.getUid())
              .isEqualTo(created.getMetadata().getUid()));
      assertThat(config.getData().get("collector.yaml")).contains("http://gw.obs:4317");
      assertThat(deployment("orders")).isNotNull();
      assertThat(deployment("orders").getSpec().getTemplate().getSpec().getInitContainers())
          .extracting(c -> c.getName()).containsExactly("otel-collector");
    });
    rollOut("orders", 1);

    updateSpec("orders", spec -> OperatedServiceSpec.ofImage("orders:1"));

    // kept while the pods of the template that mounts it may still be there or be recreated
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(deployment("orders").getSpec().getTemplate().getSpec().getInitContainers())
            .isEmpty());
    await("kept until the rollout without it completes").during(Duration.ofSeconds(2))
        .atMost(TIMEOUT).until(() -> collectorConfig("orders") != null);

    rollOut("orders", 1);
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(collectorConfig("orders")).isNull());
  }

  /**
   * Leaving sidecar mode while the Deployment's update is refused: the running pods' template
   * still mounts the collector's ConfigMap, so it stays, and a pod the old ReplicaSet recreates
   * can start. It had been deleted beside the refused update.
   */
  @Test
  void theCollectorConfigStaysWhileTheDeploymentStillMountsIt() {
    sidecarServiceApplied("orders");
    rollOut("orders", 1);
    Status forbidden = new StatusBuilder().withCode(403).withReason("Forbidden")
        .withStatus("Failure").withMessage("deployments.apps \"orders\" is forbidden").build();
    refuseUpdates("/apis/apps/v1/namespaces/shop/deployments/orders", forbidden);

    updateSpec("orders", spec -> OperatedServiceSpec.ofImage("orders:1"));

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(readyReason("orders")).isEqualTo("ApplyFailed"));
    await("kept while the Deployment still mounts it").during(Duration.ofSeconds(2))
        .atMost(TIMEOUT).until(() -> collectorConfig("orders") != null);
    assertThat(deployment("orders").getSpec().getTemplate().getSpec().getInitContainers())
        .extracting(c -> c.getName()).containsExactly("otel-collector");
  }

  /**
   * A new gateway whose ConfigMap the API server refuses while the Deployment's apply passes:
   * the pods keep the configuration they run with instead of rolling onto one that is not
   * stored (the collector reads it only at start, so they would have kept exporting to the old
   * gateway), and roll once it is.
   */
  @Test
  void thePodsRollOntoANewCollectorConfigOnlyOnceItIsStored() {
    sidecarServiceApplied("orders");
    String running = podConfigHash("orders");
    Status quota = new StatusBuilder().withCode(403).withReason("Forbidden").withStatus("Failure")
        .withMessage("configmaps \"orders-otel-collector\" is forbidden: exceeded quota").build();
    refuseUpdates("/api/v1/namespaces/shop/configmaps/orders-otel-collector", quota);

    updateSpec("orders", spec -> spec.withTelemetry(new TelemetrySpec(TelemetryMode.SIDECAR,
        "http://gw2.obs:4317", null, null, null)));

    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(readyReason("orders")).isEqualTo("ApplyFailed"));
    await("held to the stored configuration").during(Duration.ofSeconds(2)).atMost(TIMEOUT)
        .until(() -> running.equals(podConfigHash("orders")));

    cluster.api.stopRefusing();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(collectorConfig("orders").getData().get(CollectorSidecar.CONFIG_KEY))
          .contains("http://gw2.obs:4317");
      assertThat(podConfigHash("orders")).isNotEqualTo(running)
          .isEqualTo(CollectorSidecar.configHash(collectorConfig("orders")).orElseThrow());
    });
  }

  /** A service with the collector sidecar (gateway gw.obs), its Deployment and ConfigMap there. */
  private void sidecarServiceApplied(String name) {
    apply(name, new OperatedServiceSpec(name + ":1", 1, null, null, null, null, null,
        new TelemetrySpec(TelemetryMode.SIDECAR, "http://gw.obs:4317", null, null, null), null,
        null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment(name) != null
        && collectorConfig(name) != null);
  }

  /** Every update of the object at this path answered so (SSA is off here: PUT or PATCH). */
  private void refuseUpdates(String path, Status answer) {
    for (String method : List.of("PUT", "PATCH")) {
      cluster.api.refuse(method, path, 1_000, answer);
    }
  }

  private String podConfigHash(String name) {
    return deployment(name).getSpec().getTemplate().getMetadata().getAnnotations()
        .get(CollectorSidecar.CONFIG_HASH_ANNOTATION);
  }

  private ConfigMap collectorConfig(String name) {
    return cluster.client.configMaps().inNamespace(NS).withName(name + "-otel-collector").get();
  }

  /**
   * A pod whose readiness flaps for a minute: the status follows every real change with one
   * patch, the Deployment is never written, and the Events stay within client-go's spam budget
   * (25, then one per 5 minutes per object: EventSourceObjectSpamFilter), the repeated ones
   * counted on the Event already written rather than written again beside it.
   */
  @Test
  void readinessFlappingForAMinuteWritesTheStatusPerChangeAndEventsWithinTheirBudget()
      throws InterruptedException {
    apply("orders", new OperatedServiceSpec("orders:1", 1, null, null, null, null, null, null,
        null, null, null, null));
    await().atMost(TIMEOUT).until(() -> deployment("orders") != null);
    rollOut("orders", 1);
    // The pod as the kubelet reports it whenever its sidecar fails readiness; the Deployment
    // controller counts it ready or not as that flaps.
    Pod pod = recordedPod("sidecar-not-ready.yaml");
    pod.getMetadata().setNamespace(NS);
    pod.getMetadata().setLabels(deployment("orders").getSpec().getTemplate().getMetadata()
        .getLabels());
    cluster.client.resource(pod).create();
    await().atMost(TIMEOUT).until(() -> ready("orders") != null
        && "True".equals(ready("orders").getStatus()));
    cluster.clearRequestLog();

    int flaps = 30;
    for (int flap = 1; flap <= flaps; flap++) {
      boolean nowReady = flap % 2 == 0;
      rollOut("orders", 1, nowReady ? 1 : 0);
      cluster.clock.advance(Duration.ofSeconds(2));
      String expected = nowReady ? "True" : "False";
      await().atMost(TIMEOUT).until(() -> ready("orders") != null
          && expected.equals(ready("orders").getStatus()));
    }

    List<MockCluster.Write> writes = cluster.writes();
    assertThat(writes).filteredOn(w -> w.path().contains("/deployments")
        && !w.path().endsWith("/status")).isEmpty();
    // Without server-side apply (see MockCluster) a status patch is a JSON Patch of what
    // changed: an empty one would be a write with nothing to say.
    List<JsonNode> statusPatches = writes.stream()
        .filter(w -> w.path().endsWith("/operatedservices/orders/status"))
        .map(w -> Serialization.unmarshal(w.body(), JsonNode.class)).toList();
    assertThat(statusPatches).hasSizeGreaterThanOrEqualTo(flaps)
        .allSatisfy(patch -> assertThat(patch).isNotEmpty());
    // the Events follow on their own thread
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
        cluster.client.v1().events().inNamespace(NS).list().getItems())
        .filteredOn(e -> "SidecarNotReady".equals(e.getReason()))
        .singleElement().satisfies(e -> assertThat(e.getCount()).isGreaterThan(1)));
    // every Event write since the flaps began: those taken from the log above and those since
    List<MockCluster.Write> allWrites = new ArrayList<>(writes);
    allWrites.addAll(cluster.writes());
    assertThat(allWrites).filteredOn(w -> w.path().contains("/events"))
        .hasSizeLessThanOrEqualTo(EventBudget.BURST);
  }

  private static Pod recordedPod(String recording) {
    try (InputStream in = OperatedServiceReconcilerTest.class
        .getResourceAsStream("/pods/" + recording)) {
      return (Pod) Serialization.unmarshal(in, KubernetesList.class).getItems().get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
