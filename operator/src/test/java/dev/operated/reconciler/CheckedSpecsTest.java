package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A spec is checked again exactly when its uid, generation or the cluster facts change. */
class CheckedSpecsTest {

  private static final ClusterFacts FACTS =
      new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of());

  private final List<String> checks = new ArrayList<>();
  private final CheckedSpecs checked = new CheckedSpecs((resource, facts, rendered) -> {
    checks.add(resource.getMetadata().getUid() + "@" + resource.getMetadata().getGeneration());
    return List.of(new SpecProblem("spec.image", "check " + checks.size()));
  });

  private List<SpecProblem> problems(OperatedService resource, ClusterFacts facts) {
    return checked.problems(resource, facts, deployment -> { });
  }

  private static OperatedService service(String uid, Long generation) {
    OperatedService resource = new OperatedService();
    resource.getMetadata().setName("svc");
    resource.getMetadata().setNamespace("team");
    resource.getMetadata().setUid(uid);
    resource.getMetadata().setGeneration(generation);
    return resource;
  }

  @Test
  void theSameGenerationUnderTheSameFactsIsCheckedOnce() {
    List<SpecProblem> first = problems(service("uid-1", 3L), FACTS);
    // a reconcile for a pod or Deployment event: a new object from the cache, same generation
    List<SpecProblem> again = problems(service("uid-1", 3L),
        new ClusterFacts(KubernetesVersion.parse("1.33"), false, Map.of()));

    assertThat(again).isEqualTo(first);
    assertThat(checks).containsExactly("uid-1@3");
  }

  @Test
  void aNewGenerationIsCheckedAgain() {
    problems(service("uid-1", 3L), FACTS);
    List<SpecProblem> edited = problems(service("uid-1", 4L), FACTS);

    assertThat(checks).containsExactly("uid-1@3", "uid-1@4");
    assertThat(edited).extracting(SpecProblem::message).containsExactly("check 2");
  }

  @Test
  void changedClusterFactsAreCheckedAgain() {
    problems(service("uid-1", 3L), FACTS);
    // the namespace turned on Istio injection: the same spec may now break the mesh's rules
    problems(service("uid-1", 3L), FACTS.withNamespace(
        Map.of("istio-injection", "enabled"), Map.of()));
    problems(service("uid-1", 3L), new ClusterFacts(KubernetesVersion.parse("1.28"),
        false, Map.of()));

    assertThat(checks).hasSize(3);
  }

  @Test
  void anotherObjectOfTheSameNameIsCheckedOnItsOwn() {
    problems(service("uid-1", 1L), FACTS);
    // deleted and created again: a new uid at generation 1
    problems(service("uid-2", 1L), FACTS);

    assertThat(checks).containsExactly("uid-1@1", "uid-2@1");
  }

  @Test
  void anObjectWithoutUidOrGenerationIsAlwaysChecked() {
    problems(service(null, 1L), FACTS);
    problems(service(null, 1L), FACTS);
    problems(service("uid-1", null), FACTS);
    problems(service("uid-1", null), FACTS);

    assertThat(checks).hasSize(4);
  }

  /** What the check built goes on from the call that ran it; a remembered answer has none. */
  @Test
  void onlyTheCallThatChecksHandsTheBuiltDeploymentOn() {
    List<Deployment> handedOn = new ArrayList<>();
    CheckedSpecs building = new CheckedSpecs((resource, facts, rendered) -> {
      rendered.accept(new DeploymentBuilder().withNewMetadata()
          .withName(resource.getMetadata().getName()).endMetadata().build());
      return List.of();
    });

    building.problems(service("uid-1", 3L), FACTS, handedOn::add);
    building.problems(service("uid-1", 3L), FACTS, handedOn::add);

    assertThat(handedOn).hasSize(1);
  }
}
