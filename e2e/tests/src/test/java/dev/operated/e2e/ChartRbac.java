package dev.operated.e2e;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operator's ServiceAccount and RBAC exactly as the chart renders them (a real Helm,
 * helm-java), to be applied to a cluster as {@code helm install} would apply them.
 */
record ChartRbac(List<HasMetadata> objects) {

  static final Path CHART = Examples.REPO.resolve("helm/operated");
  static final String RELEASE = "operated";
  private static final Set<Class<?>> RBAC_KINDS = Set.of(ServiceAccount.class, Role.class,
      RoleBinding.class, ClusterRole.class, ClusterRoleBinding.class);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** {@code helm template operated helm/operated -n NAMESPACE} with these values. */
  static ChartRbac render(String namespace, Map<String, Object> values) {
    String stream;
    try {
      Path valuesFile = Files.createTempFile("values-", ".yaml");
      try {
        YAML.writeValue(valuesFile.toFile(), values);
        stream = new Helm(CHART).template().withName(RELEASE).withNamespace(namespace)
            .withKubeVersion("1.33.0").withValuesFile(valuesFile).skipCrds().call();
      } finally {
        Files.deleteIfExists(valuesFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> documents =
        YAML.readerFor(Map.class).readValues(stream)) {
      while (documents.hasNext()) {
        Map<String, Object> document = documents.next();
        if (document == null || document.isEmpty()) {
          continue;
        }
        HasMetadata object = Serialization.unmarshal(Serialization.asJson(document));
        if (RBAC_KINDS.contains(object.getClass())) {
          objects.add(object);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ChartRbac(objects);
  }

  String serviceAccountName() {
    return objects.stream().filter(ServiceAccount.class::isInstance).findFirst()
        .orElseThrow(() -> new AssertionError("the chart renders no ServiceAccount"))
        .getMetadata().getName();
  }

  /** Created by an admin, in the namespaces the chart names (which must exist). */
  void applyTo(KubernetesClient admin) {
    for (HasMetadata object : objects) {
      admin.resource(object).fieldManager("helm").forceConflicts().serverSideApply();
    }
  }
}
