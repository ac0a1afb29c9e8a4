package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.function.Supplier;

/**
 * What fabric8's CRUD store answers to a read, as kube-apiserver answers it: with
 * {@code Content-Type: application/json} (client-go decodes a body without one in the encoding it
 * asked for first, protobuf for typed clients, and fails: "provided data does not appear to be a
 * protobuf message"), and a list typed as its kind's list ({@code SecretList}, not {@code List}),
 * which is what a typed client decodes a list into (Helm reads its release Secrets this way).
 */
final class TypedReads {

  private TypedReads() {
  }

  /**
   * @param crds the stored CRDs, read only when an empty list of a custom resource needs its kind
   */
  static MockResponse typed(MockResponse response, ApiTarget target,
      Supplier<List<ObjectNode>> crds) {
    if (target == null || target.query().containsKey("watch") || response.code() != 200
        || response.getHeaders().get("Content-Type") != null) {
      return response;
    }
    String body = response.getBody().readUtf8();
    if (target.name() == null && !body.isBlank()) {
      JsonNode list = Storage.parse(body);
      if (list instanceof ObjectNode object && "List".equals(object.path("kind").asText())) {
        kindOf(target, object, crds).ifPresent(kind -> object.put("kind", kind + "List"));
        object.put("apiVersion", target.apiVersion());
        object.with("metadata");
        body = FieldPaths.write(object);
      }
    }
    return response.setHeader("Content-Type", "application/json").setBody(body);
  }

  private static java.util.Optional<String> kindOf(ApiTarget target, ObjectNode list,
      Supplier<List<ObjectNode>> crds) {
    JsonNode first = list.path("items").path(0);
    if (first.hasNonNull("kind")) {
      return java.util.Optional.of(first.get("kind").asText());
    }
    for (Discovery.Kind kind : Discovery.BUILT_IN) {
      if (kind.group().equals(target.group()) && kind.plural().equals(target.plural())) {
        return java.util.Optional.of(kind.kind());
      }
    }
    return crds.get().stream()
        .filter(crd -> target.group().equals(crd.path("spec").path("group").asText())
            && target.plural().equals(crd.path("spec").path("names").path("plural").asText()))
        .map(crd -> crd.path("spec").path("names").path("kind").asText()).findFirst();
  }
}
