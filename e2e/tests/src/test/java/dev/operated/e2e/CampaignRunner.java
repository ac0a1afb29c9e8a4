package dev.operated.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.api.OperatedService;
import dev.operated.cluster.ApiRequest;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.RequestFaults;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorDefaults;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import dev.operated.reconciler.OperatedOperator;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorSettings;
import dev.operated.validation.OperatedServiceValidator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Runs campaign steps on one embedded cluster with the operator in its production configuration
 * (server-side apply, the CRD's schema and CEL rules enforced at admission), and checks the
 * oracles after each step:
 * (1) the owned objects equal {@code render} for the spec and the cluster facts;
 * (2) an invalid spec, refused at admission or by the operator's validator, leaves the running
 * objects' resourceVersions unchanged, and the API error or the status names the bad fields;
 * (3) {@code observedGeneration} catches up;
 * (4) the same spec applied once on a fresh cluster gives the same objects (sampled);
 * (5) going back to an earlier spec restores that spec's objects;
 * (6) the writes stop: within a bound there is a quiet window with no write by anyone but the
 * user.
 */
final class CampaignRunner implements AutoCloseable {

  static final String NAME = "campaign";
  static final String USER_AGENT = "campaign-user";
  static final String OPERATOR_AGENT = "campaign-operator";
  private static final ResourceDefinitionContext OPERATED_SERVICES =
      new ResourceDefinitionContext.Builder().withGroup("operated.dev").withVersion("v1alpha1")
          .withKind("OperatedService").withPlural("operatedservices").withNamespaced(true)
          .build();
  private static final ResourceDefinitionContext SERVICE_MONITORS =
      new ResourceDefinitionContext.Builder().withGroup("monitoring.coreos.com")
          .withVersion("v1").withKind("ServiceMonitor").withPlural("servicemonitors")
          .withNamespaced(true).build();

  /** How the cluster is set up and how long the oracles wait. */
  record Settings(String kubernetesVersion, boolean prometheusOperator, Duration timeout,
      Duration quietWindow, Duration quietBound) {

    static Settings standard(String kubernetesVersion, boolean prometheusOperator) {
      return new Settings(kubernetesVersion, prometheusOperator, Duration.ofSeconds(30),
          Duration.ofSeconds(1), Duration.ofSeconds(30));
    }
  }

  enum Outcome { REFUSED_AT_ADMISSION, REFUSED_BY_THE_VALIDATOR, APPLIED }

  record StepResult(Outcome outcome, List<String> violations) {
  }

  private final Settings settings;
  private final Instance main;
  private Instance reference;
  private final Map<Integer, Map<String, JsonNode>> objectsAfterStep = new HashMap<>();
  private CampaignChanges.NamespaceFacts currentFacts = CampaignChanges.NamespaceFacts.NONE;

  CampaignRunner(Settings settings) {
    this.settings = settings;
    this.main = new Instance(settings);
  }

  /** The cluster facts the operator sees for a namespace with these labels and annotations. */
  ClusterFacts facts(CampaignChanges.NamespaceFacts namespace) {
    return new ClusterFacts(KubernetesVersion.parse(settings.kubernetesVersion()),
        settings.prometheusOperator(), namespace.labels(), namespace.annotations(),
        CollectorDefaults.standard());
  }

  /** A namespace of its own for a trial, so that every trial starts from nothing. */
  void beginTrial(String namespace) {
    objectsAfterStep.clear();
    currentFacts = CampaignChanges.NamespaceFacts.NONE;
    main.createNamespace(namespace, currentFacts);
  }

  /** The service deleted at the end of a trial: its pods go and later trials stay light. */
  void endTrial(String namespace) {
    main.user.genericKubernetesResources(OPERATED_SERVICES).inNamespace(namespace).withName(NAME)
        .delete();
  }

  StepResult run(String namespace, int index, CampaignRecord.Step step) {
    List<String> violations = new ArrayList<>();
    boolean factsChange = !step.namespaceFacts().equals(currentFacts);
    if (factsChange) {
      main.setNamespaceFacts(namespace, step.namespaceFacts());
      currentFacts = step.namespaceFacts();
    }
    ClusterFacts facts = facts(currentFacts);
    Map<String, String> versionsBefore = CampaignOracles.resourceVersions(main.owned(namespace));
    main.cluster.requests().clear();
    RequestFaults.Rule fault = step.refusedOperatorWrites() > 0
        ? main.cluster.faults().times(step.refusedOperatorWrites(),
            RequestFaults.from(OPERATOR_AGENT).and(ApiRequest::mutating),
            RequestFaults.Fault.unavailable())
        : null;
    try {
      GenericKubernetesResource applied;
      try {
        applied = main.apply(namespace, step.spec());
      } catch (KubernetesClientException refused) {
        String message = refused.getStatus() == null ? null : refused.getStatus().getMessage();
        if (refused.getCode() == 422) {
          List<StatusCause> causes = refused.getStatus() == null
              || refused.getStatus().getDetails() == null ? List.of()
              : refused.getStatus().getDetails().getCauses();
          violations.addAll(CampaignOracles.refusalNamesTheField(step.field(), causes));
        } else if (CampaignOracles.isTypedPatchRefusal(refused.getCode(), message)) {
          // an applied list repeating a key: kube-apiserver's field manager refuses it before
          // the CRD's validation would (a 500 without causes, the field in the message)
          violations.addAll(CampaignOracles.typedPatchRefusalNamesTheField(step.field(), message));
        } else {
          violations.add("the apply failed with " + refused.getCode() + ": "
              + refused.getMessage());
          return new StepResult(Outcome.REFUSED_AT_ADMISSION, violations);
        }
        violations.addAll(quiet(namespace));
        if (!factsChange) {
          violations.addAll(CampaignOracles.resourceVersionsUnchanged(versionsBefore,
              CampaignOracles.resourceVersions(main.owned(namespace))));
        }
        return new StepResult(Outcome.REFUSED_AT_ADMISSION, violations);
      }
      long generation = applied.getMetadata().getGeneration();
      String uid = applied.getMetadata().getUid();
      OperatedServiceValidator.Validation validation = OperatedServiceValidator.check(
          document(namespace, step.spec()), facts);
      Outcome outcome;
      if (validation.valid()) {
        outcome = Outcome.APPLIED;
        List<HasMetadata> rendered = DesiredState.of(validation.resource().orElseThrow(), facts);
        violations.addAll(awaitHolds(() -> {
          List<String> found = new ArrayList<>(main.generationCaughtUp(namespace, generation));
          found.addAll(CampaignOracles.ownedEqualRendered(rendered, main.owned(namespace), uid));
          return found;
        }));
      } else {
        outcome = Outcome.REFUSED_BY_THE_VALIDATOR;
        violations.addAll(awaitHolds(() -> {
          List<String> found = new ArrayList<>(main.generationCaughtUp(namespace, generation));
          OperatedService resource = main.service(namespace);
          Optional<io.fabric8.kubernetes.api.model.Condition> ready = resource == null
              || resource.getStatus() == null ? Optional.empty()
              : resource.getStatus().condition("Ready");
          found.addAll(CampaignOracles.statusNamesEveryProblem(
              ready.map(io.fabric8.kubernetes.api.model.Condition::getReason).orElse(null),
              ready.map(io.fabric8.kubernetes.api.model.Condition::getMessage).orElse(null),
              validation.problems()));
          return found;
        }));
      }
      violations.addAll(quiet(namespace));
      if (outcome == Outcome.REFUSED_BY_THE_VALIDATOR && !factsChange) {
        violations.addAll(CampaignOracles.resourceVersionsUnchanged(versionsBefore,
            CampaignOracles.resourceVersions(main.owned(namespace))));
      }
      boolean replicasInSpec = step.spec().has("replicas");
      if (outcome == Outcome.APPLIED) {
        Map<String, JsonNode> objects = CampaignOracles.snapshot(main.owned(namespace), true);
        objectsAfterStep.put(index, objects);
        if (step.rollbackTo() != null && objectsAfterStep.containsKey(step.rollbackTo())) {
          violations.addAll(CampaignOracles.sameObjects("rollback to step " + step.rollbackTo(),
              objectsAfterStep.get(step.rollbackTo()), objects));
        }
        if (step.freshClusterCheck()) {
          violations.addAll(freshClusterCheck(namespace, step, replicasInSpec));
        }
      }
      return new StepResult(outcome, violations);
    } finally {
      if (fault != null) {
        fault.lift();
      }
    }
  }

  /**
   * Oracle 4: the same spec applied once, in a namespace of the same name, on a second cluster
   * that never saw that namespace (started on the first check, and again when a namespace is
   * checked twice), with its own operator.
   */
  private List<String> freshClusterCheck(String namespace, CampaignRecord.Step step,
      boolean replicasInSpec) {
    if (reference != null && reference.user.namespaces().withName(namespace).get() != null) {
      reference.close();
      reference = null;
    }
    if (reference == null) {
      reference = new Instance(settings);
    }
    Instance fresh = reference;
    fresh.createNamespace(namespace, currentFacts);
    GenericKubernetesResource applied = fresh.apply(namespace, step.spec());
    long generation = applied.getMetadata().getGeneration();
    Map<String, JsonNode> expected = CampaignOracles.snapshot(main.owned(namespace),
        replicasInSpec);
    List<String> violations = awaitHolds(() -> {
      List<String> found = new ArrayList<>(fresh.generationCaughtUp(namespace, generation));
      found.addAll(CampaignOracles.sameObjects("on a fresh cluster", expected,
          CampaignOracles.snapshot(fresh.owned(namespace), replicasInSpec)));
      return found;
    });
    fresh.user.genericKubernetesResources(OPERATED_SERVICES).inNamespace(namespace)
        .withName(NAME).delete();
    return violations;
  }

  /**
   * Oracle 6: within the bound the Deployment's rollout is complete and then there is a window
   * with no write by any client but the user: the operator is done, and nothing writes in a
   * loop. (The built-in controllers write inside the API server, not through the request log;
   * the finished rollout says they are done.)
   */
  private List<String> quiet(String namespace) {
    Duration window = settings.quietWindow();
    // A thousand replicas (the schema's maximum) take the controllers a while to start.
    Duration bound = settings.quietBound().plusMillis(150L * main.wantedReplicas(namespace));
    try {
      await().atMost(bound).pollInterval(Duration.ofMillis(100))
          .until(() -> main.rolledOut(namespace)
              && lastWrite().map(at -> at.plus(window).isBefore(Instant.now())).orElse(true));
      return List.of();
    } catch (ConditionTimeoutException e) {
      List<ApiRequest> writes = main.cluster.requests().writes(request ->
          !USER_AGENT.equals(request.userAgent()));
      return List.of("no quiet window of " + window.toMillis() + " ms within "
          + bound.toSeconds() + " s (or the rollout never completed): " + writes.size() + " writes, the last "
          + writes.subList(Math.max(0, writes.size() - 5), writes.size()));
    }
  }

  private Optional<Instant> lastWrite() {
    List<ApiRequest> writes = main.cluster.requests().writes(request ->
        !USER_AGENT.equals(request.userAgent()));
    return writes.isEmpty() ? Optional.empty()
        : Optional.of(writes.get(writes.size() - 1).at());
  }

  /** Waits until the check finds nothing; what it still finds at the timeout is returned. */
  private List<String> awaitHolds(Supplier<List<String>> check) {
    List<List<String>> last = new ArrayList<>(List.of(List.of()));
    try {
      await().atMost(settings.timeout()).pollInterval(Duration.ofMillis(200))
          .ignoreExceptionsInstanceOf(KubernetesClientException.class)
          .until(() -> {
            last.set(0, check.get());
            return last.get(0).isEmpty();
          });
      return List.of();
    } catch (ConditionTimeoutException e) {
      List<String> found = new ArrayList<>(last.get(0));
      found.add(0, "after " + settings.timeout().toSeconds() + " s:");
      return found;
    }
  }

  /** The object as a file holds it and render reads it. */
  static ObjectNode document(String namespace, ObjectNode spec) {
    ObjectNode document = Serialization.jsonMapper().createObjectNode();
    document.put("apiVersion", "operated.dev/v1alpha1");
    document.put("kind", "OperatedService");
    document.putObject("metadata").put("name", NAME).put("namespace", namespace);
    document.set("spec", spec.deepCopy());
    return document;
  }

  @Override
  public void close() {
    if (reference != null) {
      reference.close();
    }
    main.close();
  }

  /** An embedded cluster with the operator running on it and a user's client. */
  private static final class Instance implements AutoCloseable {
    final EmbeddedCluster cluster;
    final KubernetesClient user;
    final KubernetesClient operatorClient;
    final Operator operator;
    final boolean prometheusOperator;

    Instance(Settings settings) {
      cluster = TestClusters.withCrds()
          .kubernetesVersion(settings.kubernetesVersion()).start();
      user = client(USER_AGENT);
      operatorClient = OperatorClient.forConfig(new ConfigBuilder(cluster.config())
          .withUserAgent(OPERATOR_AGENT).build(), OperatorSettings.DEFAULT_WATCH_TRANSPORT);
      prometheusOperator = settings.prometheusOperator();
      if (prometheusOperator) {
        PrometheusOperatorCrd.install(user);
        await().atMost(settings.timeout()).until(() -> user.apiextensions().v1()
            .customResourceDefinitions().withName(PrometheusOperatorCrd.NAME).get() != null);
      }
      operator = OperatedOperator.create(operatorClient, Clock.systemUTC(), configuration -> { });
      operator.start();
    }

    private KubernetesClient client(String userAgent) {
      return new KubernetesClientBuilder().withConfig(new ConfigBuilder(cluster.config())
          .withUserAgent(userAgent).build()).build();
    }

    void createNamespace(String namespace, CampaignChanges.NamespaceFacts facts) {
      user.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
          .withLabels(facts.labels()).withAnnotations(facts.annotations()).endMetadata()
          .build()).create();
    }

    void setNamespaceFacts(String namespace, CampaignChanges.NamespaceFacts facts) {
      user.namespaces().withName(namespace).edit(existing -> new NamespaceBuilder(existing)
          .editMetadata().withLabels(withName(namespace, facts.labels()))
          .withAnnotations(facts.annotations()).endMetadata().build());
    }

    /** The API server labels every namespace with its own name; that label stays. */
    private static Map<String, String> withName(String namespace, Map<String, String> labels) {
      Map<String, String> all = new HashMap<>(labels);
      all.put("kubernetes.io/metadata.name", namespace);
      return all;
    }

    /** What `kubectl apply --server-side --force-conflicts` sends for this spec. */
    GenericKubernetesResource apply(String namespace, ObjectNode spec) {
      GenericKubernetesResource resource = Serialization.jsonMapper().convertValue(
          document(namespace, spec), GenericKubernetesResource.class);
      return user.genericKubernetesResources(OPERATED_SERVICES).inNamespace(namespace)
          .resource(resource).fieldManager("kubectl").forceConflicts().serverSideApply();
    }

    OperatedService service(String namespace) {
      return user.resources(OperatedService.class).inNamespace(namespace).withName(NAME).get();
    }

    List<String> generationCaughtUp(String namespace, long generation) {
      OperatedService resource = service(namespace);
      Long observed = resource == null || resource.getStatus() == null ? null
          : resource.getStatus().observedGeneration();
      return observed != null && observed >= generation ? List.of()
          : List.of("status.observedGeneration is " + observed + ", generation " + generation);
    }

    int wantedReplicas(String namespace) {
      io.fabric8.kubernetes.api.model.apps.Deployment deployment = user.apps().deployments()
          .inNamespace(namespace).withName(NAME).get();
      return deployment == null || deployment.getSpec().getReplicas() == null ? 1
          : deployment.getSpec().getReplicas();
    }

    /** The Deployment's controller is done with it: every replica updated and available. */
    boolean rolledOut(String namespace) {
      io.fabric8.kubernetes.api.model.apps.Deployment deployment = user.apps().deployments()
          .inNamespace(namespace).withName(NAME).get();
      if (deployment == null) {
        return true;
      }
      io.fabric8.kubernetes.api.model.apps.DeploymentStatus status = deployment.getStatus();
      int wanted = deployment.getSpec().getReplicas() == null ? 1
          : deployment.getSpec().getReplicas();
      return status != null && status.getObservedGeneration() != null
          && status.getObservedGeneration() >= deployment.getMetadata().getGeneration()
          && count(status.getUpdatedReplicas()) == wanted && count(status.getReplicas()) == wanted
          && count(status.getAvailableReplicas()) == wanted;
    }

    private static int count(Integer replicas) {
      return replicas == null ? 0 : replicas;
    }

    /** Every object in the namespace owned by an OperatedService, of the kinds it applies. */
    List<HasMetadata> owned(String namespace) {
      Stream<HasMetadata> monitors = prometheusOperator
          ? user.genericKubernetesResources(SERVICE_MONITORS).inNamespace(namespace).list()
              .getItems().stream().map(monitor -> {
                // Items of a list need not carry their kind.
                monitor.setKind("ServiceMonitor");
                monitor.setApiVersion("monitoring.coreos.com/v1");
                return (HasMetadata) monitor;
              })
          : Stream.empty();
      return Stream.of(
          user.apps().deployments().inNamespace(namespace).list().getItems().stream()
              .map(HasMetadata.class::cast),
          user.services().inNamespace(namespace).list().getItems().stream()
              .map(HasMetadata.class::cast),
          user.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems()
              .stream().map(HasMetadata.class::cast),
          user.configMaps().inNamespace(namespace).list().getItems().stream()
              .map(HasMetadata.class::cast),
          monitors)
          .flatMap(objects -> objects)
          .filter(object -> object.getMetadata().getOwnerReferences() != null
              && object.getMetadata().getOwnerReferences().stream()
                  .anyMatch(owner -> "OperatedService".equals(owner.getKind())))
          .toList();
    }

    @Override
    public void close() {
      operator.stop();
      operatorClient.close();
      user.close();
      cluster.close();
    }
  }
}
