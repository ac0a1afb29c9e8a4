package dev.operated.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives the generated CRD's lists of objects the list type Kubernetes declares for the types
 * they pass through: {@code x-kubernetes-list-type: map} keyed as upstream keys them. fabric8's
 * generator writes none, and a list without one is atomic: whoever applies it owns it whole, so
 * {@code kubectl apply --server-side} of a manifest took away an environment variable another
 * field manager had added, and a duplicate name was refused only by the operator, after the
 * object was stored. Keyed, each manager owns its own entries (structured-merge-diff's
 * associative lists) and the API server refuses a repeated key at the request
 * ({@code ValidateListSetsAndMaps}). A key must be required in a structural schema, so it is
 * made so. The status's conditions are keyed by type, as every upstream status's are: a condition
 * another writer adds (a policy controller, a person's {@code kubectl apply --subresource=status})
 * is kept beside the operator's three, and two conditions of one type are refused. Runs in the
 * build after {@link PrinterColumnOrder} (operator/pom.xml).
 */
public final class AssociativeLists {

  /** One list and the key fields its entries are told apart by. */
  public record Keyed(String path, List<String> keys, String declaredBy) {
  }

  public static final List<Keyed> LISTS = List.of(
      new Keyed("spec.env", List.of("name"),
          "k8s.io/api/core/v1 Container.Env: +listType=map +listMapKey=name"),
      new Keyed("spec.resources.claims", List.of("name"),
          "k8s.io/api/core/v1 ResourceRequirements.Claims: +listType=map +listMapKey=name"),
      new Keyed("spec.telemetry.collector.resources.claims", List.of("name"),
          "k8s.io/api/core/v1 ResourceRequirements.Claims: +listType=map +listMapKey=name"),
      new Keyed("status.conditions", List.of("type"),
          "k8s.io/api/apps/v1 DeploymentStatus.Conditions: +listType=map +listMapKey=type"));

  private AssociativeLists() {
  }

  /** @param args the generated CRD file, rewritten in place */
  public static void main(String[] args) throws IOException {
    GeneratedCrdFile.rewrite(Path.of(args[0]), crd -> crd.getSpec().getVersions()
        .forEach(version -> mark(version.getSchema().getOpenAPIV3Schema())));
  }

  static void mark(JSONSchemaProps root) {
    for (Keyed list : LISTS) {
      JSONSchemaProps array = root;
      for (String name : list.path().split("\\.")) {
        array = array.getProperties() == null ? null : array.getProperties().get(name);
        if (array == null) {
          throw new IllegalStateException(list.path() + " is not in the generated CRD: "
              + "correct AssociativeLists.LISTS");
        }
      }
      array.setXKubernetesListType("map");
      array.setXKubernetesListMapKeys(list.keys());
      JSONSchemaProps item = array.getItems().getSchema();
      List<String> required = new ArrayList<>(item.getRequired() == null ? List.of()
          : item.getRequired());
      list.keys().stream().filter(key -> !required.contains(key)).forEach(required::add);
      item.setRequired(required);
    }
  }
}
