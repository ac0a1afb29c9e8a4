package dev.operated.desired;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Test fixtures: an OperatedService from a spec written as YAML, and cluster facts. */
final class Specs {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  static final ClusterFacts K8S_1_33 = facts("1.33");
  static final ClusterFacts K8S_1_29 = facts("1.29");
  static final ClusterFacts K8S_1_28 = facts("1.28");

  private Specs() {
  }

  static ClusterFacts facts(String version) {
    return new ClusterFacts(KubernetesVersion.parse(version), false, Map.of());
  }

  static OperatedService service(String specYaml) {
    try {
      OperatedService resource = new OperatedService("shop", "orders",
          YAML.readValue(specYaml, OperatedServiceSpec.class));
      resource.getMetadata().setGeneration(1L);
      return resource;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
