package dev.operated.scale;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the benchmark sees of the cluster, through watches as any client would: when each
 * expected object first exists, when each Deployment is available and when each OperatedService
 * is Ready. Times are this JVM's clock, the one the creates were timed with, taken as each event
 * is read ({@link WatchStream}: the fields timed and nothing else).
 */
final class ClusterWatch implements AutoCloseable {

  /** A kind to watch: {@code apiVersion} and {@code kind}. */
  record Kind(String apiVersion, String kind) {
  }

  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final Map<String, Instant> available = new ConcurrentHashMap<>();
  private final Map<String, Instant> ready = new ConcurrentHashMap<>();
  private final List<WatchStream> watches = new ArrayList<>();

  ClusterWatch(KubernetesClient client, Collection<Kind> kinds) {
    for (Kind kind : kinds) {
      watches.add(new WatchStream(client, kind, observed -> look(kind, observed)));
    }
  }

  static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  private void look(Kind kind, WatchStream.Observed object) {
    if ("DELETED".equals(object.type())) {
      return;
    }
    Instant now = Instant.now();
    String key = key(kind.kind(), object.namespace(), object.name());
    seen.putIfAbsent(key, now);
    if ("Deployment".equals(kind.kind()) && object.availableReplicas() >= object.replicas()) {
      available.putIfAbsent(key, now);
    }
    if ("OperatedService".equals(kind.kind()) && object.trueConditions().contains("Ready")) {
      ready.putIfAbsent(key, now);
    }
  }

  Instant seen(String key) {
    return seen.get(key);
  }

  Instant available(String key) {
    return available.get(key);
  }

  Instant ready(String key) {
    return ready.get(key);
  }

  /** Waits until every key is in the map; the keys still missing when the timeout passed. */
  List<String> await(Map<String, Instant> which, Collection<String> keys, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline) && !which.keySet().containsAll(keys)) {
      OperatorProcess.pause(Duration.ofMillis(100));
    }
    return keys.stream().filter(key -> !which.containsKey(key)).toList();
  }

  List<String> awaitSeen(Collection<String> keys, Duration timeout) {
    return await(seen, keys, timeout);
  }

  List<String> awaitAvailable(Collection<String> keys, Duration timeout) {
    return await(available, keys, timeout);
  }

  List<String> awaitReady(Collection<String> keys, Duration timeout) {
    return await(ready, keys, timeout);
  }

  /** The watches that are failing now, each with its last error: why a wait may time out. */
  List<WatchStream.Failing> failing() {
    return watches.stream().flatMap(watch -> watch.failing().stream()).toList();
  }

  @Override
  public void close() {
    watches.forEach(WatchStream::close);
  }
}
