package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * fabric8's CRUD store with an index by kind, by kind and namespace, and by kind and name, so a
 * lookup or a list reads only the objects it could match instead of every stored object (the
 * dispatcher scans its whole map for each; at thousands of objects that scan was most of the
 * server's time). Answers are the dispatcher's, item for item, in kube-apiserver's order (by
 * storage key, {@link #inStorageKeyOrder}): candidates are filtered with the dispatcher's own
 * {@code matches}; what
 * the index cannot narrow (a path without a resource, a watch, an empty collection, whose answer
 * the dispatcher may take from its CRD processor) is left to the dispatcher.
 *
 * <p>Not thread-safe on its own, as the dispatcher's map is not: {@link Storage}'s lock guards
 * both (reads share it, {@link #processEvent} runs under its write lock).
 */
final class IndexedCrudStore extends KubernetesCrudDispatcher {

  private static final String PLURAL = KubernetesAttributesExtractor.PLURAL;
  private static final String NAMESPACE = KubernetesAttributesExtractor.NAMESPACE;
  private static final String NAME = KubernetesAttributesExtractor.NAME;

  private final Map<String, Set<AttributeSet>> byKind = new HashMap<>();
  private final Map<String, Set<AttributeSet>> byNamespace = new HashMap<>();
  private final Map<String, Set<AttributeSet>> byName = new HashMap<>();
  private final KubernetesAttributesExtractor extractor =
      (KubernetesAttributesExtractor) getAttributeExtractor();
  private final KubernetesResponseComposer composer =
      (KubernetesResponseComposer) getResponseComposer();
  private final Set<StoreWatch> watches = new CopyOnWriteArraySet<>();
  /**
   * The text last stored under each object path, the very String the map holds, read without the
   * lock: what a write computes from before it takes the lock (Storage's GuaranteedUpdate, which
   * compares it under the lock with the map's). Waiting for the read lock there, behind the
   * writers queued for the write lock, was three quarters of the server's lock waits in the
   * scale benchmark (docs/benchmarks.md, "the tenth round").
   */
  private final Map<String, String> latestByPath = new ConcurrentHashMap<>();
  /** The dispatcher's counter is private; lists carry its latest value. */
  private volatile long resourceVersion;

  @Override
  public long requestResourceVersion() {
    long next = super.requestResourceVersion();
    resourceVersion = next;
    return next;
  }

  @Override
  public void processEvent(String path, AttributeSet pathKey, AttributeSet oldKey,
      GenericKubernetesResource resource, String json) {
    String previous = oldKey == null ? null : getMap().get(oldKey);
    // the map and the dispatcher's CRD processor; its own watchers are never opened (handleWatch)
    super.processEvent(path, pathKey, oldKey, resource, json);
    if (oldKey != null) {
      forEachIndex(oldKey, bucket -> bucket.remove(oldKey));
    }
    AttributeSet stored = null;
    if (json != null) {
      // the key the dispatcher stored the object under (its processEvent computes it so)
      AttributeSet key = resource != null ? extractor.extract(resource)
          : extractor.fromResource(json);
      stored = key.containsKey(PLURAL) ? key : AttributeSet.merge(pathKey, key);
      AttributeSet added = stored;
      forEachIndex(added, bucket -> bucket.add(added));
    }
    if (json == null) {
      latestByPath.remove(path);
    } else {
      latestByPath.put(path, json);
    }
    if (!Objects.equals(previous, json)) {
      notifyWatches(oldKey, previous, stored, json);
    }
  }

  /**
   * The text last stored under {@code objectPath} by {@link #processEvent}, or null; without the
   * lock, so possibly older than the map's by a write in progress: only for a read its reader
   * checks again under the write lock.
   */
  String latest(String objectPath) {
    return latestByPath.get(objectPath);
  }

  /** As the dispatcher told its watchers: by whether each matched the object before and after. */
  private void notifyWatches(AttributeSet before, String previous, AttributeSet after,
      String json) {
    WatchFrames frames = new WatchFrames(json, previous);
    for (StoreWatch watch : watches) {
      boolean matchedBefore = before != null && watch.matches(before, previous);
      boolean matchesAfter = after != null && watch.matches(after, json);
      if (matchedBefore && matchesAfter) {
        watch.send(frames.of(WatchFrames.Type.MODIFIED));
      } else if (matchedBefore) {
        watch.send(frames.of(WatchFrames.Type.DELETED));
      } else if (matchesAfter) {
        watch.send(frames.of(WatchFrames.Type.ADDED));
      }
    }
  }

  /**
   * A WebSocket watch of the path's attributes (kind, namespace, labels), answered by a
   * {@link StoreWatch}; its field selector, which the path no longer carries, is the stage's
   * ({@code ResourceReads}, {@link StoreWatch#selectFields}).
   */
  @Override
  public MockResponse handleWatch(String path) {
    return new MockResponse().withWebSocketUpgrade(
        new StoreWatch(extractor.fromPath(path), watches, this::replay));
  }

  /** A watch's first events: ADDED for each object it matches, in a list's order. */
  private void replay(StoreWatch watch) {
    Collection<AttributeSet> candidates = candidates(watch.query());
    for (AttributeSet key : candidates == null ? getMap().keySet()
        : inStorageKeyOrder(candidates, watch.query())) {
      String json = getMap().get(key);
      if (watch.matches(key, json)) {
        watch.send(WatchFrames.frame(WatchFrames.Type.ADDED, json));
      }
    }
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
    Collection<AttributeSet> candidates = candidates(query);
    if (candidates == null) {
      return super.findResource(query);
    }
    for (AttributeSet key : candidates) {
      if (key.matches(query)) {
        return Map.entry(key, getMap().get(key));
      }
    }
    return null;
  }

  @Override
  public MockResponse handleGet(String path) {
    if (path.contains("watch=")) {
      return super.handleGet(path);
    }
    AttributeSet query = extractor.fromPath(path);
    Collection<AttributeSet> candidates = candidates(query);
    if (candidates == null) {
      return super.handleGet(path);
    }
    List<String> items = new ArrayList<>();
    for (AttributeSet key : inStorageKeyOrder(candidates, query)) {
      items.add(getMap().get(key));
    }
    if (query.containsKey(NAME)) {
      return items.isEmpty() ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(items.get(0));
    }
    if (items.isEmpty()) {
      return super.handleGet(path);
    }
    return new MockResponse().setResponseCode(200)
        .setBody(composer.compose(items, String.valueOf(resourceVersion)));
  }

  @Override
  public void reset() {
    super.reset();
    latestByPath.clear();
    byKind.clear();
    byNamespace.clear();
    byName.clear();
  }

  /**
   * The candidates that match {@code query}, in the order kube-apiserver lists them: its etcd3
   * store's {@code GetList} reads the key range {@code /registry/<resource>/[<namespace>/]}, and
   * etcd answers a range in byte order of the keys, so a list is sorted by namespace and name as
   * one string, {@code <namespace>/<name>} (which puts {@code default-2/a} before
   * {@code default/a}). Insertion order put every object a write had touched at the end: a pod
   * whose status changed moved to the bottom of {@code kubectl get pods}.
   */
  private static List<AttributeSet> inStorageKeyOrder(Collection<AttributeSet> candidates,
      AttributeSet query) {
    List<Map.Entry<String, AttributeSet>> matched = new ArrayList<>();
    for (AttributeSet key : candidates) {
      if (key.matches(query)) {
        matched.add(Map.entry(storageKey(key), key));
      }
    }
    matched.sort(Map.Entry.comparingByKey());
    List<AttributeSet> ordered = new ArrayList<>(matched.size());
    matched.forEach(entry -> ordered.add(entry.getValue()));
    return ordered;
  }

  /** The object's etcd key below its resource's prefix: {@code [<namespace>/]<name>}. */
  private static String storageKey(AttributeSet key) {
    String namespace = single(key, NAMESPACE);
    String name = String.valueOf(single(key, NAME));
    return namespace == null ? name : namespace + "/" + name;
  }

  /** The stored keys that could match, in store order; null when the index cannot narrow. */
  private Collection<AttributeSet> candidates(AttributeSet query) {
    String plural = single(query, PLURAL);
    if (plural == null) {
      return null;
    }
    String name = single(query, NAME);
    if (name != null) {
      return byName.getOrDefault(plural + "/" + name, Set.of());
    }
    String namespace = single(query, NAMESPACE);
    if (namespace != null) {
      return byNamespace.getOrDefault(plural + "/" + namespace, Set.of());
    }
    return byKind.getOrDefault(plural, Set.of());
  }

  private void forEachIndex(AttributeSet key, java.util.function.Consumer<Set<AttributeSet>>
      change) {
    String plural = single(key, PLURAL);
    if (plural == null) {
      return;
    }
    change.accept(byKind.computeIfAbsent(plural, ignored -> new LinkedHashSet<>()));
    String namespace = single(key, NAMESPACE);
    if (namespace != null) {
      change.accept(byNamespace.computeIfAbsent(plural + "/" + namespace,
          ignored -> new LinkedHashSet<>()));
    }
    String name = single(key, NAME);
    if (name != null) {
      change.accept(byName.computeIfAbsent(plural + "/" + name,
          ignored -> new LinkedHashSet<>()));
    }
  }

  /**
   * The one value an attribute must equal, or null: absent, a set of values, another kind of
   * requirement, or the wildcard {@code *} that {@code Value} lets match anything.
   */
  private static String single(AttributeSet set, String name) {
    Attribute attribute = set.getAttribute(name);
    if (attribute == null || attribute.getType() != AttributeType.WITH
        || attribute.getValues().size() != 1) {
      return null;
    }
    String value = String.valueOf(attribute.getValues().get(0));
    return "*".equals(value) ? null : value;
  }
}
