package dev.operated.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CRD the crd-generator plugin wrote from the model in this build, and where copies live. */
final class GeneratedCrd {

  static final String FILE_NAME = "operatedservices.operated.dev-v1.yml";

  private GeneratedCrd() {
  }

  static Path generatedFile() {
    return Path.of(System.getProperty("operated.generatedCrd",
        "target/classes/META-INF/fabric8/" + FILE_NAME));
  }

  static Path repoRoot() {
    return Path.of(System.getProperty("operated.repoRoot", "..")).toAbsolutePath().normalize();
  }

  static Path committedCopy() {
    return repoRoot().resolve("crds").resolve(FILE_NAME);
  }

  static Path chartCopy() {
    return repoRoot().resolve("helm/operated/crds").resolve(FILE_NAME);
  }

  static CustomResourceDefinition load() {
    return parse(generatedFile());
  }

  static CustomResourceDefinition parse(Path file) {
    try {
      return Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JSONSchemaProps rootSchema() {
    return load().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  static JSONSchemaProps specSchema() {
    return rootSchema().getProperties().get("spec");
  }
}
