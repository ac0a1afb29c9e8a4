package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every GET of a resource, in front of fabric8's store: {@code pods/log} ({@link PodLogs}),
 * watches over plain HTTP ({@link HttpWatch}), field selectors ({@link FieldSelectors}), label
 * selectors the store's attributes cannot express ({@link LabelSelector#beyondTheStore}) and
 * server-side Tables ({@link TablePrinters}); what is left goes to the store, and its answer gets
 * the {@code Content-Type} the store leaves out (without it client-go, which asks for protobuf
 * first, tries to read JSON as protobuf).
 */
final class ResourceReads {

  private static final String STORE_LIST_PREFIX = "{\"apiVersion\":\"v1\",\"kind\":\"List\",";

  private final Storage api;
  private final Function<RecordedRequest, MockResponse> store;
  private final TablePrinters tables;
  private final HttpWatch watches;
  private final PodLogs logs;

  ResourceReads(Storage api, Function<RecordedRequest, MockResponse> store,
      Node node, Clock clock) {
    this.api = api;
    this.store = store;
    this.tables = new TablePrinters(clock);
    this.watches = new HttpWatch(api, clock);
    this.logs = new PodLogs(api, node);
  }

  MockResponse answer(ApiTarget target, RecordedRequest request) {
    if ("log".equals(target.subresource())) {
      return logs.answer(target);
    }
    FieldSelectors.Selector fields = FieldSelectors.of(target);
    Optional<String> tableVersion = tableVersion(request.getHeader("Accept"));
    String includeObject = target.query().get("includeObject");
    if (HttpWatch.isHttpWatch(target, request.getHeader("Upgrade"))) {
      JsonNode crd = crdOf(target);
      return watches.open(target, fields, object -> tableVersion.<JsonNode>map(version ->
          tables.table(target, List.of(object), null, version, includeObject, crd))
          .orElse(object));
    }
    LabelSelector labels = LabelSelector.beyondTheStore(target.query().get("labelSelector"));
    RecordedRequest forStore = fields.isEmpty() && labels.isEmpty() ? request
        : withoutSelectors(request, fields.isEmpty() ? null : "fieldSelector=",
            labels.isEmpty() ? null : "labelSelector=");
    MockResponse response = store.apply(forStore);
    if (response.getWebSocketListener() != null) {
      if (response.getWebSocketListener() instanceof StoreWatch watch) {
        watch.selectFields(fields);
        watch.selectLabels(labels);
      }
      return response;
    }
    response.setHeader("Content-Type", "application/json");
    boolean isList = target.name() == null;
    if (response.code() == 404 && !isList) {
      // the store's 404 has no body; kube-apiserver's names what is missing (a Status of
      // reason NotFound), which kubectl prints: deployments.apps "web" not found
      throw ApiErrors.notFound(target);
    }
    if (response.code() != 200 || (!isList && tableVersion.isEmpty())) {
      return response;
    }
    String stored = response.getBody().readUtf8();
    if (fields.isEmpty() && labels.isEmpty() && tableVersion.isEmpty()) {
      return response.setBody(namedList(target, stored));
    }
    JsonNode body = Storage.parse(namedList(target, stored));
    List<JsonNode> objects = new ArrayList<>();
    if (isList) {
      body.path("items").forEach(item -> {
        if (fields.matches(item) && labels.matches(item)) {
          objects.add(item);
        }
      });
      ((ObjectNode) body).putArray("items").addAll(objects);
    } else {
      if (!fields.matches(body) || !labels.matches(body)) {
        throw new ApiErrors.ApiException(404, "NotFound", target.plural() + " \""
            + target.name() + "\" not found");
      }
      objects.add(body);
    }
    JsonNode answer = tableVersion.<JsonNode>map(version -> tables.table(target, objects,
        body.path("metadata").path("resourceVersion").asText(null),
        version, includeObject, crdOf(target))).orElse(body);
    return response.setBody(FieldPaths.write(answer));
  }

  /**
   * The store calls every list {@code {"apiVersion":"v1","kind":"List", ...}}; client-go's typed
   * clients (kubectl describe's Events) decode only {@code <group/version> <Kind>List}. Renamed
   * in the text, since lists of thousands of objects are polled by tests.
   */
  private String namedList(ApiTarget target, String list) {
    Optional<String> kind = kindOf(target);
    if (kind.isEmpty() || !list.startsWith(STORE_LIST_PREFIX)) {
      return list;
    }
    return "{\"apiVersion\":\"" + target.apiVersion() + "\",\"kind\":\"" + kind.get() + "List\","
        + list.substring(STORE_LIST_PREFIX.length());
  }

  private Optional<String> kindOf(ApiTarget target) {
    for (Discovery.Kind kind : Discovery.BUILT_IN) {
      if (kind.group().equals(target.group()) && kind.plural().equals(target.plural())) {
        return Optional.of(kind.kind());
      }
    }
    JsonNode crd = crdOf(target);
    return crd == null ? Optional.empty()
        : Optional.of(crd.path("spec").path("names").path("kind").asText());
  }

  /** The CRD of a custom resource, or null for the built-in kinds. */
  private JsonNode crdOf(ApiTarget target) {
    if (target.group().isEmpty() || !target.group().contains(".")
        || target.group().endsWith(".k8s.io")) {
      return null;
    }
    return api.get(new ApiTarget("apiextensions.k8s.io", "v1", null, "customresourcedefinitions",
        target.plural() + "." + target.group(), null, Map.of()));
  }

  /**
   * The meta.k8s.io version of the first Table media type the client accepts, as content
   * negotiation picks it (kubectl lists v1, then v1beta1, then plain JSON).
   */
  static Optional<String> tableVersion(String accept) {
    if (accept == null) {
      return Optional.empty();
    }
    for (String mediaType : accept.split(",")) {
      String version = null;
      boolean table = false;
      boolean meta = false;
      for (String parameter : mediaType.split(";")) {
        String[] pair = parameter.trim().split("=", 2);
        if (pair.length == 2) {
          table |= "as".equals(pair[0]) && "Table".equals(pair[1]);
          meta |= "g".equals(pair[0]) && "meta.k8s.io".equals(pair[1]);
          version = "v".equals(pair[0]) ? pair[1] : version;
        }
      }
      if (table && meta && ("v1".equals(version) || "v1beta1".equals(version))) {
        return Optional.of(version);
      }
    }
    return Optional.empty();
  }

  /** The request without the query parameters that start with one of {@code prefixes}. */
  private static RecordedRequest withoutSelectors(RecordedRequest request, String... prefixes) {
    String path = request.getPath();
    int question = path.indexOf('?');
    StringBuilder rebuilt = new StringBuilder(path.substring(0, question));
    char separator = '?';
    for (String pair : path.substring(question + 1).split("&")) {
      if (Arrays.stream(prefixes).noneMatch(prefix -> prefix != null && pair.startsWith(prefix))) {
        rebuilt.append(separator).append(pair);
        separator = '&';
      }
    }
    return new RecordedRequest(request.getHttpVersion(), request.method(), rebuilt.toString(),
        request.getHeaders(), request.getBody());
  }

}
