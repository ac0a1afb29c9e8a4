package dev.operated.cluster;

/**
 * Whether the client write this thread is serving stored anything. kube-apiserver answers a
 * write that changes nothing with the object as it was: its storage's {@code GuaranteedUpdate}
 * (staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go) skips the etcd transaction when the
 * new bytes equal the old ones, so the resourceVersion stays and no watch event is sent. The
 * request log tells such a no-op from a real change by this mark, set where the store sends the
 * watch event ({@link Storage}'s listeners), which a no-op and a dry run never reach.
 */
final class WriteOutcome {

  private static final ThreadLocal<boolean[]> STORED = new ThreadLocal<>();

  private WriteOutcome() {
  }

  /** A client write starts on this thread. */
  static void begin() {
    STORED.set(new boolean[1]);
  }

  /** The store committed a change (a new resourceVersion or a removal). */
  static void stored() {
    boolean[] stored = STORED.get();
    if (stored != null) {
      stored[0] = true;
    }
  }

  /** Whether the write begun on this thread stored anything; ends it. */
  static boolean end() {
    boolean[] stored = STORED.get();
    STORED.remove();
    return stored != null && stored[0];
  }
}
