package dev.operated.cluster;

/**
 * The built-in controllers a test can pause ({@link EmbeddedCluster#pause(Controller)}), as while
 * kube-controller-manager or a node's kubelet is down, behind or cut off: the state they would
 * write stays stale (Sieve's stale and unobserved states) until they are resumed and catch up.
 */
public enum Controller {
  /** ReplicaSets per template, rollouts, the Deployment status. */
  DEPLOYMENT,
  /** Pods per ReplicaSet and the ReplicaSet status (here part of a Deployment's pass). */
  REPLICA_SET,
  /** Binding new pods, pod status from the node's reports, removing stopped pods. */
  KUBELET,
  /** Deleting what is in a namespace being deleted, then the namespace. */
  NAMESPACE,
  /** Deleting dependents whose owners are gone (also {@link EmbeddedCluster#holdGarbageCollection()}). */
  GARBAGE_COLLECTOR
}
