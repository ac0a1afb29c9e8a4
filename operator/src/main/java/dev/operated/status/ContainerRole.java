package dev.operated.status;

/** What a container is to its pod, told by position and restartPolicy, never by its name. */
public enum ContainerRole {
  /** The pod's main container: named by kubectl.kubernetes.io/default-container, else first. */
  APP,
  /** Runs beside the app: a native sidecar (init, restartPolicy Always) or another container. */
  SIDECAR,
  /** Runs to completion before anything else starts. */
  INIT;

  String describe(String container) {
    return switch (this) {
      case APP -> "app container " + container;
      case SIDECAR -> "sidecar " + container;
      case INIT -> "init container " + container;
    };
  }
}
