package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The API server: fabric8's CRUD dispatcher keeps the objects, answers reads and serves watches;
 * every write is computed here first (server-side apply, managedFields, defaults, generation,
 * deletion with finalizers and grace periods) and then stored through the dispatcher's own event
 * path, so watchers see exactly one event per write, as from a real server.
 */
final class ClusterDispatcher extends Dispatcher {

  private static final ObjectMapper JSON = FieldPaths.JSON;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "policy", "batch",
      "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "coordination.k8s.io",
      "events.k8s.io", "discovery.k8s.io", "apiextensions.k8s.io", "storage.k8s.io",
      "admissionregistration.k8s.io", "scheduling.k8s.io", "node.k8s.io");
  private static final String APPLY_PATCH = "application/apply-patch+yaml";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
  /** The store's map is not thread-safe: reads share this lock, writes take it alone. */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final String versionJson;
  private final Clock clock;
  private final RequestLog requestLog;
  private final List<Consumer<Change>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A stored object and where it lives. */
  record Stored(ApiTarget target, ObjectNode object) {
  }

  /** What the in-process controllers hear of every write; {@code object} is null when deleted. */
  record Change(ApiTarget target, ObjectNode object, ObjectNode previous) {
  }

  final RequestFaults faults;
  final AccessControl accessControl = new AccessControl(this);

  ClusterDispatcher(String versionJson, Clock clock, RequestLog requestLog) {
    this.versionJson = versionJson;
    this.clock = clock;
    this.faults = new RequestFaults(clock);
    this.requestLog = requestLog;
  }

  /** Listeners run under the write lock: they must only take note and return. */
  void addListener(Consumer<Change> listener) {
    listeners.add(listener);
  }

  private void notifyListeners(ApiTarget target, ObjectNode object, ObjectNode previous) {
    Change change = new Change(target.object(), object, previous);
    listeners.forEach(listener -> listener.accept(change));
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    ApiTarget target = ApiTarget.parse(path);
    String manager = fieldManager(request, target);
    ApiRequest received = new ApiRequest(request.getMethod(), path, manager,
        request.getHeader("User-Agent"), clock.instant(), null);
    Optional<RequestFaults.Fault> injected = faults.answer(received);
    if (injected.isPresent()) {
      requestLog.record(received.injected(injected.get()));
      return injected.get().response();
    }
    requestLog.record(received);
    // stage: authentication, authorization (AccessControl)
    AccessControl.Verdict verdict = accessControl.check(request);
    if (verdict.refusal().isPresent()) {
      return verdict.refusal().get();
    }
    if ("/version".equals(path) || path.startsWith("/version?")) {
      return json(200, versionJson);
    }
    if (target == null) {
      if ("GET".equals(request.getMethod())) {
        Optional<String> discovery = Discovery.answer(path,
            list("/apis/apiextensions.k8s.io/v1/customresourcedefinitions"));
        if (discovery.isPresent()) {
          return json(200, discovery.get());
        }
      }
      return read(request);
    }
    try {
      if ("authorization.k8s.io".equals(target.group()) && "POST".equals(request.getMethod())) {
        return json(201, accessControl.review(body(request), target, verdict.user()).toString());
      }
      return switch (request.getMethod()) {
        case "GET" -> "scale".equals(target.subresource()) ? getScale(target) : read(request);
        case "POST" -> create(target, body(request), manager);
        case "PUT" -> replace(target, body(request), manager);
        case "PATCH" -> patch(target, request, manager);
        case "DELETE" -> delete(target, request.getUtf8Body());
        default -> status(405, "MethodNotAllowed", request.getMethod() + " is not supported");
      };
    } catch (BadRequest e) {
      return status(e.code, e.reason, e.getMessage());
    }
  }

  private MockResponse read(RecordedRequest request) {
    lock.readLock().lock();
    try {
      return store.dispatch(request);
    } finally {
      lock.readLock().unlock();
    }
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

  // ---- reads used by the server's own controllers, in-process ----

  /** A snapshot of every stored object, for the garbage collector. */
  List<Stored> allObjects() {
    lock.readLock().lock();
    try {
      List<Stored> objects = new ArrayList<>(store.getMap().size());
      for (Map.Entry<AttributeSet, String> entry : store.getMap().entrySet()) {
        ObjectNode object = (ObjectNode) parse(entry.getValue());
        objects.add(new Stored(targetOf(object, entry.getKey()), object));
      }
      return objects;
    } finally {
      lock.readLock().unlock();
    }
  }

  private static ApiTarget targetOf(ObjectNode object, AttributeSet key) {
    String apiVersion = object.path("apiVersion").asText();
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    String plural = key.getAttribute("plural").getValues().get(0).toString();
    JsonNode namespace = object.path("metadata").get("namespace");
    return new ApiTarget(group, version, namespace == null ? null : namespace.asText(), plural,
        object.path("metadata").path("name").asText(), null, Map.of());
  }

  /** The items of a collection path, label selectors and all, as a list request sees them. */
  List<ObjectNode> list(String collectionPath) {
    lock.readLock().lock();
    try {
      MockResponse response = store.handleGet(collectionPath);
      List<ObjectNode> items = new ArrayList<>();
      parse(response.getBody().readUtf8()).path("items")
          .forEach(item -> items.add((ObjectNode) item));
      return items;
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- writes by the server's own controllers, in-process and not logged as client requests ----

  ObjectNode createInternal(ApiTarget collection, ObjectNode body, String manager) {
    return expect(create(collection, body, manager), collection);
  }

  /** Changes an object (or its status subresource) read fresh under the write lock. */
  ObjectNode updateInternal(ApiTarget target, java.util.function.UnaryOperator<ObjectNode> change,
      String manager) {
    lock.writeLock().lock();
    try {
      ObjectNode current = get(target);
      if (current == null) {
        return null;
      }
      ObjectNode changed = change.apply(current.deepCopy());
      ObjectNode updated = "status".equals(target.subresource()) ? withStatusOf(current, changed)
          : withStatusOf(changed, current);
      return (ObjectNode) parse(write(target, current, updated, manager));
    } finally {
      lock.writeLock().unlock();
    }
  }

  void deleteInternal(ApiTarget target, ObjectNode options) {
    try {
      delete(target, FieldPaths.write(options));
    } catch (BadRequest e) {
      if (e.code != 404) {
        throw e;
      }
    }
  }

  private static ObjectNode expect(MockResponse response, ApiTarget target) {
    String body = response.getBody().readUtf8();
    if (response.code() >= 300) {
      throw new IllegalStateException("writing " + target + " failed: " + body);
    }
    return (ObjectNode) parse(body);
  }

  ObjectNode get(ApiTarget target) {
    lock.readLock().lock();
    try {
      Map.Entry<AttributeSet, String> entry =
          store.findResource(store.getKey(target.objectPath()));
      return entry == null ? null : (ObjectNode) parse(entry.getValue());
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- writes ----

  MockResponse create(ApiTarget target, ObjectNode body, String manager) {
    lock.writeLock().lock();
    try {
      ObjectNode metadata = metadataOf(body);
      if (!metadata.hasNonNull("name") && metadata.hasNonNull("generateName")) {
        metadata.put("name", metadata.get("generateName").asText() + randomSuffix());
      }
      if (!metadata.hasNonNull("name")) {
        throw new BadRequest(422, "Invalid", "metadata.name: Required value: name or "
            + "generateName is required");
      }
      if (target.namespace() != null) {
        metadata.put("namespace", target.namespace());
      }
      ApiTarget object = target.withName(metadata.get("name").asText());
      if (get(object) != null) {
        throw new BadRequest(409, "AlreadyExists", kindOf(body, target) + " \""
            + object.name() + "\" already exists");
      }
      body.remove("status");
      ObjectNode stored = fieldManager(target).update(null, normalized(body), manager, null,
          now());
      return json(201, store(object, null, stored));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private MockResponse replace(ApiTarget target, ObjectNode body, String manager) {
    lock.writeLock().lock();
    try {
      ObjectNode current = get(target);
      if (current == null) {
        throw notFound(target);
      }
      checkResourceVersion(body, current, target);
      ObjectNode updated = switch (String.valueOf(target.subresource())) {
        case "status" -> withStatusOf(current, body);
        case "scale" -> withReplicas(current, body);
        default -> withStatusOf(body, current);
      };
      return json(200, write(target, current, updated, manager));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private MockResponse patch(ApiTarget target, RecordedRequest request, String manager) {
    String contentType = String.valueOf(request.getHeader("Content-Type"));
    String patchBody = request.getUtf8Body();
    lock.writeLock().lock();
    try {
      ObjectNode current = get(target);
      if (contentType.startsWith(APPLY_PATCH)) {
        return apply(target, current, (ObjectNode) parseYaml(patchBody), manager);
      }
      if (current == null) {
        throw notFound(target);
      }
      JsonNode patch = parse(patchBody);
      ObjectNode view = "scale".equals(target.subresource()) ? scaleOf(current) : current;
      JsonNode patched;
      if (contentType.startsWith("application/json-patch+json")) {
        patched = JsonPatch.apply(patch, view);
      } else if (contentType.startsWith("application/merge-patch+json")) {
        patched = mergePatch(view, patch, null);
      } else if (contentType.startsWith("application/strategic-merge-patch+json")) {
        patched = mergePatch(view, patch, new FieldPaths(schemaOf(target)));
      } else {
        throw new BadRequest(415, "UnsupportedMediaType", "the body of the request was in an "
            + "unknown format - accepted media types include: application/json-patch+json, "
            + "application/merge-patch+json, application/apply-patch+yaml, "
            + "application/strategic-merge-patch+json");
      }
      checkResourceVersion((ObjectNode) patched, view, target);
      ObjectNode updated = switch (String.valueOf(target.subresource())) {
        case "status" -> withStatusOf(current, (ObjectNode) patched);
        case "scale" -> withReplicas(current, (ObjectNode) patched);
        default -> withStatusOf((ObjectNode) patched, current);
      };
      return json(200, write(target, current, updated, manager));
    } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
      throw new BadRequest(422, "Invalid", e.getMessage());
    } finally {
      lock.writeLock().unlock();
    }
  }

  private MockResponse apply(ApiTarget target, ObjectNode current, ObjectNode config,
      String manager) {
    if (!target.query().containsKey("fieldManager")) {
      throw new BadRequest(422, "Invalid", "PATCH /" + target.plural() + ": fieldManager is "
          + "required for apply requests");
    }
    boolean force = "true".equals(target.query().get("force"));
    String subresource = target.subresource();
    if (current == null && subresource != null) {
      throw notFound(target);
    }
    if (current != null) {
      checkResourceVersion(config, current, target);
    }
    if (target.namespace() != null) {
      metadataOf(config).put("namespace", target.namespace());
    }
    metadataOf(config).put("name", target.name());
    ObjectNode applied;
    try {
      applied = fieldManager(target).apply(current, config, manager, force, subresource, now());
    } catch (ApplyConflictException e) {
      Status status = new StatusBuilder().withStatus("Failure").withCode(409)
          .withReason("Conflict").withMessage(e.getMessage())
          .withNewDetails().withName(target.name()).withKind(target.plural())
          .withCauses(e.conflicts().stream().<io.fabric8.kubernetes.api.model.StatusCause>map(conflict -> new StatusCauseBuilder()
              .withReason("FieldManagerConflict").withField(conflict.field())
              .withMessage("conflict with \"" + conflict.manager() + "\"").build()).toList())
          .endDetails().build();
      return json(409, Serialization.asJson(status));
    }
    if (current == null) {
      return json(201, store(target, null, applied));
    }
    return json(200, store(target, current, applied));
  }

  /** A non-apply write: managedFields follow what changed; then stored unless nothing did. */
  private String write(ApiTarget target, ObjectNode current, ObjectNode given, String manager) {
    ObjectNode updated = normalized(given);
    metadataOf(updated).set("managedFields", current.path("metadata").path("managedFields"));
    ObjectNode tracked = fieldManager(target).update(current, updated, manager,
        target.subresource(), now());
    return store(target, current, tracked);
  }

  /**
   * Stores a computed object: server-owned metadata, defaults, generation; a write that changes
   * nothing is not stored and sends no event, as on a real server.
   */
  private String store(ApiTarget target, ObjectNode current, ObjectNode given) {
    ObjectNode next = normalized(given);
    ObjectNode metadata = metadataOf(next);
    if (next.path("apiVersion").isMissingNode()) {
      next.put("apiVersion", target.apiVersion());
    }
    Defaults.apply(next, schemaOf(target) == FieldSchema.BUILT_IN);
    if (current == null) {
      metadata.put("uid", UUID.randomUUID().toString());
      metadata.put("creationTimestamp", now());
      metadata.put("generation", 1);
      if (target.namespace() != null) {
        metadata.put("namespace", target.namespace());
      }
    } else {
      JsonNode currentMetadata = current.get("metadata");
      for (String field : List.of("uid", "creationTimestamp", "generation", "deletionTimestamp",
          "deletionGracePeriodSeconds", "namespace", "name")) {
        if (currentMetadata.has(field)) {
          metadata.set(field, currentMetadata.get(field));
        } else {
          metadata.remove(field);
        }
      }
      metadata.set("resourceVersion", currentMetadata.get("resourceVersion"));
      if (normalized(next).equals(current)) {
        return FieldPaths.write(current);
      }
      if (!Objects.equals(withoutMetadataAndStatus(current), withoutMetadataAndStatus(next))) {
        metadata.put("generation", currentMetadata.path("generation").asLong(1) + 1);
      }
      if (metadata.has("deletionTimestamp") && finalizersOf(next).isEmpty()
          && !awaitsKubelet(next)) {
        remove(target, current);
        return FieldPaths.write(next);
      }
    }
    metadata.put("resourceVersion", String.valueOf(store.requestResourceVersion()));
    String json = FieldPaths.write(next);
    AttributeSet key = store.getKey(target.objectPath());
    Map.Entry<AttributeSet, String> existing = store.findResource(key);
    store.processEvent(target.objectPath(), key, existing == null ? null : existing.getKey(),
        Serialization.unmarshal(json, GenericKubernetesResource.class), json);
    notifyListeners(target, next, current);
    return json;
  }

  private void remove(ApiTarget target, ObjectNode current) {
    AttributeSet key = store.getKey(target.objectPath());
    Map.Entry<AttributeSet, String> existing = store.findResource(key);
    if (existing != null) {
      store.processEvent(target.objectPath(), key, existing.getKey(), null, null);
      notifyListeners(target, null, current);
    }
  }

  MockResponse delete(ApiTarget target, String body) {
    JsonNode options = body == null || body.isBlank() ? JsonNodeFactory.instance.objectNode()
        : parse(body);
    String propagation = target.query().getOrDefault("propagationPolicy",
        options.path("propagationPolicy").asText("Background"));
    Long grace = options.hasNonNull("gracePeriodSeconds")
        ? Long.valueOf(options.get("gracePeriodSeconds").asLong())
        : target.query().containsKey("gracePeriodSeconds")
            ? Long.valueOf(target.query().get("gracePeriodSeconds")) : null;
    lock.writeLock().lock();
    try {
      if (target.name() == null) {
        throw new BadRequest(405, "MethodNotAllowed", "deleting collections is not supported "
            + "by the embedded cluster");
      }
      ObjectNode current = get(target);
      if (current == null) {
        throw notFound(target);
      }
      ObjectNode next = current.deepCopy();
      ObjectNode metadata = metadataOf(next);
      List<String> finalizers = finalizersOf(next);
      if ("Foreground".equals(propagation) && !finalizers.contains(GarbageCollector.FOREGROUND)) {
        metadata.withArray("finalizers").add(GarbageCollector.FOREGROUND);
        finalizers.add(GarbageCollector.FOREGROUND);
      }
      boolean graceful = "Pod".equals(current.path("kind").asText())
          && current.path("spec").hasNonNull("nodeName")
          && (grace == null ? current.path("spec").path("terminationGracePeriodSeconds")
              .asLong(30) : grace) > 0;
      boolean terminating = current.path("metadata").hasNonNull("deletionTimestamp");
      if (terminating && "Pod".equals(current.path("kind").asText()) && grace != null
          && grace == 0 && finalizers.isEmpty()) {
        // The kubelet's final delete once the containers have stopped.
        remove(target, current);
        return json(200, FieldPaths.write(current));
      }
      if (terminating && Objects.equals(finalizersOf(current), finalizers)) {
        return json(200, FieldPaths.write(current));
      }
      if (finalizers.isEmpty() && !graceful) {
        remove(target, current);
        return json(200, FieldPaths.write(current));
      }
      if (!terminating) {
        metadata.put("deletionTimestamp", now());
        long seconds = graceful ? (grace == null ? current.path("spec")
            .path("terminationGracePeriodSeconds").asLong(30) : grace) : 0;
        metadata.put("deletionGracePeriodSeconds", seconds);
      }
      metadata.put("resourceVersion", String.valueOf(store.requestResourceVersion()));
      String json = FieldPaths.write(next);
      AttributeSet key = store.getKey(target.objectPath());
      store.processEvent(target.objectPath(), key, store.findResource(key).getKey(),
          Serialization.unmarshal(json, GenericKubernetesResource.class), json);
      notifyListeners(target, next, current);
      return json(200, json);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A pod deleted gracefully stays, finalizers or not, until the kubelet has stopped it. */
  private static boolean awaitsKubelet(ObjectNode object) {
    return "Pod".equals(object.path("kind").asText())
        && object.path("metadata").path("deletionGracePeriodSeconds").asLong(0) > 0;
  }

  // ---- the scale subresource (what an HPA writes) ----

  private MockResponse getScale(ApiTarget target) {
    ObjectNode current = get(target);
    if (current == null) {
      return status(404, "NotFound", target.plural() + " \"" + target.name() + "\" not found");
    }
    return json(200, FieldPaths.write(scaleOf(current)));
  }

  private static ObjectNode scaleOf(ObjectNode object) {
    ObjectNode scale = JsonNodeFactory.instance.objectNode();
    scale.put("apiVersion", "autoscaling/v1");
    scale.put("kind", "Scale");
    ObjectNode metadata = scale.putObject("metadata");
    for (String field : List.of("name", "namespace", "uid", "resourceVersion",
        "creationTimestamp")) {
      metadata.set(field, object.path("metadata").get(field));
    }
    scale.putObject("spec").put("replicas", object.path("spec").path("replicas").asInt(1));
    scale.putObject("status").put("replicas", object.path("status").path("replicas").asInt(0));
    return scale;
  }

  private static ObjectNode withReplicas(ObjectNode current, ObjectNode scale) {
    ObjectNode updated = current.deepCopy();
    ((ObjectNode) updated.get("spec")).set("replicas", scale.path("spec").get("replicas"));
    return updated;
  }

  // ---- helpers ----

  /** {@code target} with the status of {@code statusSource}: the other part is not writable. */
  private static ObjectNode withStatusOf(ObjectNode target, ObjectNode statusSource) {
    ObjectNode result = target.deepCopy();
    if (statusSource.hasNonNull("status")) {
      result.set("status", statusSource.get("status").deepCopy());
    } else {
      result.remove("status");
    }
    return result;
  }

  private static void checkResourceVersion(ObjectNode body, ObjectNode current,
      ApiTarget target) {
    String wanted = body.path("metadata").path("resourceVersion").asText("");
    if (!wanted.isEmpty() && !wanted.equals(current.path("metadata").path("resourceVersion")
        .asText())) {
      throw new BadRequest(409, "Conflict", "Operation cannot be fulfilled on " + target.plural()
          + " \"" + target.name() + "\": the object has been modified; please apply your "
          + "changes to the latest version and try again");
    }
  }

  /**
   * RFC 7386 merge patch; with a schema, the strategic variant: associative lists merge item by
   * item on their keys instead of being replaced.
   */
  private static JsonNode mergePatch(JsonNode target, JsonNode patch, FieldPaths strategic) {
    return mergePatch(target, patch, strategic, new ArrayList<>());
  }

  private static JsonNode mergePatch(JsonNode target, JsonNode patch, FieldPaths strategic,
      List<String> names) {
    if (!patch.isObject()) {
      if (strategic != null && patch.isArray() && target != null && target.isArray()
          && !names.isEmpty()) {
        return strategic.merge(target, patch, names);
      }
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        List<String> child = new ArrayList<>(names);
        child.add(field.getKey());
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue(),
            strategic, child));
      }
    }
    return result;
  }

  private FieldManager fieldManager(ApiTarget target) {
    return new FieldManager(schemaOf(target));
  }

  /** Built-in kinds by their Go markers; custom resources by their CRD's schema. */
  FieldSchema schemaOf(ApiTarget target) {
    if (BUILT_IN_GROUPS.contains(target.group())) {
      return FieldSchema.BUILT_IN;
    }
    Map.Entry<AttributeSet, String> crd = store.findResource(store.getKey(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + target.plural() + "."
            + target.group()));
    if (crd == null) {
      return FieldSchema.BUILT_IN;
    }
    for (JsonNode version : parse(crd.getValue()).path("spec").path("versions")) {
      if (target.version().equals(version.path("name").asText())) {
        return FieldSchema.custom(version.path("schema").path("openAPIV3Schema"));
      }
    }
    return FieldSchema.BUILT_IN;
  }

  /**
   * The object as it reads back from storage: numbers built in Java (long) and parsed (int)
   * must compare equal, or every write would look like a change.
   */
  private static ObjectNode normalized(ObjectNode object) {
    return (ObjectNode) parse(FieldPaths.write(object));
  }

  private static ObjectNode withoutMetadataAndStatus(ObjectNode object) {
    ObjectNode copy = object.deepCopy();
    copy.remove(List.of("metadata", "status"));
    return copy;
  }

  static List<String> finalizersOf(JsonNode object) {
    List<String> finalizers = new ArrayList<>();
    object.path("metadata").path("finalizers").forEach(f -> finalizers.add(f.asText()));
    return finalizers;
  }

  private static ObjectNode metadataOf(ObjectNode object) {
    JsonNode metadata = object.get("metadata");
    return metadata instanceof ObjectNode node ? node : object.putObject("metadata");
  }

  private static String kindOf(ObjectNode body, ApiTarget target) {
    return body.path("kind").asText(target.plural());
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return suffix.toString();
  }

  private static ObjectNode body(RecordedRequest request) {
    JsonNode body = parse(request.getUtf8Body());
    if (!body.isObject()) {
      throw new BadRequest(400, "BadRequest", "the request body is not an object");
    }
    return (ObjectNode) body;
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new BadRequest(400, "BadRequest", "cannot parse the body: " + e.getMessage());
    }
  }

  private static JsonNode parseYaml(String yaml) {
    try {
      JsonNode node = YAML.readTree(yaml);
      if (node == null || !node.isObject()) {
        throw new BadRequest(400, "BadRequest", "an apply body must be an object");
      }
      // YAML and JSON number nodes must compare equal to what is stored.
      return JSON.readTree(JSON.writeValueAsString(node));
    } catch (IOException e) {
      throw new BadRequest(400, "BadRequest", "cannot parse the apply body: " + e.getMessage());
    }
  }

  private static BadRequest notFound(ApiTarget target) {
    return new BadRequest(404, "NotFound", target.plural() + " \"" + target.name()
        + "\" not found");
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private static MockResponse status(int code, String reason, String message) {
    Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
        .withMessage(message).build();
    return json(code, Serialization.asJson(status));
  }

  /** A request the API server refuses, with its HTTP code and Status reason. */
  static final class BadRequest extends RuntimeException {
    final int code;
    final String reason;

    BadRequest(int code, String reason, String message) {
      super(message);
      this.code = code;
      this.reason = reason;
    }
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }
}
