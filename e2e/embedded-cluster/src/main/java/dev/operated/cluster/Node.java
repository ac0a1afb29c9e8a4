package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the embedded cluster's pods run: the kubelet hands every pod bound to the node here and
 * turns what the node reports into the pod's status (container states, the ContainersReady and
 * Ready conditions, the phase). The default {@link ReadyNode} starts nothing and reports every
 * container started and ready; a node that runs real processes plugs in here.
 *
 * <p>Calls come from one kubelet thread, one pod event at a time; a node may report from any
 * thread at any time, and must not block the calling thread for long.
 */
public interface Node extends AutoCloseable {

  /**
   * The pod's IP, asked once before {@link #podAdded}; the kubelet writes it to
   * {@code status.podIP}, where clients (a Service's endpoints) read it. A node that gives each
   * pod an address of its own says which; by default every pod is on the loopback address.
   */
  default String addressOf(Pod pod) {
    return "127.0.0.1";
  }

  /** A pod was bound to this node: start its containers (init containers first). */
  void podAdded(Pod pod, PodReporter reporter);

  /**
   * The pod is being deleted: stop its containers, taking at most the grace period in
   * {@code pod.getMetadata().getDeletionGracePeriodSeconds()}, then call
   * {@link PodReporter#terminated()} so the pod object is removed.
   */
  void podDeleted(Pod pod, PodReporter reporter);

  /**
   * Where the node keeps a container's output, for {@code kubectl logs} ({@code pods/log}); one
   * file per container, every run appended. A node that keeps no logs (the default) serves an
   * empty log, as a kubelet does for a container that printed nothing.
   */
  default Optional<Path> containerLog(Pod pod, String container) {
    return Optional.empty();
  }

  @Override
  default void close() {
  }
}
