package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The campaign's checker can fail: each oracle is given a deliberately broken observation (a
 * mutated rendered object, a missing one, a left-over one, a status that leaves a field out, a
 * refusal naming another field, a changed resourceVersion) and must report it, and is given the
 * faithful one and must not.
 */
class CampaignOraclesTest {

  private static final String OWNER = "0b5e-owner-uid";
  private static final ClusterFacts FACTS = new ClusterFacts(KubernetesVersion.parse("1.33"),
      true, Map.of());

  private static List<HasMetadata> rendered() {
    OperatedService resource = Examples.load(Examples.FULL);
    resource.getMetadata().setNamespace("oracles");
    return DesiredState.of(resource, FACTS);
  }

  /** The rendered objects as the API server would hand them back: owned, with a version. */
  private static List<HasMetadata> asStored(List<HasMetadata> rendered) {
    List<HasMetadata> stored = new ArrayList<>();
    for (HasMetadata object : rendered) {
      HasMetadata copy = Serialization.clone(object);
      copy.getMetadata().setResourceVersion("7");
      copy.getMetadata().setUid("uid-of-" + object.getMetadata().getName());
      copy.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
          .withApiVersion("operated.dev/v1alpha1").withKind("OperatedService")
          .withName("campaign").withUid(OWNER).withController(true).build()));
      stored.add(copy);
    }
    return stored;
  }

  @Test
  void theObjectsAsRenderedHoldTheOracle() {
    List<HasMetadata> rendered = rendered();

    assertThat(CampaignOracles.ownedEqualRendered(rendered, asStored(rendered), OWNER))
        .isEmpty();
  }

  @Test
  void aMutatedRenderedObjectIsDetected() {
    List<HasMetadata> rendered = rendered();
    List<HasMetadata> live = asStored(rendered);
    Deployment deployment = (Deployment) live.stream()
        .filter(object -> object instanceof Deployment).findFirst().orElseThrow();
    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe()
        .getHttpGet().setPath("/mutated");

    assertThat(CampaignOracles.ownedEqualRendered(rendered, live, OWNER))
        .singleElement().asString()
        .contains("Deployment/sample-service-full differs from render")
        .contains("readinessProbe/httpGet/path: want \"/readyz\", have \"/mutated\"");
  }

  @Test
  void aQuantityIsComparedByValueAsTheApiServerCanonicalisesIt() {
    List<HasMetadata> rendered = rendered();
    List<HasMetadata> canonical = asStored(rendered);
    Deployment deployment = (Deployment) canonical.get(0);
    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
        .getRequests().put("memory", new io.fabric8.kubernetes.api.model.Quantity("0.25Gi"));
    List<HasMetadata> larger = asStored(rendered);
    ((Deployment) larger.get(0)).getSpec().getTemplate().getSpec().getContainers().get(0)
        .getResources().getRequests().put("memory",
            new io.fabric8.kubernetes.api.model.Quantity("257Mi"));

    assertThat(CampaignOracles.ownedEqualRendered(rendered, canonical, OWNER)).isEmpty();
    assertThat(CampaignOracles.ownedEqualRendered(rendered, larger, OWNER)).singleElement()
        .asString().contains("requests/memory: want \"256Mi\", have \"257Mi\"");
  }

  @Test
  void aMissingALeftOverAndASecondOwnerAreDetected() {
    List<HasMetadata> rendered = rendered();
    List<HasMetadata> live = new ArrayList<>(asStored(rendered));
    HasMetadata service = live.stream().filter(object -> "Service".equals(object.getKind()))
        .findFirst().orElseThrow();
    live.remove(service);
    HasMetadata leftOver = Serialization.clone(live.get(0));
    leftOver.getMetadata().setName("left-over");
    live.add(leftOver);
    live.get(0).getMetadata().setOwnerReferences(List.of(
        new OwnerReferenceBuilder().withUid(OWNER).build(),
        new OwnerReferenceBuilder().withUid("an-older-owner").build()));

    assertThat(CampaignOracles.ownedEqualRendered(rendered, live, OWNER))
        .anySatisfy(violation -> assertThat(violation)
            .isEqualTo("Service/sample-service-full is rendered but not in the cluster"))
        .anySatisfy(violation -> assertThat(violation)
            .contains("left-over is still owned by the service but not rendered"))
        .anySatisfy(violation -> assertThat(violation).contains("an-older-owner"));
  }

  @Test
  void aStatusThatLeavesABadFieldOutIsDetected() {
    List<SpecProblem> problems = List.of(new SpecProblem("spec.image", "is not a reference"),
        new SpecProblem("spec.podLabels[team]", "is not a label value"));

    assertThat(CampaignOracles.statusNamesEveryProblem("InvalidSpec",
        "the spec has 2 problem(s):\nspec.image: is not a reference", problems))
        .singleElement().asString().contains("does not name spec.podLabels[team]");
    assertThat(CampaignOracles.statusNamesEveryProblem("Available", "all good", problems))
        .singleElement().asString().contains("not InvalidSpec");
    assertThat(CampaignOracles.statusNamesEveryProblem("InvalidSpec",
        "spec.image: is not a reference\nspec.podLabels[team]: is not a label value", problems))
        .isEmpty();
  }

  @Test
  void aRefusalNamingAnotherFieldIsDetected() {
    assertThat(CampaignOracles.refusalNamesTheField("spec.podLabels[a/b]", List.of(
        new StatusCauseBuilder().withField("spec.port").withMessage("too big").build())))
        .singleElement().asString().contains("does not name spec.podLabels[a/b]");
    // The API server writes a map key with a dot, the operator in brackets: the same field.
    assertThat(CampaignOracles.refusalNamesTheField("spec.podLabels[a/b]", List.of(
        new StatusCauseBuilder().withField("spec.podLabels.a/b").withMessage("bad").build())))
        .isEmpty();
  }

  @Test
  void anApplyTheFieldManagerCouldNotTypeNamesTheFieldInItsMessage() {
    String one = "failed to create typed patch object (ns/campaign; operated.dev/v1alpha1, "
        + "Kind=OperatedService): .spec.env: duplicate entries for key [name=\"GREETING\"]";
    assertThat(CampaignOracles.isTypedPatchRefusal(500, one)).isTrue();
    assertThat(CampaignOracles.isTypedPatchRefusal(503, one)).isFalse();
    assertThat(CampaignOracles.typedPatchRefusalNamesTheField("spec.env", one)).isEmpty();
    assertThat(CampaignOracles.typedPatchRefusalNamesTheField("spec.env[GREETING]", one))
        .isEmpty();
    assertThat(CampaignOracles.typedPatchRefusalNamesTheField("spec.ports", one))
        .singleElement().asString().contains("does not name spec.ports");

    String two = "failed to create typed patch object (ns/campaign; operated.dev/v1alpha1, "
        + "Kind=OperatedService): errors:\n"
        + "  .spec.env: duplicate entries for key [name=\"A\"]\n"
        + "  .spec.resources.claims: duplicate entries for key [name=\"gpu\"]";
    assertThat(CampaignOracles.typedPatchRefusalNamesTheField("spec.env", two))
        .singleElement().asString().contains("does not name spec.env");
    assertThat(CampaignOracles.typedPatchRefusalNamesTheField("spec", two)).isEmpty();
    assertThat(CampaignOracles.typedPatchRefusalNamesTheField("spec.env",
        "failed to create typed patch object (ns/campaign; v1, Kind=X): something else"))
        .singleElement().asString().contains("names no field");
  }

  @Test
  void aChangedOrNewObjectAfterAnInvalidSpecIsDetected() {
    assertThat(CampaignOracles.resourceVersionsUnchanged(Map.of("Deployment/a", "5"),
        Map.of("Deployment/a", "6", "ConfigMap/b", "7")))
        .containsExactly("Deployment/a changed after an invalid spec: resourceVersion 5 -> 6",
            "ConfigMap/b was created after an invalid spec");
  }

  @Test
  void aRollbackOrFreshClusterWithDifferentObjectsIsDetected() {
    Map<String, JsonNode> before = CampaignOracles.snapshot(asStored(rendered()), true);
    List<HasMetadata> changed = asStored(rendered());
    ((Deployment) changed.get(0)).getSpec().setReplicas(1);

    assertThat(CampaignOracles.sameObjects("rollback", before,
        CampaignOracles.snapshot(changed, true)))
        .singleElement().asString().contains("/spec/replicas: want 3, have 1");
    assertThat(CampaignOracles.sameObjects("rollback", before,
        CampaignOracles.snapshot(asStored(rendered()), true))).isEmpty();
  }
}
