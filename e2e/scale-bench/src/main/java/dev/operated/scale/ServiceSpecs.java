package dev.operated.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * N copies of an example OperatedService, each named {@code svc-00001}... and spread over the
 * namespaces {@code bench-0}..., and what {@code operated render} prints for them: the objects
 * the bare client applies, grouped by the service they belong to.
 *
 * @param services the OperatedServices, in creation order
 * @param rendered the rendered objects of each service ({@code namespace/name}), in render's order
 */
record ServiceSpecs(List<ObjectNode> services, Map<String, List<HasMetadata>> rendered) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<String> namespaces(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add("bench-" + i);
    }
    return names;
  }

  static String key(JsonNode object) {
    return object.path("metadata").path("namespace").asText() + "/"
        + object.path("metadata").path("name").asText();
  }

  static ServiceSpecs of(Path example, int count, int namespaceCount, OperatorCommand operator,
      Path directory) throws IOException {
    JsonNode template;
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class)
        .readValues(example.toFile())) {
      template = documents.next();
    }
    List<String> namespaces = namespaces(namespaceCount);
    List<ObjectNode> services = new ArrayList<>();
    int width = Math.max(5, String.valueOf(count).length());
    for (int i = 1; i <= count; i++) {
      ObjectNode service = template.deepCopy();
      ObjectNode metadata = service.with("metadata");
      metadata.put("name", "svc-" + String.format("%0" + width + "d", i));
      metadata.put("namespace", namespaces.get((i - 1) % namespaces.size()));
      services.add(service);
    }
    Path specs = directory.resolve("services.yaml");
    try (SequenceWriter writer = YAML.writer().writeValues(specs.toFile())) {
      writer.writeAll(services);
    }
    return new ServiceSpecs(services, render(specs, services, operator, directory));
  }

  /** {@code java -jar operated.jar render -f FILE}: exactly what render prints, parsed typed. */
  private static Map<String, List<HasMetadata>> render(Path specs, List<ObjectNode> services,
      OperatorCommand operator, Path directory) throws IOException {
    Path output = directory.resolve("rendered.yaml");
    Process render = new ProcessBuilder(operator.java().toString(), "-jar",
        operator.jar().toAbsolutePath().toString(), "render", "-f", specs.toString())
        .redirectOutput(output.toFile())
        .redirectError(directory.resolve("render.log").toFile())
        .start();
    try {
      if (!render.waitFor(10, TimeUnit.MINUTES) || render.exitValue() != 0) {
        throw new IllegalStateException("operated render failed; see "
            + directory.resolve("render.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Map<String, List<HasMetadata>> byService = new LinkedHashMap<>();
    services.forEach(service -> byService.put(key(service), new ArrayList<>()));
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class)
        .readValues(output.toFile())) {
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document == null || document.isEmpty()) {
          continue;
        }
        HasMetadata object = Serialization.unmarshal(document.toString(), HasMetadata.class);
        byService.get(owner(byService, object)).add(object);
      }
    }
    return byService;
  }

  /** The service an object was rendered for: its name, or its name before a suffix. */
  private static String owner(Map<String, List<HasMetadata>> services, HasMetadata object) {
    String name = object.getMetadata().getName();
    String namespace = object.getMetadata().getNamespace();
    for (String candidate = name; ; candidate = candidate.substring(0,
        candidate.lastIndexOf('-'))) {
      if (services.containsKey(namespace + "/" + candidate)) {
        return namespace + "/" + candidate;
      }
      if (candidate.lastIndexOf('-') < 0) {
        throw new IllegalStateException("render printed " + object.getKind() + " " + name
            + ", which belongs to none of the services");
      }
    }
  }

  int size() {
    return services.size();
  }

  /** Every rendered object, as {@link ClusterWatch#key} names it. */
  List<String> renderedKeys() {
    List<String> keys = new ArrayList<>();
    rendered.values().forEach(objects -> objects.forEach(object -> keys.add(ClusterWatch.key(
        object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName()))));
    return keys;
  }

  List<ClusterWatch.Kind> renderedKinds() {
    List<ClusterWatch.Kind> kinds = new ArrayList<>();
    rendered.values().forEach(objects -> objects.forEach(object -> {
      ClusterWatch.Kind kind = new ClusterWatch.Kind(object.getApiVersion(), object.getKind());
      if (!kinds.contains(kind)) {
        kinds.add(kind);
      }
    }));
    return kinds;
  }
}
