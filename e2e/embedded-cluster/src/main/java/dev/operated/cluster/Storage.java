package dev.operated.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.cluster.ApiErrors.ApiException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.mockwebserver.crud.AttributeSet;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The storage stage (what kube-apiserver's registry and etcd are together): fabric8's CRUD
 * dispatcher keeps the objects, answers reads and serves watches; every write is computed here
 * (server-side apply and managedFields through {@link FieldManager}, generation, resourceVersion,
 * deletion with finalizers and grace periods), passes {@link MutatingAdmission} and
 * {@link ValidatingAdmission}, and is stored through the dispatcher's own event path, so watchers
 * see exactly one event per write, as from a real server.
 */
final class Storage {

  private static final ObjectMapper JSON = FieldPaths.JSON;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectReader JSON_OBJECT = JSON.reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  static final String APPLY_PATCH = "application/apply-patch+yaml";
  private static final SecureRandom RANDOM = new SecureRandom();

  // hook: indexed by kind, namespace and name; fabric8's dispatcher scans every object per lookup
  private final IndexedCrudStore store = new IndexedCrudStore();
  /** The store's map is not thread-safe: reads share this lock, writes take it alone. */
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Clock clock;
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private final CustomResourceTypes customResources = new CustomResourceTypes(this);
  private final MutatingAdmission mutating = new MutatingAdmission(customResources);
  private final ValidatingAdmission validating = new ValidatingAdmission(customResources);
  /** Its holders are "namespace/name"; a holder's Service is looked up as last committed. */
  private final ServiceAddresses serviceAddresses = new ServiceAddresses(holder -> {
    int slash = holder.indexOf('/');
    String stored = latestObject("/api/v1/namespaces/" + holder.substring(0, slash)
        + "/services/" + holder.substring(slash + 1));
    return stored == null ? null : parse(stored);
  });

  /** A stored object and where it lives. */
  record Stored(ApiTarget target, ObjectNode object) {
  }

  /** What the in-process controllers hear of every write; {@code object} is null when deleted. */
  record Change(ApiTarget target, ObjectNode object, ObjectNode previous) {
  }

  /**
   * Who writes and how strictly the body is decoded: the field manager, the
   * {@code fieldValidation} directive (Strict, Warn or Ignore) and the warnings the answer carries.
   */
  record WriteContext(String manager, String fieldValidation, List<String> warnings) {

    /** A write by the server's own controllers: unknown fields dropped silently. */
    static WriteContext internal(String manager) {
      return new WriteContext(manager, MutatingAdmission.IGNORE, new ArrayList<>());
    }
  }

  Storage(Clock clock) {
    this.clock = clock;
    addListener(change -> {
      if (change.object() == null && isService(change.target())) {
        serviceAddresses.release(change.previous());
      }
    });
  }

  private static boolean isService(ApiTarget target) {
    return "services".equals(target.plural()) && target.group().isEmpty();
  }

  /** Listeners run under the write lock: they must only take note and return. */
  void addListener(Consumer<Change> listener) {
    listeners.add(listener);
  }

  void removeListener(Consumer<Change> listener) {
    listeners.remove(listener);
  }

  private void notifyListeners(ApiTarget target, ObjectNode object, ObjectNode previous) {
    WriteOutcome.stored(); // hook: the request log's "changed" (every committed write passes here)
    Change change = new Change(target.object(), object, previous);
    listeners.forEach(listener -> listener.accept(change));
  }

  /** A read, list or watch, answered by the CRUD dispatcher. */
  MockResponse read(RecordedRequest request) {
    lock.readLock().lock();
    try {
      // typed lists and the Content-Type are ResourceReads', which every resource GET passes
      return store.dispatch(request);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs {@code step} with no write in between: a WebSocket watch's replay of the current objects
   * as it opens and its joining the watchers, which the store does not lock itself (fabric8's
   * dispatcher iterated its map for the replay outside this lock, and a write meanwhile threw
   * ConcurrentModificationException there and cut the replay short, so a reconnecting informer
   * never heard of what had changed while it was away).
   */
  void withoutWrites(Runnable step) {
    lock.readLock().lock();
    try {
      step.run();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Runs {@code step} between two writes: a WebSocket watch leaving the watchers a write
   * notifies, so that no write sends on a socket half closed (fabric8's listener shut its
   * executor down before it left them, and a write that reached it in between failed with
   * RejectedExecutionException, a 500 for the writer).
   */
  void betweenWrites(Runnable step) {
    lock.writeLock().lock();
    try {
      step.run();
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- reads used by the server's own stages and controllers, in-process ----

  /**
   * Whether a discovery document lists the target's resource: a built-in kind, or a version a
   * stored CRD serves. kube-apiserver has no handler for any other and answers 404; fabric8's
   * store would keep whatever is written to any path.
   */
  boolean serves(ApiTarget target) {
    return Discovery.servesBuiltIn(target) || customResources.find(target).isPresent();
  }

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

  /**
   * The text of an object as its last commit stored it, read without the lock (a commit in
   * progress may not be in it yet): for lookups that only compare it (the CRD cache) and for the
   * read a write checks again under the lock. The CRD lookups of every custom resource write
   * waited for the read lock behind queued writers (docs/benchmarks.md, "the tenth round").
   */
  String latestObject(String objectPath) {
    return store.latest(objectPath);
  }

  /** The stored text of an object, exactly: under the write lock, what a commit compares. */
  private String rawObject(String objectPath) {
    lock.readLock().lock();
    try {
      Map.Entry<AttributeSet, String> entry = store.findResource(store.getKey(objectPath));
      return entry == null ? null : entry.getValue();
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- writes by the server's own controllers, in-process and not logged as client requests ----

  ObjectNode createInternal(ApiTarget collection, ObjectNode body, String manager) {
    return expect(create(collection, body, WriteContext.internal(manager)), collection);
  }

  /**
   * Changes an object (or its status subresource), as a controller's update does: {@code change}
   * sees the object as stored and runs again if another write commits first, so it must only
   * change the copy it is given. Null if the object is absent.
   */
  ObjectNode updateInternal(ApiTarget target, UnaryOperator<ObjectNode> change, String manager) {
    WriteContext context = WriteContext.internal(manager);
    String json = guaranteed(target, context, current -> {
      if (current == null) {
        return () -> null;
      }
      ObjectNode changed = change.apply(current.deepCopy());
      ObjectNode updated = "status".equals(target.subresource())
          ? withStatusWritableMetadata(target, withStatusOf(current, changed), changed)
          : withStatusOf(changed, current);
      return written(target, current, updated, context);
    });
    return json == null ? null : (ObjectNode) parse(json);
  }

  void deleteInternal(ApiTarget target, ObjectNode options) {
    try {
      delete(target, FieldPaths.write(options));
    } catch (ApiException e) {
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

  // ---- writes ----

  MockResponse create(ApiTarget target, ObjectNode body, WriteContext context) {
    ObjectNode metadata = metadataOf(body);
    if (!metadata.hasNonNull("name") && metadata.hasNonNull("generateName")) {
      metadata.put("name", metadata.get("generateName").asText() + randomSuffix());
    }
    if (!metadata.hasNonNull("name")) {
      throw ApiErrors.invalid(kindOf(body, target), target.group(), "",
          List.of(new FieldError("metadata.name", FieldError.Type.REQUIRED, null,
              "name or generateName is required")));
    }
    if (target.namespace() != null) {
      metadata.put("namespace", target.namespace());
    }
    ApiTarget object = target.withName(metadata.get("name").asText());
    body.remove("status");
    return guaranteed(object, context, current -> {
      if (current != null) {
        // admission comes before storage: a terminating namespace refuses even a taken name
        admitIntoItsNamespace(object);
        ApiErrors.ApiException taken = ApiErrors.alreadyExists(target, object.name());
        throw current.path("metadata").hasNonNull("deletionTimestamp")
            ? ApiErrors.beingDeleted(taken) : taken; // the registry's Create
      }
      ObjectNode decoded = body.deepCopy();
      mutating.decode(object, decoded, context);
      ObjectNode stored = fieldManager(target).update(null, StoredForm.of(decoded),
          context.manager(), null, now());
      Supplier<String> commit = admitted(object, null, stored);
      refuseAVersionOnCreate(body);
      return () -> json(201, commit.get());
    });
  }

  MockResponse replace(ApiTarget target, ObjectNode body, WriteContext context) {
    return guaranteed(target, context, current -> {
      if (current == null) {
        throw ApiErrors.notFound(target);
      }
      ObjectNode given = body.deepCopy();
      checkResourceVersion(given, current, target);
      mutating.decode(target, given, context); // a strict decoding's 400 comes first
      refuseAnUnconditionalUpdate(given, target);
      ObjectNode updated = switch (String.valueOf(target.subresource())) {
        case "status" -> withStatusWritableMetadata(target, withStatusOf(current, given), given);
        case "scale" -> withReplicas(current, given);
        case "finalize" -> NamespaceLifecycle.withFinalizersOf(target, current, given);
        default -> withStatusOf(given, current);
      };
      Supplier<String> commit = written(target, current, updated, context);
      return () -> json(200, scaleAnswer(target, commit.get()));
    });
  }

  MockResponse patch(ApiTarget target, String contentType, String patchBody,
      WriteContext context) {
    // decoded before the lock that every write waits for
    ObjectNode applied = contentType.startsWith(APPLY_PATCH) ? (ObjectNode) parseYaml(patchBody)
        : null;
    return guaranteed(target, context, current -> {
      if (applied != null) {
        return apply(target, current, applied.deepCopy(), context);
      }
      if (current == null) {
        throw ApiErrors.notFound(target);
      }
      JsonNode patch = parse(patchBody);
      ObjectNode view = "scale".equals(target.subresource()) ? scaleOf(current) : current;
      JsonNode patched;
      try {
        if (contentType.startsWith("application/json-patch+json")) {
          patched = JsonPatch.apply(patch, view);
        } else if (contentType.startsWith("application/merge-patch+json")) {
          patched = MergePatch.apply(view, patch);
        } else if (customResources.find(target).isPresent()) {
          // crdHandler.serveResource: a custom resource has no Go struct to carry patch tags
          throw ApiErrors.unsupportedMediaType(contentType, List.of(
              "application/json-patch+json", "application/merge-patch+json",
              "application/apply-patch+yaml"));
        } else if (contentType.startsWith("application/strategic-merge-patch+json")) {
          patched = new StrategicMergePatch(FieldSchema.BUILT_IN).apply(view, patch);
        } else {
          throw ApiErrors.unsupportedMediaType(contentType);
        }
      } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
        throw ApiErrors.unprocessable(e.getMessage());
      }
      checkResourceVersion((ObjectNode) patched, view, target);
      if (!"scale".equals(target.subresource())) {
        mutating.decode(target, (ObjectNode) patched, context);
      }
      ObjectNode updated = switch (String.valueOf(target.subresource())) {
        case "status" -> withStatusWritableMetadata(target, withStatusOf(current,
            (ObjectNode) patched), (ObjectNode) patched);
        case "scale" -> withReplicas(current, (ObjectNode) patched);
        default -> withStatusOf((ObjectNode) patched, current);
      };
      Supplier<String> commit = written(target, current, updated, context);
      return () -> json(200, scaleAnswer(target, commit.get()));
    });
  }

  /**
   * kube-apiserver's GuaranteedUpdate (its etcd3 store): a write is computed from the object as
   * last stored (decoding, field management, defaults, admission) without the lock every write
   * waits for, and committed under it only if the object is still the one read, as etcd's
   * transaction compares the key's revision; if another write got there first, it is computed
   * again from what that one stored. The lock is held for the commit alone: with everything
   * under it, a storm of writes queued for it (200 ms a create at N = 1,000 in the scale
   * benchmark). The server's own controllers write the same way, as kube-controller-manager's
   * writes reach the same GuaranteedUpdate: while the kubelet computed its pod updates under the
   * lock, client requests waited on it (docs/benchmarks.md, "the tenth round").
   *
   * @param compute the write from the object as read (null if absent): what committing it
   *     answers; its refusals stand only if the object did not change meanwhile
   */
  private <T> T guaranteed(ApiTarget target, WriteContext context,
      Function<ObjectNode, Supplier<T>> compute) {
    String read = latestObject(target.objectPath());
    int warned = context.warnings().size();
    Supplier<T> computed = null;
    ApiException refused = null;
    try {
      computed = compute.apply(read == null ? null : (ObjectNode) parse(read));
    } catch (ApiException e) {
      refused = e;
    }
    lock.writeLock().lock();
    try {
      // the stored text is the same String instance until the object is written again
      String stored = rawObject(target.objectPath());
      if (stored != read) {
        context.warnings().subList(warned, context.warnings().size()).clear();
        computed = compute.apply(stored == null ? null : (ObjectNode) parse(stored));
      } else if (refused != null) {
        throw refused;
      }
      return computed.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private Supplier<MockResponse> apply(ApiTarget target, ObjectNode current, ObjectNode config,
      WriteContext context) {
    if (!target.query().containsKey("fieldManager")) {
      // handlers/patch.go, validation.ValidatePatchOptions: refused before anything else.
      throw ApiErrors.invalid("PatchOptions", "meta.k8s.io", "", List.of(new FieldError(
          "fieldManager", FieldError.Type.REQUIRED, null, "is required for apply patch")));
    }
    String patchVersion = config.path("apiVersion").asText("");
    if (!patchVersion.equals(target.apiVersion())) {
      // fieldmanager's Apply: the applied object must be in the version of the request.
      throw ApiErrors.badRequest("Incorrect version specified in apply patch. Specified patch "
          + "version: " + patchVersion + ", expected: " + target.apiVersion());
    }
    if (current == null && config.path("metadata").hasNonNull("uid")) {
      // handlers/patch.go: an apply naming a uid only ever updates that object.
      throw ApiErrors.conflict(target, "uid mismatch: the provided object specified uid "
          + config.path("metadata").path("uid").asText() + ", and no existing object was found");
    }
    boolean force = "true".equals(target.query().get("force"));
    String subresource = target.subresource();
    if (current == null && subresource != null) {
      throw ApiErrors.notFound(target);
    }
    if (current != null) {
      checkResourceVersion(config, current, target);
    }
    // typed as the client sent it, before the server fills in the name and namespace
    mutating.decodeApply(target, config);
    if (target.namespace() != null) {
      metadataOf(config).put("namespace", target.namespace());
    }
    metadataOf(config).put("name", target.name());
    ObjectNode applied;
    try {
      applied = fieldManager(target).apply(current, config, context.manager(), force,
          subresource, now());
    } catch (ApplyConflictException e) {
      throw ApiErrors.applyConflict(target, e);
    }
    int code = current == null ? 201 : 200;
    Supplier<String> commit = admitted(target, current, applied);
    return () -> json(code, commit.get());
  }

  /** A non-apply write: managedFields follow what changed; then stored unless nothing did. */
  private Supplier<String> written(ApiTarget target, ObjectNode current, ObjectNode given,
      WriteContext context) {
    ObjectNode updated = StoredForm.of(given);
    metadataOf(updated).set("managedFields", current.path("metadata").path("managedFields"));
    ObjectNode tracked = fieldManager(target).update(current, updated, context.manager(),
        target.subresource(), now());
    return admitted(target, current, tracked);
  }

  /**
   * A computed object made ready to store: server-owned metadata, admission (defaults, canonical
   * quantities, schema and CEL), generation. Committing it (under the write lock, the object
   * still {@code current}) stores it, unless it changes nothing: then nothing is stored and no
   * event sent, as on a real server. Gives the object's JSON as answered.
   */
  private Supplier<String> admitted(ApiTarget target, ObjectNode current, ObjectNode given) {
    ObjectNode next = StoredForm.of(given);
    ObjectNode metadata = metadataOf(next);
    if (next.path("apiVersion").isMissingNode()) {
      next.put("apiVersion", target.apiVersion());
    }
    if (current == null) {
      // stage: the NamespaceLifecycle admission plugin, first of the chain on a create
      admitIntoItsNamespace(target);
      metadata.put("uid", UUID.randomUUID().toString());
      metadata.put("creationTimestamp", now());
      if (keepsGeneration(target)) {
        metadata.put("generation", 1);
      }
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
    }
    if (NamespaceLifecycle.isNamespace(target)) {
      NamespaceLifecycle.prepare(target, next, current);
    }
    // stage: mutating admission, then validating admission (kube-apiserver's order)
    mutating.admit(target, next);
    if (isService(target) && !"status".equals(target.subresource())) {
      serviceAddresses.allocate(next, current);
    }
    validating.admit(target, next, current);
    next = StoredForm.of(next);
    metadata = metadataOf(next);
    ObjectNode admitted = next;
    if (current != null) {
      if (admitted.equals(current)) {
        return () -> FieldPaths.write(current);
      }
      String countedMetadata = metadataCountedInGeneration(target);
      if (keepsGeneration(target) && (!Objects.equals(withoutMetadataAndStatus(current),
          withoutMetadataAndStatus(admitted)) || countedMetadata != null && !Objects.equals(
              mapOrEmpty(current.path("metadata").path(countedMetadata)),
              mapOrEmpty(admitted.path("metadata").path(countedMetadata))))) {
        metadata.put("generation", current.path("metadata").path("generation").asLong(1) + 1);
      }
      if (metadata.has("deletionTimestamp") && finalizersOf(admitted).isEmpty()
          && !awaitsKubelet(admitted)
          && (!NamespaceLifecycle.isNamespace(target) || NamespaceLifecycle.finalized(admitted))) {
        return () -> {
          remove(target, current);
          return FieldPaths.write(admitted);
        };
      }
    }
    // what does not depend on the resourceVersion is worked out before the lock
    AttributeSet key = store.getKey(target.objectPath());
    GenericKubernetesResource keyed = keyed(admitted);
    if (current == null) {
      return () -> {
        // again under the lock: a namespace marked as deleting meanwhile takes nothing new,
        // which the namespace controller's last list would not see
        admitIntoItsNamespace(target);
        return stored(target, key, keyed, null, admitted);
      };
    }
    return () -> stored(target, key, keyed, current, admitted);
  }

  /**
   * The commit, under the write lock: the next resourceVersion, the store, the watchers.
   * {@code key} and {@code keyed} are what the store files {@code next} under.
   */
  private String stored(ApiTarget target, AttributeSet key, GenericKubernetesResource keyed,
      ObjectNode current, ObjectNode next) {
    if (DryRun.active()) { // stage: a dry run stops before storage
      return FieldPaths.write(next);
    }
    metadataOf(next).put("resourceVersion", String.valueOf(store.requestResourceVersion()));
    String json = FieldPaths.write(next);
    Map.Entry<AttributeSet, String> existing = store.findResource(key);
    store.processEvent(target.objectPath(), key, existing == null ? null : existing.getKey(),
        keyed, json);
    notifyListeners(target, next, current);
    return json;
  }

  /**
   * What the dispatcher keys a stored object by, and all its attribute extractor reads
   * ({@code KubernetesAttributesExtractor.extract}): apiVersion, kind, name, namespace and labels.
   * Typing the whole object for that cost a fifth of the server's time under the write lock.
   */
  private static GenericKubernetesResource keyed(ObjectNode object) {
    GenericKubernetesResource keyed = new GenericKubernetesResource();
    keyed.setApiVersion(object.path("apiVersion").asText(null));
    keyed.setKind(object.path("kind").asText(null));
    JsonNode metadata = object.path("metadata");
    ObjectMeta meta = new ObjectMeta();
    meta.setName(metadata.path("name").asText(null));
    meta.setNamespace(metadata.path("namespace").asText(null));
    if (metadata.path("labels").isObject()) {
      Map<String, String> labels = new LinkedHashMap<>();
      metadata.get("labels").fields().forEachRemaining(label ->
          labels.put(label.getKey(), label.getValue().asText()));
      meta.setLabels(labels);
    }
    keyed.setMetadata(meta);
    return keyed;
  }

  private void remove(ApiTarget target, ObjectNode current) {
    AttributeSet key = store.getKey(target.objectPath());
    Map.Entry<AttributeSet, String> existing = store.findResource(key);
    if (existing != null && !DryRun.active()) { // stage: a dry run stops before storage
      store.processEvent(target.objectPath(), key, existing.getKey(), null, null);
      // hook: a delete has a resourceVersion of its own, as in etcd, so a watch can tell
      // whether it started before or after it (WatchControl)
      ObjectNode deleted = current.deepCopy();
      metadataOf(deleted).put("resourceVersion", String.valueOf(store.requestResourceVersion()));
      notifyListeners(target, null, deleted);
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
        throw ApiErrors.methodNotSupported(target, "deletecollection");
      }
      ObjectNode current = get(target);
      if (current == null) {
        throw ApiErrors.notFound(target);
      }
      if (NamespaceLifecycle.isNamespace(target)) {
        NamespaceLifecycle.refuseDeletingImmortal(target);
        if (!current.path("metadata").hasNonNull("deletionTimestamp")) {
          ObjectNode marked = NamespaceLifecycle.markedTerminating(current, now());
          return json(200, stored(target, store.getKey(target.objectPath()), keyed(marked),
              current, marked));
        }
        if (!NamespaceLifecycle.finalized(current)) {
          return json(200, FieldPaths.write(current)); // REST.Delete: the content goes first
        }
      }
      ObjectNode next = current.deepCopy();
      ObjectNode metadata = metadataOf(next);
      List<String> finalizers = finalizersOf(next);
      if ("Foreground".equals(propagation) && !finalizers.contains(GarbageCollector.FOREGROUND)) {
        metadata.withArray("finalizers").add(GarbageCollector.FOREGROUND);
        finalizers.add(GarbageCollector.FOREGROUND);
      }
      // registry deletionFinalizersForGarbageCollection: Orphan (kubectl --cascade=orphan), or
      // the deprecated orphanDependents, leaves the dependents to the collector to disown
      boolean orphan = "Orphan".equals(propagation)
          || options.path("orphanDependents").asBoolean(false)
          || "true".equals(target.query().get("orphanDependents"));
      if (orphan && !finalizers.contains(GarbageCollector.ORPHAN)) {
        metadata.withArray("finalizers").add(GarbageCollector.ORPHAN);
        finalizers.add(GarbageCollector.ORPHAN);
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
        // rest.BeforeDelete (graceful) and markAsDeleting (finalizers): marking an object that
        // keeps a generation as deleting raises it
        if (metadata.path("generation").asLong(0) > 0) {
          metadata.put("generation", metadata.path("generation").asLong() + 1);
        }
        metadata.put("deletionTimestamp", now());
        long seconds = graceful ? (grace == null ? current.path("spec")
            .path("terminationGracePeriodSeconds").asLong(30) : grace) : 0;
        metadata.put("deletionGracePeriodSeconds", seconds);
      }
      if (DryRun.active()) { // stage: a dry run stops before storage
        return json(200, FieldPaths.write(next));
      }
      metadata.put("resourceVersion", String.valueOf(store.requestResourceVersion()));
      String json = FieldPaths.write(next);
      AttributeSet key = store.getKey(target.objectPath());
      store.processEvent(target.objectPath(), key, store.findResource(key).getKey(),
          keyed(next), json);
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

  MockResponse getScale(ApiTarget target) {
    ObjectNode current = get(target);
    if (current == null) {
      throw ApiErrors.notFound(target);
    }
    return json(200, FieldPaths.write(scaleOf(current)));
  }

  /** A write to /scale answers with the Scale, as client-go's scale client decodes it. */
  private static String scaleAnswer(ApiTarget target, String written) {
    return "scale".equals(target.subresource())
        ? FieldPaths.write(scaleOf((ObjectNode) parse(written))) : written;
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
    ObjectNode status = scale.putObject("status")
        .put("replicas", object.path("status").path("replicas").asInt(0));
    // the selector's String(), which an HPA lists the target's pods by
    String selector = TablePrinters.formatLabelSelector(object.path("spec").path("selector"));
    if (!"<none>".equals(selector)) {
      status.put("selector", selector);
    }
    return scale;
  }

  private static ObjectNode withReplicas(ObjectNode current, ObjectNode scale) {
    ObjectNode updated = current.deepCopy();
    ((ObjectNode) updated.get("spec")).set("replicas", scale.path("spec").get("replicas"));
    return updated;
  }

  // ---- helpers ----

  /**
   * A Deployment's status update keeps the annotations it was given: deploymentStatusStrategy
   * resets only the spec and the labels, and the Deployment controller writes the revision
   * annotation that way.
   */
  private static ObjectNode withStatusWritableMetadata(ApiTarget target, ObjectNode updated,
      ObjectNode given) {
    if ("apps".equals(target.group()) && "deployments".equals(target.plural())) {
      if (given.path("metadata").get("annotations") instanceof ObjectNode annotations) {
        metadataOf(updated).set("annotations", annotations.deepCopy());
      } else {
        metadataOf(updated).remove("annotations");
      }
    }
    return updated;
  }

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
      throw ApiErrors.conflict(target);
    }
  }

  /**
   * etcd3 {@code store.Create}: an object that carries a resourceVersion (parsed as a non-zero
   * number) is refused with {@code storage.ErrResourceVersionSetOnCreate}, a plain error the
   * handler answers as a 500 (registry {@code InterpretCreateError} passes it on). A dry run
   * never reaches it ({@code dryRunnableStorage.Create}).
   */
  private static void refuseAVersionOnCreate(ObjectNode body) {
    String version = body.path("metadata").path("resourceVersion").asText("");
    if (DryRun.active() || version.isEmpty()) {
      return;
    }
    try {
      if (Long.parseUnsignedLong(version) == 0) {
        return;
      }
    } catch (NumberFormatException notAVersion) {
      return; // ObjectResourceVersion fails to parse it, and Create goes on without it
    }
    throw ApiErrors.unknown("resourceVersion should not be set on objects to be created");
  }

  /**
   * registry {@code Store.Update}: an update without a resourceVersion is unconditional only
   * where the strategy allows it ({@code AllowUnconditionalUpdate}); {@code
   * customResourceStrategy} does not, for the object and its status alike.
   */
  private void refuseAnUnconditionalUpdate(ObjectNode given, ApiTarget target) {
    String version = given.path("metadata").path("resourceVersion").asText("");
    if (!version.isEmpty() || customResources.find(target).isEmpty()) {
      return;
    }
    throw ApiErrors.invalid(target.plural(), target.group(), target.name(), List.of(
        new FieldError("metadata.resourceVersion", FieldError.Type.INVALID,
            // field.Error prints a uint64 with %#v
            new POJONode("0x0"), "must be specified for an update")));
  }

  static final ApiTarget NAMESPACES = ApiTarget.parse("/api/v1/namespaces");

  private void admitIntoItsNamespace(ApiTarget target) {
    NamespaceLifecycle.admitCreate(target, target.name(), target.namespace() == null ? null
        : get(NAMESPACES.withName(target.namespace())));
  }

  /**
   * The built-in kinds whose strategy keeps {@code metadata.generation}: PrepareForCreate sets it
   * to 1 and PrepareForUpdate raises it on a spec change (podStrategy, deploymentStrategy,
   * rsStrategy, podDisruptionBudgetStrategy, endpointSliceStrategy, the CRD's strategy). Every
   * custom resource keeps one too (customResourceStrategy). A ConfigMap, Secret, Service,
   * Namespace, ServiceAccount, Lease, Event, Endpoints, RBAC object or, in 1.33, an HPA has none:
   * their strategies never set it, so what a client tells apart by generation on those kinds it
   * would never see change on a cluster.
   */
  private static final Set<String> KEEPING_GENERATION = Set.of("/pods", "apps/deployments",
      "apps/replicasets", "policy/poddisruptionbudgets", "discovery.k8s.io/endpointslices",
      "apiextensions.k8s.io/customresourcedefinitions");

  private static boolean keepsGeneration(ApiTarget target) {
    return !Discovery.servesBuiltIn(target)
        || KEEPING_GENERATION.contains(target.group() + "/" + target.plural());
  }

  /**
   * The metadata field whose change raises the generation as a spec change does: a Deployment's
   * annotations (copied to its ReplicaSets: deploymentStrategy.PrepareForUpdate), an
   * EndpointSlice's labels (endpointSliceStrategy.PrepareForUpdate); else null.
   */
  private static String metadataCountedInGeneration(ApiTarget target) {
    if (target.subresource() != null) {
      return null;
    }
    if ("apps".equals(target.group()) && "deployments".equals(target.plural())) {
      return "annotations";
    }
    return "discovery.k8s.io".equals(target.group()) && "endpointslices".equals(target.plural())
        ? "labels" : null;
  }

  private FieldManager fieldManager(ApiTarget target) {
    return new FieldManager(customResources.fieldSchema(target));
  }

  /**
   * A map as apimachinery's Semantic.DeepEqual compares it: missing, null and {@code {}} are the
   * same empty map.
   */
  private static JsonNode mapOrEmpty(JsonNode map) {
    return map.isObject() ? map : JsonNodeFactory.instance.objectNode();
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

  static ObjectNode metadataOf(ObjectNode object) {
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

  static com.fasterxml.jackson.databind.node.ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw ApiErrors.badRequest("cannot parse the body: " + e.getMessage());
    }
  }

  static JsonNode parseYaml(String yaml) {
    Optional<JsonNode> json = jsonObject(yaml);
    if (json.isPresent()) {
      return json.get();
    }
    try {
      JsonNode node = YAML.readTree(yaml);
      if (node == null || !node.isObject()) {
        throw ApiErrors.badRequest("error decoding YAML: an apply body must be an object");
      }
      // YAML and JSON number nodes must compare equal to what is stored.
      return StoredForm.of((ObjectNode) node);
    } catch (IOException e) {
      throw ApiErrors.badRequest("error decoding YAML: " + e.getMessage());
    }
  }

  /**
   * A body that is a JSON object, read as JSON: JSON is YAML, and it is what fabric8 and client-go
   * send as an apply body. Jackson's YAML parser took 7 % of the server's CPU in the scale
   * benchmark's storm, mostly on JSON; anything that is not one whole JSON object (trailing text,
   * YAML's own syntax) is left to the YAML parser, whose answer and error stand.
   */
  private static Optional<JsonNode> jsonObject(String text) {
    int first = 0;
    while (first < text.length() && Character.isWhitespace(text.charAt(first))) {
      first++; // not stripLeading(): no copy of the body on every apply
    }
    if (first == text.length() || text.charAt(first) != '{') {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON_OBJECT.readTree(text);
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  Optional<CustomResourceTypes.Type> customResourceType(ApiTarget target) {
    return customResources.find(target);
  }
}
