package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredDeployment;
import dev.operated.desired.DesiredDigest;
import dev.operated.desired.DesiredService;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The comparison that decides whether a dependent is applied again, on the objects the operator
 * builds and as an API server stores them: defaulted and foreign fields added, its own fields
 * changed. The end-to-end counterpart (no write once quiet, on the embedded API server's real
 * server-side apply and defaulting) is in the e2e suites' write budgets.
 */
class AppliedStateTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final ClusterFacts FACTS =
      new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of());

  private final OperatedService service = service("""
      {image: "shop:1", replicas: 2,
       resources: {requests: {cpu: "0.5", memory: 256Mi}, limits: {memory: 1024Mi}}}""");
  private final Deployment desired = DesiredDigest.stamped(
      DesiredDeployment.build(service, FACTS));

  @Test
  void whatTheApiServerAddsIsNotDrift() {
    Deployment stored = storedAsAnApiServerWould(desired);

    assertThat(AppliedState.firstDifference(stored, desired)).isEmpty();
  }

  @Test
  void quantitiesInTheirCanonicalFormAreTheSameAmount() {
    Deployment stored = storedAsAnApiServerWould(desired);
    Map<String, Quantity> requests = app(stored).getResources().getRequests();
    assertThat(requests.get("cpu")).as("the spec's quantity as built").hasToString("0.5");
    requests.put("cpu", new Quantity("500m"));
    app(stored).getResources().getLimits().put("memory", new Quantity("1Gi"));

    assertThat(AppliedState.firstDifference(stored, desired)).isEmpty();

    requests.put("cpu", new Quantity("600m"));
    assertThat(AppliedState.firstDifference(stored, desired)).isPresent();
  }

  @Test
  void aQuantityLookalikeOutsideRequestsAndLimitsIsComparedAsText() {
    Deployment withEnv = copy(desired);
    app(withEnv).getEnv().add(new EnvVarBuilder().withName("RATIO").withValue("0.5").build());
    Deployment stored = storedAsAnApiServerWould(withEnv);
    app(stored).getEnv().stream().filter(env -> env.getName().equals("RATIO")).findFirst()
        .orElseThrow().setValue("500m");

    assertThat(AppliedState.firstDifference(stored, withEnv)).isPresent();
  }

  @Test
  void aChangedOrRemovedFieldOfOursIsDrift() {
    Deployment scaled = storedAsAnApiServerWould(desired);
    scaled.getSpec().setReplicas(5);
    Deployment unlabelled = storedAsAnApiServerWould(desired);
    unlabelled.getMetadata().getLabels().remove("app.kubernetes.io/managed-by");
    Deployment envChanged = storedAsAnApiServerWould(desired);
    app(envChanged).getEnv().stream().filter(env -> env.getName().equals("OTEL_SERVICE_NAME"))
        .findFirst().orElseThrow().setValue("changed");
    Deployment probeRemoved = storedAsAnApiServerWould(desired);
    app(probeRemoved).setReadinessProbe(null);

    assertThat(AppliedState.firstDifference(scaled, desired)).hasValue(".spec.replicas");
    assertThat(AppliedState.firstDifference(unlabelled, desired))
        .hasValue(".metadata.labels.app.kubernetes.io/managed-by");
    assertThat(AppliedState.firstDifference(envChanged, desired))
        .hasValueSatisfying(path -> assertThat(path).contains("containers[0].env["));
    assertThat(AppliedState.firstDifference(probeRemoved, desired))
        .hasValue(".spec.template.spec.containers[0].readinessProbe");
  }

  @Test
  void aFieldWeStoppedSettingIsFoundByTheDigest() {
    Deployment before = copy(desired);
    before.getSpec().getTemplate().getMetadata().getLabels().put("tier", "web");
    Deployment stored = storedAsAnApiServerWould(DesiredDigest.stamped(before));

    assertThat(AppliedState.firstDifference(stored, desired))
        .hasValue(".metadata.annotations." + DesiredDigest.ANNOTATION);

    Deployment undigested = copy(desired);
    undigested.getMetadata().getAnnotations().remove(DesiredDigest.ANNOTATION);
    stored.getMetadata().getAnnotations().remove(DesiredDigest.ANNOTATION);
    assertThat(AppliedState.firstDifference(stored, undigested))
        .as("every field still set is there: only the digest tells the label is no longer ours")
        .isEmpty();
  }

  @Test
  void keyedItemsInAnotherOrderStillHold() {
    Service desiredService = DesiredDigest.stamped(DesiredService.build(service));
    desiredService.getSpec().getPorts().add(new ServicePortBuilder().withName("metrics").withPort(9100)
        .build());
    Service stored = storedAsAnApiServerWould(desiredService);
    Collections.reverse(stored.getSpec().getPorts());
    Deployment reordered = storedAsAnApiServerWould(desired);
    Collections.reverse(app(reordered).getEnv());

    assertThat(AppliedState.firstDifference(stored, desiredService)).isEmpty();
    assertThat(AppliedState.firstDifference(reordered, desired)).isEmpty();
  }

  @Test
  void anItemAddedToAListWeSetIsDriftAndAListOfScalarsKeepsItsOrder() {
    Deployment addedPort = storedAsAnApiServerWould(desired);
    app(addedPort).getPorts().add(new ContainerPortBuilder().withName("debug")
        .withContainerPort(9999).build());
    Deployment toleration = copy(desired);
    toleration.getSpec().getTemplate().getSpec().setTolerations(
        new java.util.ArrayList<>(List.of(toleration("gpu"))));
    Deployment addedToleration = storedAsAnApiServerWould(toleration);
    addedToleration.getSpec().getTemplate().getSpec().getTolerations()
        .add(toleration("spot"));
    Deployment withArgs = copy(desired);
    app(withArgs).setArgs(List.of("--a", "--b"));
    Deployment swappedArgs = storedAsAnApiServerWould(withArgs);
    app(swappedArgs).setArgs(List.of("--b", "--a"));

    assertThat(AppliedState.firstDifference(addedPort, desired)).isPresent();
    assertThat(AppliedState.firstDifference(addedToleration, toleration)).isPresent();
    assertThat(AppliedState.firstDifference(swappedArgs, withArgs)).isPresent();
  }

  @Test
  void anObjectFromBeforeTheDigestIsAppliedOnceToCarryIt() {
    Deployment stored = storedAsAnApiServerWould(desired);
    stored.getMetadata().getAnnotations().remove(DesiredDigest.ANNOTATION);

    assertThat(AppliedState.firstDifference(stored, desired)).isPresent();
  }

  @Test
  void theDigestIsTheSameForTheSameSpecAndIgnoresItsOwnAnnotation() {
    Deployment again = DesiredDigest.stamped(DesiredDeployment.build(service, FACTS));
    Deployment restamped = DesiredDigest.stamped(copy(desired));

    assertThat(again.getMetadata().getAnnotations().get(DesiredDigest.ANNOTATION))
        .isEqualTo(desired.getMetadata().getAnnotations().get(DesiredDigest.ANNOTATION))
        .isEqualTo(restamped.getMetadata().getAnnotations().get(DesiredDigest.ANNOTATION));
  }

  @Test
  void theDigestDoesNotDependOnTheOrderItsMapsWereFilledIn() {
    Deployment reordered = copy(desired);
    reordered.getMetadata().getAnnotations().remove(DesiredDigest.ANNOTATION);
    Map<String, String> labels = new TreeMap<String, String>(Comparator.reverseOrder());
    labels.putAll(reordered.getMetadata().getLabels());
    reordered.getMetadata().setLabels(new LinkedHashMap<>(labels));
    assertThat(List.copyOf(reordered.getMetadata().getLabels().keySet())).as("filled in another order")
        .isNotEqualTo(List.copyOf(desired.getMetadata().getLabels().keySet()));

    assertThat(DesiredDigest.stamped(reordered).getMetadata().getAnnotations()
        .get(DesiredDigest.ANNOTATION))
        .isEqualTo(desired.getMetadata().getAnnotations().get(DesiredDigest.ANNOTATION));
  }

  /**
   * The object as a 1.33 API server returns it after the apply: identity and status added, and
   * the fields its defaulting fills in (SetDefaults_Container, SetDefaults_Probe,
   * SetDefaults_PodSpec, SetDefaults_Deployment in pkg/apis/{core,apps}/v1/defaults.go), plus a
   * label another manager set.
   */
  private static <T> T storedAsAnApiServerWould(T desired) {
    T stored = copy(desired);
    if (stored instanceof Deployment deployment) {
      deployment.getMetadata().setUid("0f4c-uid");
      deployment.getMetadata().setResourceVersion("4711");
      deployment.getMetadata().setGeneration(1L);
      deployment.getMetadata().setCreationTimestamp("2026-11-30T15:00:00Z");
      deployment.getMetadata().getLabels().put("team", "orders");
      deployment.getSpec().setRevisionHistoryLimit(10);
      deployment.getSpec().setProgressDeadlineSeconds(600);
      deployment.getSpec().getTemplate().getSpec().setDnsPolicy("ClusterFirst");
      deployment.getSpec().getTemplate().getSpec().setSchedulerName("default-scheduler");
      // defaulting fills only what is unset
      for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
        container.setTerminationMessagePath("/dev/termination-log");
        if (container.getImagePullPolicy() == null) {
          container.setImagePullPolicy("IfNotPresent");
        }
        container.getPorts().stream().filter(port -> port.getProtocol() == null)
            .forEach(port -> port.setProtocol("TCP"));
        Probe probe = container.getReadinessProbe();
        if (probe != null && probe.getTimeoutSeconds() == null) {
          probe.setTimeoutSeconds(1);
        }
        if (probe != null && probe.getHttpGet() != null && probe.getHttpGet().getScheme() == null) {
          probe.getHttpGet().setScheme("HTTP");
        }
      }
      deployment.setStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(2)
          .withAvailableReplicas(2).withObservedGeneration(1L).build());
    }
    if (stored instanceof Service svc) {
      svc.getMetadata().setUid("1a2b-uid");
      svc.getSpec().setClusterIP("10.96.0.17");
      svc.getSpec().setClusterIPs(List.of("10.96.0.17"));
      svc.getSpec().setSessionAffinity("None");
      svc.getSpec().getPorts().stream().filter(port -> port.getProtocol() == null)
          .forEach(port -> port.setProtocol("TCP"));
    }
    return stored;
  }

  private static Toleration toleration(String key) {
    return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoSchedule")
        .build();
  }

  private static Container app(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @SuppressWarnings("unchecked")
  private static <T> T copy(T object) {
    return (T) JSON.unmarshal(JSON.asJson(object), object.getClass());
  }

  private static OperatedService service(String spec) {
    try {
      return new OperatedService("shop", "orders", new ObjectMapper(new YAMLFactory())
          .readValue(spec, OperatedServiceSpec.class));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
