package dev.operated.playground;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the local node's kubelet did to each container and when, as a real kubelet's Events and
 * logs tell it: a pod's termination started, a preStop hook ran, SIGTERM and SIGKILL were sent,
 * a process started and exited. Tests read it to check the order and timing of a pod's
 * termination, and that nothing was killed at the end of its grace period.
 */
public final class ContainerEvents {

  /** What happened. */
  public enum Kind {
    /** The pod's termination began (container empty); {@link Event#detail} is the grace. */
    TERMINATING, STARTED, PRE_STOP, SIGTERM, SIGKILL, EXITED
  }

  /**
   * @param container empty for an event of the whole pod
   * @param detail    the exit code of EXITED, the grace period in seconds of TERMINATING
   */
  public record Event(Instant at, String namespace, String pod, String container, Kind kind,
      Integer detail) {
  }

  /** One container's view of the record: the node hands each container its own. */
  @FunctionalInterface
  interface Sink {
    Sink NONE = (kind, detail) -> { };

    void record(Kind kind, Integer detail);

    default void record(Kind kind) {
      record(kind, null);
    }
  }

  private final List<Event> events = new CopyOnWriteArrayList<>();

  Sink sink(String namespace, String pod, String container) {
    return (kind, detail) -> events.add(new Event(Instant.now(), namespace, pod, container, kind,
        detail));
  }

  public List<Event> all() {
    return List.copyOf(events);
  }

  /** A pod's events, in the order they happened. */
  public List<Event> of(String namespace, String pod) {
    return events.stream()
        .filter(e -> e.namespace().equals(namespace) && e.pod().equals(pod)).toList();
  }

  /** The first time {@code kind} happened to a container of a pod. */
  public Optional<Instant> first(String namespace, String pod, String container, Kind kind) {
    return of(namespace, pod).stream()
        .filter(e -> e.container().equals(container) && e.kind() == kind)
        .map(Event::at).findFirst();
  }

  /** The last time: a container's final exit is its last EXITED. */
  public Optional<Instant> last(String namespace, String pod, String container, Kind kind) {
    return of(namespace, pod).stream()
        .filter(e -> e.container().equals(container) && e.kind() == kind)
        .map(Event::at).reduce((first, second) -> second);
  }

  /**
   * Where the first {@code kind} of a container stands in its pod's record: the order things were
   * recorded in, which two threads' wall-clock readings microseconds apart may not show; -1 if
   * it never happened.
   */
  public int positionOfFirst(String namespace, String pod, String container, Kind kind) {
    List<Event> record = of(namespace, pod);
    for (int i = 0; i < record.size(); i++) {
      if (record.get(i).container().equals(container) && record.get(i).kind() == kind) {
        return i;
      }
    }
    return -1;
  }

  /** Where the last {@code kind} of a container stands in its pod's record; -1 if none. */
  public int positionOfLast(String namespace, String pod, String container, Kind kind) {
    List<Event> record = of(namespace, pod);
    for (int i = record.size() - 1; i >= 0; i--) {
      if (record.get(i).container().equals(container) && record.get(i).kind() == kind) {
        return i;
      }
    }
    return -1;
  }

  /** Every SIGKILL the node sent, to any container. */
  public List<Event> kills() {
    return events.stream().filter(e -> e.kind() == Kind.SIGKILL).toList();
  }
}
