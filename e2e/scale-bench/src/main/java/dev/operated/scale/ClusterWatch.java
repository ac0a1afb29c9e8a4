package dev.operated.scale;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the benchmark sees of the cluster, through informers as any client would: when each
 * expected object first exists, when each Deployment is available and when each OperatedService
 * is Ready. Times are this JVM's clock, the one the creates were timed with.
 */
final class ClusterWatch implements AutoCloseable {

  /** A kind to watch: {@code apiVersion} and {@code kind}. */
  record Kind(String apiVersion, String kind) {
  }

  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final Map<String, Instant> available = new ConcurrentHashMap<>();
  private final Map<String, Instant> ready = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

  ClusterWatch(KubernetesClient client, Collection<Kind> kinds) {
    for (Kind kind : kinds) {
      informers.add(client.genericKubernetesResources(kind.apiVersion(), kind.kind())
          .inAnyNamespace().inform(handler(kind), 0));
    }
  }

  static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  private ResourceEventHandler<GenericKubernetesResource> handler(Kind kind) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource object) {
        look(object);
      }

      @Override
      public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource object) {
        look(object);
      }

      @Override
      public void onDelete(GenericKubernetesResource object, boolean unknownFinalState) {
      }

      private void look(GenericKubernetesResource object) {
        Instant now = Instant.now();
        String key = key(kind.kind(), object.getMetadata().getNamespace(),
            object.getMetadata().getName());
        seen.putIfAbsent(key, now);
        if ("Deployment".equals(kind.kind()) && deploymentAvailable(object)) {
          available.putIfAbsent(key, now);
        }
        if ("OperatedService".equals(kind.kind()) && conditionTrue(object, "Ready")) {
          ready.putIfAbsent(key, now);
        }
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static boolean deploymentAvailable(GenericKubernetesResource deployment) {
    Map<String, Object> spec = (Map<String, Object>) deployment.getAdditionalProperties()
        .getOrDefault("spec", Map.of());
    Map<String, Object> status = (Map<String, Object>) deployment.getAdditionalProperties()
        .getOrDefault("status", Map.of());
    int replicas = ((Number) spec.getOrDefault("replicas", 1)).intValue();
    int availableReplicas = ((Number) status.getOrDefault("availableReplicas", 0)).intValue();
    return availableReplicas >= replicas;
  }

  @SuppressWarnings("unchecked")
  private static boolean conditionTrue(GenericKubernetesResource object, String type) {
    Map<String, Object> status = (Map<String, Object>) object.getAdditionalProperties()
        .getOrDefault("status", Map.of());
    for (Object condition : (List<Object>) status.getOrDefault("conditions", List.of())) {
      Map<String, Object> fields = (Map<String, Object>) condition;
      if (type.equals(fields.get("type")) && "True".equals(fields.get("status"))) {
        return true;
      }
    }
    return false;
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

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
