package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OpenAPI v3, as kube-apiserver serves it: {@code /openapi/v3} lists a document per group
 * version, each with a {@code serverRelativeURL} carrying the document's hash (client-go's
 * {@code openapi.client.PathsWithContext} reads it and caches by it), and
 * {@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/<group>/<version>} are the documents:
 * the paths of each kind with their operations and query parameters, and the kinds' schemas.
 *
 * <p>What the clients read from them: kubectl and Helm validate what they send with
 * {@code fieldValidation=Strict} only when the PATCH operation of the object's kind lists the
 * {@code fieldValidation} parameter (cli-runtime's {@code queryParamVerifierV3.HasSupport} and
 * {@code supportsQueryParamV3}); otherwise they download the protobuf OpenAPI v2 and validate on
 * the client. {@code kubectl explain} renders the schema whose
 * {@code x-kubernetes-group-version-kind} names the kind (kubectl/pkg/explain/v2).
 * {@code /openapi/v2} is not served (404): with every kind in a v3 document no client we know
 * needs it, and a JSON answer where protobuf is asked for is what broke them.
 */
final class OpenApiDocuments {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String PREFIX = "/openapi/v3";

  /** A query parameter of an operation. */
  private record Parameter(String name, String type) {
  }

  private static final List<Parameter> WRITE = List.of(new Parameter("dryRun", "string"),
      new Parameter("fieldManager", "string"), new Parameter("fieldValidation", "string"),
      new Parameter("pretty", "string"));
  private static final List<Parameter> PATCH = List.of(new Parameter("dryRun", "string"),
      new Parameter("fieldManager", "string"), new Parameter("fieldValidation", "string"),
      new Parameter("force", "boolean"), new Parameter("pretty", "string"));
  private static final List<Parameter> LIST = List.of(
      new Parameter("allowWatchBookmarks", "boolean"), new Parameter("continue", "string"),
      new Parameter("fieldSelector", "string"), new Parameter("labelSelector", "string"),
      new Parameter("limit", "integer"), new Parameter("pretty", "string"),
      new Parameter("resourceVersion", "string"),
      new Parameter("resourceVersionMatch", "string"),
      new Parameter("sendInitialEvents", "boolean"), new Parameter("timeoutSeconds", "integer"),
      new Parameter("watch", "boolean"));
  private static final List<Parameter> DELETE = List.of(new Parameter("dryRun", "string"),
      new Parameter("gracePeriodSeconds", "integer"), new Parameter("orphanDependents", "boolean"),
      new Parameter("propagationPolicy", "string"), new Parameter("pretty", "string"));
  private static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml",
      "application/json-patch+json", "application/merge-patch+json",
      "application/strategic-merge-patch+json");

  private final String kubernetesVersion;

  /** @param kubernetesVersion what {@code info.version} says, like {@code /version} */
  OpenApiDocuments(String kubernetesVersion) {
    this.kubernetesVersion = kubernetesVersion;
  }

  /**
   * The answer at this path, or empty when it is not an OpenAPI path this server serves.
   *
   * @param crds every stored CustomResourceDefinition
   */
  Optional<String> answer(String rawPath, List<? extends JsonNode> crds) {
    String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
    if (!path.startsWith(PREFIX)) {
      return Optional.empty();
    }
    Map<String, ObjectNode> documents = documents(crds);
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      return Optional.of(FieldPaths.write(index(documents)));
    }
    return Optional.ofNullable(documents.get(path.substring(PREFIX.length() + 1)))
        .map(FieldPaths::write);
  }

  /** The index: {@code paths} by group version, each pointing at its document and hash. */
  private static ObjectNode index(Map<String, ObjectNode> documents) {
    ObjectNode index = NODES.objectNode();
    ObjectNode paths = index.putObject("paths");
    documents.forEach((groupVersionPath, document) -> paths.putObject(groupVersionPath)
        .put("serverRelativeURL", PREFIX + "/" + groupVersionPath + "?hash="
            + hash(FieldPaths.write(document))));
    return index;
  }

  /** kube-openapi's handler3 hashes the document with SHA-512, upper-case hex. */
  private static String hash(String document) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512")
          .digest(document.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-512", e);
    }
  }

  /** Each group version's document, keyed {@code api/v1} or {@code apis/<group>/<version>}. */
  Map<String, ObjectNode> documents(List<? extends JsonNode> crds) {
    Map<String, List<Kinded>> kindsByPath = new LinkedHashMap<>();
    for (Discovery.Kind kind : Discovery.BUILT_IN) {
      kindsByPath.computeIfAbsent(documentPath(kind), p -> new ArrayList<>())
          .add(new Kinded(kind, OpenApiSchemas.componentName(kind, false), null));
    }
    for (JsonNode crd : crds) {
      for (Kinded kinded : customKinds(crd)) {
        kindsByPath.computeIfAbsent(documentPath(kinded.kind()), p -> new ArrayList<>())
            .add(kinded);
      }
    }
    Map<String, ObjectNode> documents = new LinkedHashMap<>();
    kindsByPath.forEach((path, kinds) -> documents.put(path, document(kinds)));
    return documents;
  }

  /** A kind with the name of its schema; {@code crdSchema} set for a custom resource. */
  private record Kinded(Discovery.Kind kind, String component, JsonNode crdSchema) {

    ObjectNode schema() {
      return crdSchema != null ? OpenApiSchemas.custom(kind, crdSchema)
          : OpenApiSchemas.builtIn(kind);
    }
  }

  private static List<Kinded> customKinds(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    List<String> shortNames = new ArrayList<>();
    spec.path("names").path("shortNames").forEach(name -> shortNames.add(name.asText()));
    List<Kinded> kinds = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      List<String> subresources = new ArrayList<>();
      version.path("subresources").fieldNames().forEachRemaining(subresources::add);
      Discovery.Kind kind = new Discovery.Kind(spec.path("group").asText(),
          version.path("name").asText(), spec.path("names").path("kind").asText(),
          spec.path("names").path("plural").asText(),
          !"Cluster".equals(spec.path("scope").asText()), shortNames, subresources);
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      kinds.add(new Kinded(kind, OpenApiSchemas.componentName(kind, true),
          schema.isMissingNode() ? NODES.objectNode() : schema));
    }
    return kinds;
  }

  private static String documentPath(Discovery.Kind kind) {
    return kind.group().isEmpty() ? "api/" + kind.version()
        : "apis/" + kind.group() + "/" + kind.version();
  }

  private ObjectNode document(List<Kinded> kinds) {
    ObjectNode document = NODES.objectNode();
    document.put("openapi", "3.0.0");
    document.putObject("info").put("title", "Kubernetes")
        .put("version", "v" + kubernetesVersion);
    ObjectNode paths = document.putObject("paths");
    ObjectNode schemas = document.putObject("components").putObject("schemas");
    for (Kinded kinded : kinds) {
      schemas.set(kinded.component(), kinded.schema());
      addPaths(paths, kinded);
    }
    return document;
  }

  private static void addPaths(ObjectNode paths, Kinded kinded) {
    Discovery.Kind kind = kinded.kind();
    String root = "/" + documentPath(kind);
    String collection = root + (kind.namespaced() ? "/namespaces/{namespace}/" : "/")
        + kind.plural();
    String ref = "#/components/schemas/" + kinded.component();
    String id = operationId(kind);
    ObjectNode list = paths.putObject(collection);
    pathParameters(list, kind.namespaced(), false);
    list.set("get", operation("list" + id, "list", kind, LIST, ref, null));
    list.set("post", operation("create" + id, "post", kind, WRITE, ref, "application/json"));
    if (kind.namespaced()) {
      paths.putObject(root + "/" + kind.plural())
          .set("get", operation("list" + id + "ForAllNamespaces", "list", kind, LIST, ref, null));
    }
    ObjectNode item = paths.putObject(collection + "/{name}");
    pathParameters(item, kind.namespaced(), true);
    item.set("get", operation("read" + id, "get", kind, List.of(), ref, null));
    item.set("put", operation("replace" + id, "put", kind, WRITE, ref, "application/json"));
    boolean custom = kinded.crdSchema() != null;
    item.set("patch", patch(operation("patch" + id, "patch", kind, PATCH, ref, null), custom));
    item.set("delete", operation("delete" + id, "delete", kind, DELETE, ref, null));
    for (String subresource : kind.subresources()) {
      if ("status".equals(subresource)) {
        ObjectNode status = paths.putObject(collection + "/{name}/status");
        pathParameters(status, kind.namespaced(), true);
        status.set("get", operation("read" + id + "Status", "get", kind, List.of(), ref, null));
        status.set("patch", patch(operation("patch" + id + "Status", "patch", kind, PATCH, ref,
            null), custom));
        status.set("put", operation("replace" + id + "Status", "put", kind, WRITE, ref,
            "application/json"));
      }
    }
  }

  /**
   * A custom resource's PATCH takes no strategic merge (apiextensions-apiserver's crdHandler
   * answers it 415), and says so: kubectl's apply reads the operation's content types
   * ({@code gvkSupportsPatchOpenAPIV3}) to choose between a strategic and a JSON merge patch.
   */
  private static ObjectNode patch(ObjectNode operation, boolean custom) {
    if (custom) {
      ((ObjectNode) operation.path("requestBody").path("content"))
          .remove("application/strategic-merge-patch+json");
    }
    return operation;
  }

  /** kube-apiserver's operation ids: verb + group + version + Namespaced? + kind. */
  private static String operationId(Discovery.Kind kind) {
    StringBuilder id = new StringBuilder();
    for (String part : kind.group().split("[.-]")) {
      if (!part.isEmpty() && !part.equals("k8s") && !part.equals("io")) {
        id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    id.append(Character.toUpperCase(kind.version().charAt(0))).append(kind.version().substring(1));
    return (kind.group().isEmpty() ? "Core" : "") + id + (kind.namespaced() ? "Namespaced" : "")
        + kind.kind();
  }

  private static void pathParameters(ObjectNode path, boolean namespaced, boolean named) {
    ArrayNode parameters = path.putArray("parameters");
    if (named) {
      parameters.add(parameter("name", "path", "string", true));
    }
    if (namespaced) {
      parameters.add(parameter("namespace", "path", "string", true));
    }
  }

  private static ObjectNode operation(String operationId, String action, Discovery.Kind kind,
      List<Parameter> query, String schemaRef, String bodyType) {
    ObjectNode operation = NODES.objectNode();
    operation.put("operationId", operationId);
    operation.put("x-kubernetes-action", action);
    ObjectNode gvk = operation.putObject("x-kubernetes-group-version-kind");
    gvk.put("group", kind.group());
    gvk.put("kind", kind.kind());
    gvk.put("version", kind.version());
    // Inline, not $ref'd parameters: cli-runtime's supportsQueryParamV3 compares the names of the
    // parameters as written in the operation.
    ArrayNode parameters = operation.putArray("parameters");
    query.forEach(p -> parameters.add(parameter(p.name(), "query", p.type(), false)));
    ObjectNode schema = NODES.objectNode().put("$ref", schemaRef);
    if (bodyType != null || "patch".equals(action)) {
      ObjectNode content = operation.putObject("requestBody").put("required", true)
          .putObject("content");
      if ("patch".equals(action)) {
        PATCH_TYPES.forEach(type -> content.putObject(type).putObject("schema")
            .put("type", "object"));
      } else {
        content.putObject(bodyType).set("schema", schema.deepCopy());
      }
    }
    ObjectNode ok = operation.putObject("responses").putObject("200");
    ok.put("description", "OK");
    if (!"list".equals(action)) {
      ok.putObject("content").putObject("application/json").set("schema", schema);
    }
    return operation;
  }

  private static ObjectNode parameter(String name, String in, String type, boolean required) {
    ObjectNode parameter = NODES.objectNode();
    parameter.put("name", name);
    parameter.put("in", in);
    if (required) {
      parameter.put("required", true);
    }
    parameter.putObject("schema").put("type", type).put("uniqueItems", true);
    return parameter;
  }
}
