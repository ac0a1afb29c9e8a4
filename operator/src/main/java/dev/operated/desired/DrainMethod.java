package dev.operated.desired;

/** Who keeps the pod serving while its endpoint is removed everywhere. */
public enum DrainMethod {
  /** drainSeconds is 0: no hook, the app stops as soon as SIGTERM arrives. */
  NONE,
  /** {@code preStop: sleep} run by the kubelet: needs no shell in the image (1.30+). */
  KUBELET_SLEEP,
  /** {@code preStop: exec sleep}: only when the spec says the image has a shell. */
  EXEC_SLEEP,
  /** The app waits itself after SIGTERM, told how long by OPERATED_DRAIN_SECONDS. */
  APP
}
