package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
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
  // hook: the sweep reads this graph, not every stored object parsed (OwnerGraph)
  private final OwnerGraph graph;
  private final Semaphore wakeUp = new Semaphore(0);
  private final Thread worker;
  private volatile boolean running = true;
  /** Held, as when kube-controller-manager is down or behind: dependents of the deleted wait. */
  private volatile boolean held;

  GarbageCollector(Storage api) {
    this.api = api;
    this.graph = new OwnerGraph(api);
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
    Map<String, OwnerGraph.Node> byUid = graph.nodes();
    Set<String> ownersWithDependents = new HashSet<>();
    for (OwnerGraph.Node node : byUid.values()) {
      if (node.owners().isEmpty()) {
        continue;
      }
      boolean anyOwnerLives = false;
      boolean ownerDeletesInForeground = false;
      for (String owner : node.owners()) {
        OwnerGraph.Node found = byUid.get(owner);
        if (found == null) {
          continue;
        }
        ownersWithDependents.add(owner);
        if (found.deleting() && found.foregroundDeletion()) {
          ownerDeletesInForeground = true;
        } else {
          anyOwnerLives = true;
        }
      }
      if (!anyOwnerLives && !node.deleting()) {
        ObjectNode options = JsonNodeFactory.instance.objectNode();
        options.put("propagationPolicy", ownerDeletesInForeground ? "Foreground" : "Background");
        api.deleteInternal(node.target(), options);
      }
    }
    for (OwnerGraph.Node node : byUid.values()) {
      if (node.deleting() && node.foregroundDeletion()
          && !ownersWithDependents.contains(node.uid())) {
        api.updateInternal(node.target(), object -> {
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
