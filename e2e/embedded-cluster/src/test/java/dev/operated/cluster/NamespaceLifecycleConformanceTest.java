package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The NamespaceLifecycle admission plugin (plugin/pkg/admission/namespace/lifecycle, its
 * {@code Admit} on create): an object is created only in a namespace that exists. Otherwise the
 * answer is a NotFound naming the namespace, what {@code kubectl create configmap x -n nope}
 * prints as {@code namespaces "nope" not found}, however the object is created.
 */
class NamespaceLifecycleConformanceTest {

  @RegisterExtension
  final ClusterPerTest clusters = new ClusterPerTest(EmbeddedCluster::builder);

  @Test
  void anObjectInANamespaceThatDoesNotExistIsNotCreated() {
    KubernetesClient client = clusters.client();
    ConfigMap configMap = new ConfigMapBuilder().withNewMetadata().withName("settings")
        .withNamespace("nope").endMetadata().addToData("a", "1").build();

    KubernetesClientException created = catchThrowableOfType(KubernetesClientException.class,
        () -> client.configMaps().inNamespace("nope").resource(configMap).create());
    KubernetesClientException applied = catchThrowableOfType(KubernetesClientException.class,
        () -> client.configMaps().inNamespace("nope").resource(configMap)
            .fieldManager("test").serverSideApply());

    for (KubernetesClientException refusal : new KubernetesClientException[] {created, applied}) {
      assertThat(refusal).isNotNull();
      assertThat(refusal.getCode()).isEqualTo(404);
      assertThat(refusal.getStatus().getReason()).isEqualTo("NotFound");
      assertThat(refusal.getStatus().getMessage()).isEqualTo("namespaces \"nope\" not found");
      assertThat(refusal.getStatus().getDetails().getKind()).isEqualTo("namespaces");
    }
    assertThat(client.configMaps().inAnyNamespace().list().getItems())
        .noneMatch(stored -> "settings".equals(stored.getMetadata().getName()));

    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName("nope").endMetadata().build()).create();
    assertThat(client.configMaps().inNamespace("nope").resource(configMap).create()
        .getMetadata().getNamespace()).isEqualTo("nope");
  }
}
