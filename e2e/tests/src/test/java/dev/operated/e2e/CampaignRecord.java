package dev.operated.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One trial of the campaign as a replayable file: the cluster it ran on and every step in order
 * (the whole spec applied, the namespace's labels and annotations, the faults), with the
 * violations it found. Written and read by Jackson, as YAML.
 */
record CampaignRecord(long seed, String kubernetesVersion, boolean prometheusOperator,
    String namespace, List<Step> steps, List<String> violations) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(SerializationFeature.INDENT_OUTPUT);

  CampaignRecord {
    steps = List.copyOf(steps);
    violations = violations == null ? List.of() : List.copyOf(violations);
  }

  /**
   * One step: the spec applied as a whole (server-side apply, as `kubectl apply --server-side`),
   * in a namespace with these labels and annotations.
   *
   * @param name                   what the step changes, as the generator named it
   * @param field                  the field it aims at (null for a rollback or the base spec)
   * @param refusedOperatorWrites  the operator's next writes answered 503, this many
   * @param rollbackTo             the index of an earlier step whose objects this one must
   *                               restore (its spec is that step's), or null
   * @param freshClusterCheck      whether the objects are compared with the same spec applied
   *                               once on a fresh cluster (path independence)
   */
  record Step(String name, String field, ObjectNode spec, Map<String, String> namespaceLabels,
      Map<String, String> namespaceAnnotations, int refusedOperatorWrites, Integer rollbackTo,
      boolean freshClusterCheck) {

    Step {
      namespaceLabels = namespaceLabels == null ? Map.of() : Map.copyOf(namespaceLabels);
      namespaceAnnotations = namespaceAnnotations == null ? Map.of()
          : Map.copyOf(namespaceAnnotations);
    }

    CampaignChanges.NamespaceFacts namespaceFacts() {
      return new CampaignChanges.NamespaceFacts(namespaceLabels, namespaceAnnotations);
    }
  }

  CampaignRecord withViolations(List<String> found) {
    return new CampaignRecord(seed, kubernetesVersion, prometheusOperator, namespace, steps,
        found);
  }

  void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      YAML.writeValue(file.toFile(), this);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the replay file " + file, e);
    }
  }

  static CampaignRecord read(Path file) {
    try {
      return YAML.readValue(file.toFile(), CampaignRecord.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the replay file " + file
          + ": give a file the campaign wrote under e2e/tests/target/campaign/", e);
    }
  }
}
