package dev.operated.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.KubernetesVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Test fixtures: an OperatedService object as a user writes it, and target clusters. */
final class Manifest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Manifest() {
  }

  /** The whole object around a spec written as YAML, as kubectl would send it. */
  static ObjectNode object(String specYaml) {
    try {
      ObjectNode object = YAML.createObjectNode();
      object.put("apiVersion", "operated.dev/v1alpha1");
      object.put("kind", "OperatedService");
      object.putObject("metadata").put("name", "orders").put("namespace", "shop");
      object.set("spec", YAML.readTree(specYaml));
      return object;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static OperatedService decoded(String specYaml) {
    return YAML.convertValue(object(specYaml), OperatedService.class);
  }

  static ClusterFacts cluster(String version) {
    return new ClusterFacts(KubernetesVersion.parse(version), false, Map.of());
  }

  static ClusterFacts clusterWithNamespaceLabels(String version, Map<String, String> labels) {
    return new ClusterFacts(KubernetesVersion.parse(version), false, labels);
  }

  static JsonNode tree(Object value) {
    return YAML.valueToTree(value);
  }
}
