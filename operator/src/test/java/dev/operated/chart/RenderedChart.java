package dev.operated.chart;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The chart rendered by the real Helm (helm-java's embedded Go library) with given values. */
record RenderedChart(List<HasMetadata> objects) {

  static final Path CHART = Path.of(System.getProperty("operated.repoRoot", ".."), "helm",
      "operated");
  static final String RELEASE = "operated";
  static final String NAMESPACE = "operators";
  /** The chart's kubeVersion constraint is checked against this, as a cluster's would be. */
  static final String KUBERNETES_VERSION = "1.33.0";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Renders with these values on top of values.yaml; throws what Helm says when it refuses. */
  static RenderedChart render(Map<String, Object> values) {
    return render(RELEASE, values);
  }

  /** Renders as a release of this name. */
  static RenderedChart render(String release, Map<String, Object> values) {
    return new RenderedChart(parse(template(release, values, true)));
  }

  static String template(Map<String, Object> values, boolean skipCrds) {
    return template(RELEASE, values, skipCrds);
  }

  private static String template(String release, Map<String, Object> values, boolean skipCrds) {
    try {
      Path valuesFile = Files.createTempFile("values-", ".yaml");
      try {
        YAML.writeValue(valuesFile.toFile(), values);
        var template = new Helm(CHART).template().withName(release).withNamespace(NAMESPACE)
            .withKubeVersion(KUBERNETES_VERSION).withValuesFile(valuesFile);
        return (skipCrds ? template.skipCrds() : template).call();
      } finally {
        Files.deleteIfExists(valuesFile);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<HasMetadata> parse(String stream) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> documents =
        YAML.readerFor(Map.class).readValues(stream)) {
      while (documents.hasNext()) {
        Map<String, Object> document = documents.next();
        if (document != null && !document.isEmpty()) {
          objects.add(Serialization.unmarshal(Serialization.asJson(document)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  Deployment deployment() {
    List<Deployment> deployments = all(Deployment.class);
    if (deployments.size() != 1) {
      throw new AssertionError("expected one Deployment, got " + deployments.size());
    }
    return deployments.get(0);
  }
}
