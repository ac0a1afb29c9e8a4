package dev.operated.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * An OperatedService as the API server stores it, untyped: what the validator reads when the
 * typed model could not decode the spec, so each bad field is named. Read only for such objects.
 */
final class StoredObject {

  private StoredObject() {
  }

  static JsonNode read(KubernetesClient client, OperatedService resource) {
    GenericKubernetesResource stored = client
        .genericKubernetesResources(resource.getApiVersion(), resource.getKind())
        .inNamespace(resource.getMetadata().getNamespace())
        .withName(resource.getMetadata().getName()).get();
    return client.getKubernetesSerialization().convertValue(
        stored == null ? resource : stored, JsonNode.class);
  }
}
