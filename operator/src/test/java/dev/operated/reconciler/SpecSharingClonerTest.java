package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OperatedServiceStatus;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The copy each reconcile gets shares the cached spec and status (records nothing changes) and
 * has metadata of its own, which is all JOSDK changes on it.
 */
class SpecSharingClonerTest {

  private final SpecSharingCloner cloner = new SpecSharingCloner(new KubernetesSerialization());

  @Test
  void anOperatedServiceIsCopiedWithItsOwnMetadataAndTheSameSpecAndStatus() {
    OperatedService cached = new OperatedService("shop", "orders",
        OperatedServiceSpec.ofImage("orders:1"));
    cached.getMetadata().setResourceVersion("41");
    cached.getMetadata().setGeneration(3L);
    cached.getMetadata().setLabels(Map.of("team", "shop"));
    cached.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
        .withApiVersion("v1").withKind("ConfigMap").withName("owner").withUid("u1").build()));
    cached.getMetadata().setAdditionalProperty("someFutureField", "kept");
    cached.setStatus(new OperatedServiceStatus(2L, 2, 1, 2, 1, "1/2", List.of()));

    OperatedService copy = cloner.clone(cached);

    assertThat(copy).isEqualTo(cached).isNotSameAs(cached);
    assertThat(copy.getSpec()).isSameAs(cached.getSpec());
    assertThat(copy.getStatus()).isSameAs(cached.getStatus());
    assertThat(copy.getMetadata()).isNotSameAs(cached.getMetadata());
    assertThat(copy.getMetadata().getAdditionalProperties())
        .containsEntry("someFutureField", "kept");

    // what JOSDK does to the copy around a status update without server-side apply
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().getOwnerReferences().get(0).setName("changed");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("41");
    assertThat(cached.getMetadata().getOwnerReferences().get(0).getName()).isEqualTo("owner");
  }

  @Test
  void anyOtherObjectIsCopiedWhole() {
    Deployment cached = new DeploymentBuilder().withNewMetadata().withName("orders").endMetadata()
        .withNewSpec().withReplicas(2).endSpec().build();

    Deployment copy = cloner.clone(cached);

    assertThat(copy).isEqualTo(cached);
    assertThat(copy.getSpec()).isNotSameAs(cached.getSpec());
  }
}
