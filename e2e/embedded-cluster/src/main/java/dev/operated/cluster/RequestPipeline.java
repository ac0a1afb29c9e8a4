package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.cluster.ApiErrors.ApiException;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * kube-apiserver's request pipeline, in its order: fault injection (ours, off until a test turns
 * it on) → authentication → authorization → the handler (decoding, then {@link Storage}, which
 * runs {@link MutatingAdmission} and {@link ValidatingAdmission} on the computed object before it
 * stores it) → the answer, with the {@code Warning} headers the request earned. Reads, lists and
 * watches go straight to storage once authorized. Every refusal is a {@code Status}
 * ({@link ApiErrors}).
 */
final class RequestPipeline extends Dispatcher {

  /** The subresources kubectl exec, attach and port-forward open streams on. */
  private static final Set<String> STREAMS = Set.of("exec", "attach",
      "portforward");

  private final Storage storage;
  private final String versionJson;
  private final Clock clock;
  private final Evictions evictions;
  private final RequestLog requestLog;
  final RequestFaults faults;
  /** stage: latency, chosen requests served late or once released. */
  final RequestDelays delays = new RequestDelays();
  /** route: the GETs beyond the store's; EmbeddedCluster sets it once the node is known. */
  ResourceReads reads;
  /** Authentication and authorization: bearer tokens, then RBAC or AlwaysAllow. */
  final AccessControl accessControl;

  private final OpenApiDocuments openApi;

  RequestPipeline(Storage storage, String versionJson, Clock clock, RequestLog requestLog) {
    this.storage = storage;
    this.accessControl = new AccessControl(storage);
    this.versionJson = versionJson;
    this.openApi = new OpenApiDocuments(Storage.parse(versionJson).path("gitVersion").asText()
        .replaceFirst("^v", ""));
    this.clock = clock;
    this.faults = new RequestFaults(clock);
    this.evictions = new Evictions(storage, clock);
    this.requestLog = requestLog;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    ApiTarget target = ApiTarget.parse(path);
    String manager = fieldManager(request, target);
    ApiRequest received = new ApiRequest(request.getMethod(), path, manager,
        request.getHeader("User-Agent"), clock.instant(), null);
    // stage: faults
    Optional<RequestFaults.Fault> injected = faults.answer(received);
    if (injected.isPresent()) {
      requestLog.record(received.injected(injected.get()));
      return injected.get().response();
    }
    requestLog.record(received);
    delays.await(received); // stage: latency (RequestDelays), after the request has arrived
    // stage: the request log gets the answer (code, resourceVersion, whether it stored anything)
    WriteOutcome.begin();
    MockResponse response = serve(request, target, manager);
    requestLog.answered(received, RequestOutcomes.answered(received, response, WriteOutcome.end()));
    return response;
  }

  private MockResponse serve(RecordedRequest request, ApiTarget target, String manager) {
    try {
      // stage: authentication, authorization
      AccessControl.Verdict verdict = accessControl.check(request);
      if (verdict.refusal().isPresent()) {
        return verdict.refusal().get();
      }
      return deprecationWarned(target, handle(request, target, manager, verdict.user()));
    } catch (ApiException e) {
      return deprecationWarned(target, e.response());
    }
  }

  /**
   * KEP-4974: from 1.33 every read and write of v1 Endpoints is answered with a warning, which
   * kubectl prints ("Warning: v1 Endpoints is deprecated ...").
   */
  private static MockResponse deprecationWarned(ApiTarget target, MockResponse response) {
    if (target != null && target.group().isEmpty() && "endpoints".equals(target.plural())) {
      response.addHeader("Warning", "299 - \"v1 Endpoints is deprecated in v1.33+; use "
          + "discovery.k8s.io/v1 EndpointSlice\"");
    }
    return response;
  }

