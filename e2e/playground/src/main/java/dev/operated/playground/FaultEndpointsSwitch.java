package dev.operated.playground;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The playground's example, applied as {@code kubectl apply --server-side} applies a manifest,
 * with the sample-service's fault endpoints turned on by a field manager of the playground's
 * own. So the user's next {@code kubectl apply --server-side -f} of the same file owns what the
 * file says and nothing else: the variable stays, and the file applied unchanged changes
 * nothing. Before, the playground applied the variable as {@code kubectl}, and that apply took it
 * away and rolled the pods out without their fault endpoints; and it applied the typed object,
 * whose record fills in every default, so kubectl owned fields the file never set and the real
 * kubectl's apply released them, a new generation. {@code spec.env} is keyed by name
 * (AssociativeLists), so each manager owns its own variables.
 */
final class FaultEndpointsSwitch {

  static final String VARIABLE = "SAMPLE_FAULTS_ENABLED";
  static final String FIELD_MANAGER = "operated-playground";
  private static final String API_VERSION = HasMetadata.getApiVersion(OperatedService.class);
  private static final String KIND = HasMetadata.getKind(OperatedService.class);

  private FaultEndpointsSwitch() {
  }

  /**
   * One generation, three applies: the file with the variable as the playground (what the
   * operator first sees already has it), the file as kubectl (the same values: a co-owner, no
   * change), then the playground's apply of the variable alone, which gives up the rest.
   *
   * @param manifest the file's bytes: one OperatedService, applied as written
   */
  static OperatedService apply(KubernetesClient client, byte[] manifest, String namespace) {
    GenericKubernetesResource asWritten = read(client, manifest, namespace);
    Optional<List<Map<?, ?>>> written = env(asWritten);
    if (written.isEmpty()
        || written.get().stream().anyMatch(entry -> VARIABLE.equals(entry.get("name")))) {
      // the file sets the variable itself, or an env the API server will refuse in its words
      serverSideApply(client, asWritten, LocalCluster.FIELD_MANAGER);
    } else {
      GenericKubernetesResource withVariable = read(client, manifest, namespace);
      List<Object> env = new ArrayList<>(written.get());
      env.add(variable());
      mutableSpec(withVariable).put("env", env);
      serverSideApply(client, withVariable, FIELD_MANAGER);
      serverSideApply(client, asWritten, LocalCluster.FIELD_MANAGER);
      serverSideApply(client, new GenericKubernetesResourceBuilder()
          .withApiVersion(asWritten.getApiVersion()).withKind(asWritten.getKind())
          .withNewMetadata().withName(asWritten.getMetadata().getName())
          .withNamespace(namespace).endMetadata()
          .addToAdditionalProperties("spec", Map.of("env", List.of(variable())))
          .build(), FIELD_MANAGER);
    }
    return client.resources(OperatedService.class).inNamespace(namespace)
        .withName(asWritten.getMetadata().getName()).get();
  }

  /**
   * The file as written: no field the file does not set, no default filled in.
   *
   * @throws IllegalArgumentException when the file is not one named OperatedService
   */
  static GenericKubernetesResource read(KubernetesClient client, byte[] manifest,
      String namespace) {
    GenericKubernetesResource resource;
    try {
      resource = client.getKubernetesSerialization().unmarshal(
          new ByteArrayInputStream(manifest), GenericKubernetesResource.class);
    } catch (RuntimeException e) { // not YAML or JSON, or several documents (a list)
      resource = null;
    }
    if (resource == null || !KIND.equals(resource.getKind())
        || !API_VERSION.equals(resource.getApiVersion())
        || resource.getMetadata() == null || resource.getMetadata().getName() == null) {
      throw new IllegalArgumentException("it is not one " + API_VERSION + " " + KIND
          + " with a metadata.name: give a file holding exactly one");
    }
    resource.getMetadata().setNamespace(namespace);
    return resource;
  }

  private static void serverSideApply(KubernetesClient client, GenericKubernetesResource resource,
      String fieldManager) {
    client.resource(resource).fieldManager(fieldManager).forceConflicts().serverSideApply();
  }

  /** The resource's spec, as a map of its own that changes what the resource will send. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> mutableSpec(GenericKubernetesResource resource) {
    Object spec = resource.getAdditionalProperties().get("spec");
    Map<String, Object> copy = spec instanceof Map<?, ?> map
        ? new LinkedHashMap<>((Map<String, Object>) map) : new LinkedHashMap<>();
    resource.getAdditionalProperties().put("spec", copy);
    return copy;
  }

  /** The file's variables; empty when its env is not a list of objects. */
  @SuppressWarnings("unchecked")
  private static Optional<List<Map<?, ?>>> env(GenericKubernetesResource resource) {
    Object env = resource.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        ? spec.get("env") : null;
    if (env == null) {
      return Optional.of(List.of());
    }
    return env instanceof List<?> list && list.stream().allMatch(Map.class::isInstance)
        ? Optional.of((List<Map<?, ?>>) list) : Optional.empty();
  }

  private static Map<String, Object> variable() {
    return Map.of("name", VARIABLE, "value", "true");
  }
}
