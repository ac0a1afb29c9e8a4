package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.cluster.ApiRequest;
import dev.operated.cluster.Controller;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.WatchControl;
import dev.operated.cluster.WatchRequest;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorSettings;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator exactly as production configures it (its client, {@link OperatorClient}, with the
 * default watch transport; server-side apply for dependents, status and primary; no overrides)
 * against the embedded API server, which answers SSA, writes managedFields, collects garbage and
 * rolls Deployments out.
 */
class OperatorOnEmbeddedClusterTest {

  private static final String NS = "shop";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Writes this test makes itself, to tell them from the operator's. */
  private static final String TEST_MANAGER = "e2e-test";
  /** The operator's client, told apart from the test's in the server's watches. */
  private static final String OPERATOR_AGENT = "operated-operator";

  private EmbeddedCluster cluster;
  private KubernetesClient operatorClient;
  private KubernetesClient client;
  private Operator operator;
  private final AtomicInteger touches = new AtomicInteger();
  private final AtomicInteger reconciles = new AtomicInteger();

  @BeforeEach
  void start() {
    // the HPA tests wait for its resync, 15 s on a cluster by default
    cluster = TestClusters.withCrds().horizontalPodAutoscalerSyncPeriod(Duration.ofSeconds(2))
        .start();
    client = cluster.newClient();
    TestClusters.createNamespaces(client, NS);
    operatorClient = OperatorClient.forConfig(
        new ConfigBuilder(cluster.config()).withUserAgent(OPERATOR_AGENT).build(),
        OperatorSettings.DEFAULT_WATCH_TRANSPORT);
    // only an observer of finished reconciles; the operator's configuration stays production's
    operator = OperatedOperator.create(operatorClient, Clock.systemUTC(),
        configuration -> configuration.withMetrics(new Metrics() {
          @Override
          public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
            reconciles.incrementAndGet();
          }
        }));
    operator.start();
  }

  @AfterEach
  void stop() {
    operator.stop();
    operatorClient.close();
    client.close();
    cluster.close();
  }

  /** sample-service/deploy/operatedservice.yaml, as `kubectl apply --server-side` sends it. */
  private OperatedService applySample(OperatedServiceSpec spec) {
    return Examples.apply(client, Examples.SAMPLE, NS, resource -> {
      if (spec != null) {
        resource.setSpec(spec);
      }
      return resource;
    });
  }

  private static final String NAME = "sample-service";

  private Deployment deployment() {
    return client.apps().deployments().inNamespace(NS).withName(NAME).get();
  }

  private Condition ready() {
    return condition("Ready");
  }

  /** The sample's condition of this type, or null while it has none. */
  private Condition condition(String type) {
    OperatedService resource = client.resources(OperatedService.class).inNamespace(NS)
        .withName(NAME).get();
    return resource == null || resource.getStatus() == null ? null
        : resource.getStatus().condition(type).orElse(null);
  }

  private void awaitReady() {
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(ready()).isNotNull();
      assertThat(ready().getStatus()).isEqualTo("True");
    });
  }


  /**
   * Sieve's stale state: an OperatedService deleted and created again under the same name while
   * garbage collection is behind. The old Deployment and Service are still there, owned by the
   * deleted object. The new one must take them over alone (an owner reference to the deleted
   * object would let the collector delete them later), and once collection resumes nothing it
   * needs may be gone.
   */
  @Test
  void aServiceCreatedAgainWhileGarbageCollectionIsHeldEndsUpOwningItsObjectsAlone()
      throws Exception {
    applySample(null);
    awaitReady();
    try (AutoCloseable held = cluster.holdGarbageCollection()) {
      client.resources(OperatedService.class).inNamespace(NS).withName(NAME).delete();
      await().atMost(TIMEOUT).until(() -> client.resources(OperatedService.class)
          .inNamespace(NS).withName(NAME).get() == null);
      assertThat(deployment()).as("held: the old Deployment stays").isNotNull();

      String newUid = applySample(null).getMetadata().getUid();

      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(ownerUids(deployment())).containsExactly(newUid);
        assertThat(ownerUids(client.services().inNamespace(NS).withName(NAME).get()))
            .containsExactly(newUid);
      });
    }
    cluster.collectGarbage();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(deployment()).isNotNull();
      assertThat(client.services().inNamespace(NS).withName(NAME).get()).isNotNull();
      assertThat(ready()).isNotNull();
      assertThat(ready().getStatus()).isEqualTo("True");
    });
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).hasSize(1);
  }

  private static List<String> ownerUids(HasMetadata object) {
    return object == null ? List.of() : object.getMetadata().getOwnerReferences().stream()
        .map(owner -> owner.getUid()).toList();
  }

  /** A change the operator does not own (an annotation by another manager) still reconciles. */
  private void touchServiceAndAwaitReconcile() {
    int before = reconciles.get();
    client.services().inNamespace(NS).withName(NAME).patch(
        patch(PatchType.JSON_MERGE, TEST_MANAGER), Serialization.asJson(Map.of("metadata",
            Map.of("annotations", Map.of("example.com/touched",
                String.valueOf(touches.incrementAndGet()))))));
    await().atMost(TIMEOUT).until(() -> reconciles.get() > before);
  }

  private static PatchContext patch(PatchType type, String fieldManager) {
    return new PatchContext.Builder().withPatchType(type).withFieldManager(fieldManager).build();
  }

  /**
   * Cluster facts are watched: labelling the namespace for Istio and installing or removing the
   * Prometheus Operator's CRD each rewire the pod template with no spec change, and with server-side
   * apply the scrape annotations really leave the template while a ServiceMonitor is used.
   */
  @Test
  void namespaceLabelsAndThePrometheusOperatorAreFollowedWithoutASpecChange() throws IOException {
    applySample(null);
    awaitReady();
    assertThat(deployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true").doesNotContainKey("proxy.istio.io/config");

    client.namespaces().withName(NS).edit(namespace -> new NamespaceBuilder(namespace)
        .editMetadata().addToLabels("istio-injection", "enabled").endMetadata().build());
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(deployment().getSpec().getTemplate().getMetadata().getAnnotations())
            .containsKey("proxy.istio.io/config"));

    PrometheusOperatorCrd.install(client);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(client.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor")
          .inNamespace(NS).withName(NAME).get()).isNotNull();
      assertThat(deployment().getSpec().getTemplate().getMetadata().getAnnotations())
          .doesNotContainKey("prometheus.io/scrape");
    });

    PrometheusOperatorCrd.remove(client);
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(deployment().getSpec().getTemplate().getMetadata().getAnnotations())
            .containsEntry("prometheus.io/scrape", "true"));
  }

  @Test
  void theSampleGoesReadyWithEverythingItOwnsAppliedByTheOperator() throws IOException {
    applySample(null);

    awaitReady();
    Deployment deployment = deployment();
    assertThat(deployment.getStatus().getAvailableReplicas()).isEqualTo(2);
    assertThat(deployment.getMetadata().getManagedFields())
        .anySatisfy(entry -> {
          assertThat(entry.getManager()).isEqualTo("operated");
          assertThat(entry.getOperation()).isEqualTo("Apply");
        });
    assertThat(client.services().inNamespace(NS).withName(NAME).get()).isNotNull();
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(NAME).get())
        .isNotNull();
    assertThat(client.resources(OperatedService.class).inNamespace(NS).withName(NAME).get()
        .getStatus().ready()).isEqualTo("2/2");
  }

  /**
   * Production's watches are streamed HTTP responses, as client-go's are, not fabric8's default
   * WebSockets: the JDK's WebSocket client misread about 0.3 % of watch connections, and each
   * misread stopped an informer for good (docs/reliability.md, "Watches over HTTP").
   */
  @Test
  void theOperatorWatchesOverHttpAsClientGoDoes() throws IOException {
    applySample(null);
    awaitReady();

    List<WatchRequest> operators = cluster.watches().open().stream()
        .filter(WatchControl.watchesBy(OPERATOR_AGENT)).toList();
    assertThat(operators).extracting(WatchRequest::resource)
        .contains("operatedservices", "deployments", "services", "pods");
    assertThat(operators).extracting(WatchRequest::transport)
        .containsOnly(WatchRequest.Transport.HTTP);
  }

  @Test
  void aReconcileWithNothingToChangeWritesNothing() throws IOException {
    applySample(null);
    awaitReady();
    // The Ready transition's Event is posted by the operator's own Event thread, which a loaded
    // machine may hold back past the reconciles below: written before the log is cleared.
    String readyReason = ready().getReason();
    await().atMost(TIMEOUT).until(() -> client.v1().events().inNamespace(NS).list().getItems()
        .stream().anyMatch(event -> readyReason.equals(event.getReason())));
    // Two reconciles in a row: the second starting proves the first one (and its writes) ended.
    touchServiceAndAwaitReconcile();
    cluster.requests().clear();

    touchServiceAndAwaitReconcile();
    touchServiceAndAwaitReconcile();

    List<ApiRequest> writes = cluster.requests()
        .writes(request -> !TEST_MANAGER.equals(request.fieldManager()));
    assertThat(writes).as("writes by the operator during no-op reconciles").isEmpty();
  }

  /**
   * status.conditions is keyed by type, as DeploymentStatus.Conditions is upstream
   * ({@code +listType=map +listMapKey=type}): a condition another writer applies to the status
   * (a policy controller here) stays beside the operator's own through the operator's next
   * status apply, and an idle reconcile does not take it for a change to write.
   */
  @Test
  void aConditionAnotherWriterAppliesStaysThroughTheOperatorsStatusWrites() throws IOException {
    String image = "ghcr.io/operated-dev/sample-service:0.1.0";
    applySample(null);
    awaitReady();

    GenericKubernetesResource policyStatus = new GenericKubernetesResourceBuilder()
        .withApiVersion(HasMetadata.getApiVersion(OperatedService.class))
        .withKind(HasMetadata.getKind(OperatedService.class))
        .withNewMetadata().withName(NAME).withNamespace(NS).endMetadata()
        .addToAdditionalProperties("status", Map.of("conditions", List.of(Map.of(
            "type", "PolicyCompliant", "status", "True", "reason", "AllRulesPass",
            "message", "checked by the policy controller",
            "lastTransitionTime", "2026-12-04T00:00:00Z"))))
        .build();
    client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(
            OperatedService.class)).inNamespace(NS)
        .resource(policyStatus).subresource("status").patch(new PatchContext.Builder()
            .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("policy-controller")
            .withForce(true).build());
    assertThat(condition("PolicyCompliant")).as("applied beside the operator's").isNotNull();
    assertThat(ready()).as("the operator's conditions kept by the other writer's apply")
        .isNotNull().extracting(Condition::getStatus).isEqualTo("True");

    // a spec change: the operator applies a new status (observedGeneration, Progressing, Ready)
    applyUnscaledWithFeature(image, "on");
    long generation = client.resources(OperatedService.class).inNamespace(NS).withName(NAME)
        .get().getMetadata().getGeneration();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      OperatedService resource = client.resources(OperatedService.class).inNamespace(NS)
          .withName(NAME).get();
      assertThat(resource.getStatus().observedGeneration()).isEqualTo(generation);
      assertThat(resource.getStatus().condition("Ready").orElseThrow().getStatus())
          .isEqualTo("True");
    });
    assertThat(condition("PolicyCompliant")).as("kept through the operator's status apply")
        .isNotNull().extracting(Condition::getReason).isEqualTo("AllRulesPass");

    // the status write this is about; the Events of the rollout, posted on their own thread,
    // may still be on their way (aReconcileWithNothingToChangeWritesNothing counts those)
    touchServiceAndAwaitReconcile();
    cluster.requests().clear();
    touchServiceAndAwaitReconcile();
    touchServiceAndAwaitReconcile();
    assertThat(cluster.requests().writes(request -> !TEST_MANAGER.equals(request.fieldManager())
        && request.path().contains("/operatedservices/")))
        .as("the operator's writes to the OperatedService during no-op reconciles beside "
            + "another writer's condition").isEmpty();
  }

  /**
   * A namespace being deleted takes its service with everything else in it. The operator applies
   * nothing into it and writes nothing about it once it is Terminating, even when the namespace
   * controller deletes the Deployment while the service is still there (its order is
   * discovery's, by kind), and the namespace goes.
   */
  @Test
  void aNamespaceBeingDeletedIsLeftToTheNamespaceController() throws IOException {
    applySample(null);
    awaitReady();
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.NAMESPACE)) {
      int beforeMark = reconciles.get();
      client.namespaces().withName(NS).delete();
      // the namespace's change reconciles the service in it: the operator has seen the mark
      await().atMost(TIMEOUT).until(() -> reconciles.get() > beforeMark);
      cluster.requests().clear();
      int beforeDelete = reconciles.get();

      client.apps().deployments().inNamespace(NS).withName(NAME).delete();

      // the reconcile the deletion causes: done, or (were the mark ignored) its apply refused
      await().atMost(TIMEOUT).until(() -> reconciles.get() > beforeDelete
          || !operatorWritesBesideEvents().isEmpty());
    }
    await().atMost(TIMEOUT).until(() -> client.namespaces().withName(NS).get() == null);
    assertThat(operatorWritesBesideEvents())
        .as("the operator's applies and status writes while the namespace went").isEmpty();
    assertThat(client.resources(OperatedService.class).inAnyNamespace().list().getItems())
        .isEmpty();
  }

  /**
   * Leaves out Events: the rollout's, posted on their own thread, may still be on their way
   * when the namespace is marked.
   */
  private List<ApiRequest> operatorWritesBesideEvents() {
    return cluster.requests().writes(request -> OPERATOR_AGENT.equals(request.userAgent())
        && !request.path().contains("/events"));
  }

  @Test
  void rolloutRestartAndAnHpasReplicasSurviveASpecChange() throws IOException {
    // No replicas in the spec: scaling is left to an HPA.
    OperatedServiceSpec unscaled = OperatedServiceSpec.ofImage(
        "ghcr.io/operated-dev/sample-service:0.1.0");
    applySample(unscaled);
    await().atMost(TIMEOUT).until(() -> deployment() != null);

    // What `kubectl rollout restart` sends.
    client.apps().deployments().inNamespace(NS).withName(NAME).patch(
        patch(PatchType.STRATEGIC_MERGE, "kubectl-rollout"), Serialization.asJson(Map.of("spec",
            Map.of("template", Map.of("metadata", Map.of("annotations",
                Map.of("kubectl.kubernetes.io/restartedAt", "2026-11-25T00:00:00Z")))))));
    // What an HPA does: the scale subresource.
    client.apps().deployments().inNamespace(NS).withName(NAME).scale(5);

    applySample(new OperatedServiceSpec(unscaled.image(), null, null, List.of(
        new EnvVarBuilder().withName("FEATURE").withValue("on").build()), null, null, null, null,
        null, null, null, null));

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getEnv()).extracting(e -> e.getName())
        .contains("FEATURE"));
    Deployment after = deployment();
    assertThat(after.getSpec().getReplicas()).as("the HPA's replicas").isEqualTo(5);
    assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("kubectl.kubernetes.io/restartedAt", "2026-11-25T00:00:00Z");
  }

  /**
   * Handing scaling to an HPA: the user removes spec.replicas, as its description says. Dropped
   * from the operator's apply while the operator alone owned it, server-side apply would remove
   * the field and the Deployment's defaulting make it 1: four of five pods gone until the HPA
   * scaled back (the HPA walkthrough's warning, "Migrating Deployments and StatefulSets to
   * horizontal autoscaling"). The operator hands the field over first, and keeps the PDB; the
   * cluster's HPA controller then scales the Deployment, and the operator leaves its count.
   */
  @Test
  void removingReplicasForAnHpaKeepsThePodsAndTheBudget() throws IOException {
    String image = "ghcr.io/operated-dev/sample-service:0.1.0";
    applySample(new OperatedServiceSpec(image, 5, null, null, null, null, null, null, null, null,
        null, null));
    await().atMost(TIMEOUT).until(() -> deployment() != null
        && Integer.valueOf(5).equals(deployment().getSpec().getReplicas()));
    await().atMost(TIMEOUT).until(() -> client.policy().v1().podDisruptionBudget()
        .inNamespace(NS).withName(NAME).get() != null);

    // replicas removed, and an env var changed so that the Deployment is applied again
    applyUnscaledWithFeature(image, "on");
    assertThat(deployment().getSpec().getReplicas()).as("replicas after the apply").isEqualTo(5);
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(NAME).get())
        .as("the budget kept under an HPA").isNotNull();

    // the cluster's HPA takes it from here (its minimum above the count): its scale is not
    // undone by the next spec change, so it never has to scale back
    HorizontalPodAutoscaler hpa = createAutoscaler(7, 9);
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(7)
        .equals(deployment().getSpec().getReplicas()));
    applyUnscaledWithFeature(image, "off");
    assertThat(deployment().getSpec().getReplicas()).as("the HPA's replicas").isEqualTo(7);
    assertThat(client.v1().events().inNamespace(NS)
        .withField("involvedObject.uid", hpa.getMetadata().getUid()).list().getItems())
        .filteredOn(event -> "SuccessfulRescale".equals(event.getReason()))
        .singleElement().extracting(event -> event.getMessage() + " x" + event.getCount())
        .isEqualTo("New size: 7; reason: Current number of replicas below Spec.MinReplicas x1");

    // the HPA removed and replicas taken back, then left to an HPA once more, by the same
    // operator process
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName(NAME).delete();
    applySample(new OperatedServiceSpec(image, 4, null, null, null, null, null, null, null, null,
        null, null));
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(4)
        .equals(deployment().getSpec().getReplicas()));
    applyUnscaledWithFeature(image, "again");
    assertThat(deployment().getSpec().getReplicas()).as("replicas handed over again")
        .isEqualTo(4);
  }

  /**
   * An HPA on a service whose spec still sets replicas: the HPA's controller scales the
   * Deployment to its minimum, the operator's next reconcile sets the spec's count back, and so
   * on every 15 s. The status says so where Ready cannot (Degraded, ReplicasContested, naming the
   * field to remove) with one Warning Event; removing spec.replicas ends it, and the HPA's count
   * stays.
   */
  @Test
  void anHpaContestingSpecReplicasIsReportedUntilTheFieldIsRemoved() throws IOException {
    String image = "ghcr.io/operated-dev/sample-service:0.1.0";
    applySample(new OperatedServiceSpec(image, 2, null, null, null, null, null, null, null, null,
        null, null));
    await().atMost(TIMEOUT).until(() -> deployment() != null
        && Integer.valueOf(2).equals(deployment().getSpec().getReplicas()));

    createAutoscaler(3, 5);

    await().atMost(TIMEOUT).until(() -> "ReplicasContested".equals(degradedReason()));
    assertThat(condition("Degraded").getStatus()).isEqualTo("True");
    assertThat(condition("Degraded").getMessage()).startsWith("HorizontalPodAutoscaler " + NAME
        + " scales Deployment " + NAME + ", and spec.replicas (2) sets its count back")
        .endsWith("remove spec.replicas to leave scaling to the HPA, or delete the HPA");
    await().atMost(TIMEOUT).until(() -> client.v1().events().inNamespace(NS)
        .withField("involvedObject.kind", "OperatedService").list().getItems().stream()
        .anyMatch(event -> "ReplicasContested".equals(event.getReason())
            && "Warning".equals(event.getType())));

    applyUnscaledWithFeature(image, "left-to-the-hpa");
    await().atMost(TIMEOUT).until(() -> "AsExpected".equals(degradedReason()));
    // within one sync of the HPA (2 s here), nothing sets the count back any more
    await().atMost(TIMEOUT).until(() -> Integer.valueOf(3)
        .equals(deployment().getSpec().getReplicas()));
  }

  /**
   * kubectl rollout pause on the service's Deployment, then a spec change: the Deployment
   * controller holds it (no new ReplicaSet), the operator leaves spec.paused, which it does not
   * own, and says what holds the rollout and how to resume it; resumed, the change rolls out.
   */
  @Test
  void aPausedDeploymentHoldingASpecChangeIsReportedUntilResumed() throws IOException {
    String image = "ghcr.io/operated-dev/sample-service:0.1.0";
    applySample(null);
    awaitReady();
    editDeployment(deployment -> new DeploymentBuilder(deployment).editSpec().withPaused(true)
        .endSpec().build());

    applyUnscaledWithFeature(image, "held");

    await().atMost(TIMEOUT).until(() -> "RolloutPaused".equals(ready().getReason()));
    assertThat(ready().getStatus()).isEqualTo("False");
    assertThat(ready().getMessage()).startsWith("the Deployment is paused (spec.paused), so the "
        + "current spec is not rolled out (0 of ")
        .endsWith("): kubectl rollout resume deployment/" + NAME);
    assertThat(deployment().getSpec().getPaused()).as("left to whoever paused it").isTrue();

    editDeployment(deployment -> new DeploymentBuilder(deployment).editSpec().withPaused(false)
        .endSpec().build());
    awaitReady();
  }

  /** Like `kubectl edit`: the controller may write in between, so a 409 means read and retry. */
  private void editDeployment(UnaryOperator<Deployment> change) {
    await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(() -> client.apps().deployments().inNamespace(NS).withName(NAME).edit(change)
            != null);
  }

  private HorizontalPodAutoscaler createAutoscaler(int minReplicas, int maxReplicas) {
    return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS)
        .resource(new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(NAME)
            .endMetadata().withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1")
            .withKind("Deployment").withName(NAME).endScaleTargetRef()
            .withMinReplicas(minReplicas).withMaxReplicas(maxReplicas).endSpec().build())
        .create();
  }

  private String degradedReason() {
    Condition degraded = condition("Degraded");
    return degraded == null ? null : degraded.getReason();
  }

  /** The sample without replicas and with FEATURE={@code value}, applied and reconciled. */
  private void applyUnscaledWithFeature(String image, String value) {
    applySample(new OperatedServiceSpec(image, null, null, List.of(new EnvVarBuilder()
        .withName("FEATURE").withValue(value).build()), null, null, null, null, null, null, null,
        null));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getEnv())
        .anySatisfy(env -> assertThat(env.getName() + "=" + env.getValue())
            .isEqualTo("FEATURE=" + value)));
  }

  @Test
  void aManualEditOfAManagedFieldIsPutBack() throws IOException {
    applySample(null);
    await().atMost(TIMEOUT).until(() -> deployment() != null);
    String path = deployment().getSpec().getTemplate().getSpec().getContainers().get(0)
        .getReadinessProbe().getHttpGet().getPath();

    editDeployment(deployment -> {
      deployment.getSpec().getTemplate().getSpec().getContainers().get(0)
          .getReadinessProbe().getHttpGet().setPath("/hand-edited");
      return deployment;
    });

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment().getSpec().getTemplate()
        .getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath())
        .isEqualTo(path));
  }

  /**
   * The dependents' informers select by the managed-by label: taking it off makes the Deployment
   * vanish from the operator's view. The operator applies it again (server-side apply takes the
   * object back), the label returns, and the writes stop there: no 409 loop, no second object.
   */
  @Test
  void removingTheOperatorsLabelFromItsDeploymentIsPutBackWithoutALoop() throws IOException {
    applySample(null);
    awaitReady();

    client.apps().deployments().inNamespace(NS).withName(NAME).patch(
        patch(PatchType.JSON, TEST_MANAGER), Serialization.asJson(List.of(Map.of("op", "remove",
            "path", "/metadata/labels/app.kubernetes.io~1managed-by"))));

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment().getMetadata()
        .getLabels()).containsEntry("app.kubernetes.io/managed-by", "operated"));
    cluster.requests().clear();
    touchServiceAndAwaitReconcile();
    assertThat(cluster.requests().writes(request -> "operated".equals(request.fieldManager())
        && request.path().contains("/deployments/")))
        .as("once the label is back, a reconcile writes the Deployment no more").isEmpty();
    assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).hasSize(1);
  }

  /** A Deployment someone else made under the same name is left alone and named in the status. */
  @Test
  void aForeignDeploymentOfTheSameNameIsLeftAloneAndReported() throws IOException {
    client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
        .withNewMetadata().withName(NAME).endMetadata()
        .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", "theirs")
          .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "theirs")
          .endMetadata().withNewSpec().addNewContainer().withName("theirs").withImage("theirs:1")
          .endContainer().endSpec().endTemplate().endSpec().build()).create();

    applySample(null);

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(ready()).isNotNull();
      assertThat(ready().getReason()).isEqualTo("ApplyFailed");
      assertThat(ready().getMessage()).contains("Deployment shop/sample-service already exists "
          + "and was not created for this OperatedService");
    });
    assertThat(deployment().getSpec().getTemplate().getSpec().getContainers())
        .extracting(container -> container.getName()).containsExactly("theirs");
  }

  @Test
  void deletingTheServiceRemovesEverythingItCreated() throws IOException {
    applySample(null);
    awaitReady();
    assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(2);

    client.resources(OperatedService.class).inNamespace(NS).withName(NAME).delete();

    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(deployment()).isNull();
      assertThat(client.services().inNamespace(NS).list().getItems()).isEmpty();
      assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems())
          .isEmpty();
      assertThat(client.apps().replicaSets().inNamespace(NS).list().getItems()).isEmpty();
      assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
      assertThat(client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
    });
  }

}