  /** The handlers: non-resource paths, then reads, then writes through storage and admission. */
  private MockResponse handle(RecordedRequest request, ApiTarget target, String manager,
      User user) {
    String path = request.getPath();
    if ("/version".equals(path) || "/version/".equals(path) || path.startsWith("/version?")) {
      return Storage.json(200, versionJson);
    }
    if (target == null) {
      // route: non-resource paths (health, OpenAPI, discovery)
      if ("GET".equals(request.getMethod())) {
        Optional<MockResponse> health = HealthEndpoints.answer(path);
        if (health.isPresent()) {
          return health.get();
        }
        if (path.startsWith("/openapi/")) { // route: OpenAPI v3; v2 is not served (OpenApiDocuments)
          return openApi.answer(path,
              storage.list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"))
              .map(document -> Storage.json(200, document))
              .orElseThrow(() -> new ApiException(404, "NotFound",
                  "the server could not find the requested resource"));
        }
        Optional<String> discovery = Discovery.answer(path,
            storage.list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"));
        if (discovery.isPresent()) {
          return Storage.json(200, discovery.get());
        }
      }
      // notfoundhandler.New: what no handler serves is a NotFound Status, never the CRUD store's
      // answer to a path it does not know (which was every object it held)
      throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
    if ("pods".equals(target.plural()) && STREAMS.contains(String.valueOf(target.subresource()))) {
      // route: a stream into a container, which a local process is not
      throw ApiErrors.badRequest("pods/" + target.subresource() + " is not served by the "
          + "embedded cluster: its node runs each container as a local process, not in a "
          + "container runtime; read its output with kubectl logs and reach its ports at the "
          + "pod's IP (kubectl get pod -o wide)");
    }
    boolean accessReview = "authorization.k8s.io".equals(target.group())
        && "POST".equals(request.getMethod());
    if (SelfSubjectReviews.isReview(target, request.getMethod())) {
      // route: SelfSubjectReview (kubectl auth whoami), the requester, never stored; before the
      // body is decoded, which the answer does not read
      return Storage.json(201, SelfSubjectReviews.answer(user, clock).toString());
    }
    if (!accessReview && !storage.serves(target)) {
      // route: a resource no discovery document lists (a kind not emulated: a Job)
      throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
    // route: protobuf bodies of typed clients (kubectl create, Helm's Secrets), read as JSON
    RecordedRequest decoded = ProtobufBodies.asJson(request);
    if (accessReview) {
      // route: access reviews, answered and never stored
      return Storage.json(201, accessControl.review(body(decoded), target, user).toString());
    }
    if (Evictions.isEviction(target, decoded.getMethod())) {
      // route: the eviction subresource (kubectl drain), checked against the pod's budget
      return Storage.json(201, evictions.evict(target, body(decoded)).toString());
    }
    if ("serviceaccounts".equals(target.plural()) && "token".equals(target.subresource())
        && "POST".equals(decoded.getMethod())) {
      // route: TokenRequest (kubectl create token), a token issued and never stored
      return Storage.json(201, TokenRequests.answer(target, body(decoded),
          accessControl.authentication, clock).toString());
    }
    // route: pods/log, HTTP watches, field selectors and Tables (ResourceReads)
    if ("GET".equals(decoded.getMethod()) && !"scale".equals(target.subresource())) {
      return reads.answer(target, decoded);
    }
    Storage.WriteContext context = new Storage.WriteContext(manager,
        target.query().getOrDefault("fieldValidation", MutatingAdmission.WARN), new ArrayList<>());
    // stage: dryRun=All goes through every stage and stops before storage (DryRun)
    MockResponse response = DryRun.around(target, () -> switch (decoded.getMethod()) {
      case "GET" -> "scale".equals(target.subresource()) ? storage.getScale(target)
          : found(storage.read(decoded), target);
      case "POST" -> storage.create(target, body(decoded), context);
      case "PUT" -> storage.replace(target, body(decoded), context);
      case "PATCH" -> storage.patch(target, String.valueOf(decoded.getHeader("Content-Type")),
          decoded.getUtf8Body(), context);
      case "DELETE" -> storage.delete(target, decoded.getUtf8Body());
      default -> throw ApiErrors.methodNotSupported(target, decoded.getMethod());
    });
    for (String warning : context.warnings()) {
      response.addHeader("Warning", "299 - \"" + warning.replace("\\", "\\\\")
          .replace("\"", "\\\"") + "\"");
    }
    return response;
  }

  /** The CRUD store answers a missing object with an empty 404; a real server with a Status. */
  private static MockResponse found(MockResponse response, ApiTarget target) {
    if (response.code() == 404 && target.name() != null) {
      throw ApiErrors.notFound(target);
    }
    return response;
  }

  private static String fieldManager(RecordedRequest request, ApiTarget target) {
    if (target != null && target.query().containsKey("fieldManager")) {
      return target.query().get("fieldManager");
    }
    // The API server names an update's manager after the user agent's product name.
    String userAgent = request.getHeader("User-Agent");
    if (userAgent == null || userAgent.isBlank()) {
      return "unknown";
    }
    int slash = userAgent.indexOf('/');
    return slash < 0 ? userAgent : userAgent.substring(0, slash);
  }

  /**
   * A create or update body: JSON or YAML. Protobuf, which kubectl sends for built-in kinds when
   * it may, is answered as a server that cannot decode it does (415, negotiation's
   * NewUnsupportedMediaTypeError), which tells client-go to send JSON instead.
   */
  private static ObjectNode body(RecordedRequest request) {
    String contentType = String.valueOf(request.getHeader("Content-Type"));
    Optional<ApiException> protobuf = Protobuf.refusal(request);
    if (protobuf.isPresent()) {
      throw protobuf.get();
    }
    JsonNode body = contentType.startsWith("application/yaml")
        ? Storage.parseYaml(request.getUtf8Body()) : Storage.parse(request.getUtf8Body());
    if (!body.isObject()) {
      throw ApiErrors.badRequest("the request body is not an object");
    }
    return (ObjectNode) body;
  }
}
