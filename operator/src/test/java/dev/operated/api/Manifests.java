package dev.operated.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Reads manifests strictly, as `kubectl apply` does with server-side field validation. */
final class Manifests {

  static final ObjectMapper STRICT_YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Manifests() {
  }

  static OperatedService read(Path file) {
    try {
      return STRICT_YAML.readValue(file.toFile(), OperatedService.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static OperatedService fromSpecYaml(String specYaml) {
    try {
      OperatedService resource = new OperatedService();
      resource.getMetadata().setName("orders");
      resource.getMetadata().setNamespace("shop");
      resource.setSpec(STRICT_YAML.readValue(specYaml, OperatedServiceSpec.class));
      return resource;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static com.fasterxml.jackson.databind.JsonNode tree(Path file) {
    try {
      return STRICT_YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> rawSpec(Path file) {
    try {
      return (Map<String, Object>) STRICT_YAML.readValue(file.toFile(), Map.class).get("spec");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
