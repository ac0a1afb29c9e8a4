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
  /** metav1.FinalizerOrphanDependents: the dependents lose their reference and stay. */
  static final String ORPHAN = "orphan";
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
        withoutFinalizer(node, FOREGROUND);
      }
      if (node.deleting() && node.orphaning()) {
        orphanDependents(node, byUid);
        withoutFinalizer(node, ORPHAN);
      }
    }
  }

  /**
   * garbagecollector.go {@code orphanDependents}: every dependent's reference to the owner is
   * removed (a patch of its ownerReferences), then the owner's orphan finalizer, so the owner goes
   * and the dependents stay, owned by whatever else owns them.
   */
  private void orphanDependents(OwnerGraph.Node owner, Map<String, OwnerGraph.Node> byUid) {
    for (OwnerGraph.Node node : byUid.values()) {
      if (node.owners().contains(owner.uid())) {
        api.updateInternal(node.target(), object -> {
          var references = ((ObjectNode) object.get("metadata")).withArray("ownerReferences");
          for (int i = references.size() - 1; i >= 0; i--) {
            if (owner.uid().equals(references.get(i).path("uid").asText())) {
              references.remove(i);
            }
          }
          if (references.isEmpty()) {
            ((ObjectNode) object.get("metadata")).remove("ownerReferences");
          }
          return object;
        }, MANAGER);
      }
    }
  }

  private void withoutFinalizer(OwnerGraph.Node node, String finalizer) {
    api.updateInternal(node.target(), object -> {
      var finalizers = ((ObjectNode) object.get("metadata")).withArray("finalizers");
      for (int i = finalizers.size() - 1; i >= 0; i--) {
        if (finalizer.equals(finalizers.get(i).asText())) {
          finalizers.remove(i);
        }
      }
      return object;
    }, MANAGER);
  }

  @Override
  public void close() {
    running = false;
    worker.interrupt();
  }
}
