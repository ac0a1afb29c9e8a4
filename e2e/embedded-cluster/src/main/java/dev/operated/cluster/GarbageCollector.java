package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The garbage collector (https://kubernetes.io/docs/concepts/architecture/garbage-collection/):
 * an object whose owners are all gone is deleted in the background; an owner deleted with
 * foreground propagation keeps its {@code foregroundDeletion} finalizer until its dependents are
 * gone. Finalizers of dependents are honoured because deletion goes through the API's own path.
 */
final class GarbageCollector implements AutoCloseable {

  static final String FOREGROUND = "foregroundDeletion";
  static final String MANAGER = "generic-garbage-collector";
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final Storage api;
  private final Semaphore wakeUp = new Semaphore(0);
  private final Thread worker;
  private volatile boolean running = true;
  /** Held, as when kube-controller-manager is down or behind: dependents of the deleted wait. */
  private volatile boolean held;

  GarbageCollector(Storage api) {
    this.api = api;
    api.addListener(change -> {
      if (change.object() == null
          || change.object().path("metadata").hasNonNull("deletionTimestamp")) {
        wakeUp.release();
      }
    });
    worker = new Thread(this::run, "embedded-cluster-garbage-collector");
    worker.setDaemon(true);
    worker.start();
  }

  private void run() {
    while (running) {
      try {
        // Also sweeps now and then: dependents created after their owner was deleted.
        wakeUp.tryAcquire(2, TimeUnit.SECONDS);
        wakeUp.drainPermits();
        if (running && !held) {
          sweep();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.warn("garbage collection sweep failed; retrying", e);
      }
    }
  }

  void hold() {
    held = true;
  }

  void release() {
    held = false;
    wakeUp.release();
  }

  void sweep() {
    List<Storage.Stored> objects = api.allObjects();
    Map<String, Storage.Stored> byUid = new HashMap<>();
    for (Storage.Stored stored : objects) {
      byUid.put(stored.object().path("metadata").path("uid").asText(), stored);
    }
    Set<String> ownersWithDependents = new HashSet<>();
    for (Storage.Stored stored : objects) {
      JsonNode owners = stored.object().path("metadata").path("ownerReferences");
      if (owners.isEmpty()) {
        continue;
      }
      boolean anyOwnerLives = false;
      boolean ownerDeletesInForeground = false;
      for (JsonNode owner : owners) {
        Storage.Stored found = byUid.get(owner.path("uid").asText());
        if (found == null) {
          continue;
        }
        ownersWithDependents.add(owner.path("uid").asText());
        if (found.object().path("metadata").hasNonNull("deletionTimestamp")
            && Storage.finalizersOf(found.object()).contains(FOREGROUND)) {
          ownerDeletesInForeground = true;
        } else {
          anyOwnerLives = true;
        }
      }
      if (!anyOwnerLives && !stored.object().path("metadata").hasNonNull("deletionTimestamp")) {
        ObjectNode options = JsonNodeFactory.instance.objectNode();
        options.put("propagationPolicy", ownerDeletesInForeground ? "Foreground" : "Background");
        api.deleteInternal(stored.target(), options);
      }
    }
    for (Storage.Stored stored : objects) {
      JsonNode metadata = stored.object().path("metadata");
      if (metadata.hasNonNull("deletionTimestamp")
          && Storage.finalizersOf(stored.object()).contains(FOREGROUND)
          && !ownersWithDependents.contains(metadata.path("uid").asText())) {
        api.updateInternal(stored.target(), object -> {
          var finalizers = ((ObjectNode) object.get("metadata")).withArray("finalizers");
          for (int i = finalizers.size() - 1; i >= 0; i--) {
            if (FOREGROUND.equals(finalizers.get(i).asText())) {
              finalizers.remove(i);
            }
          }
          return object;
        }, MANAGER);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    worker.interrupt();
  }
}
