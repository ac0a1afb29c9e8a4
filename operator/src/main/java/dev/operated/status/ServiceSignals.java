package dev.operated.status;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.desired.StandardLabels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Per-OperatedService series the shipped alerts and dashboards read, from what a reconcile
 * already has in hand (the status it computed, the Deployment and the pods in the cache): no
 * extra API call and no extra watch.
 *
 * <p>Labels stay bounded: {@code namespace} and {@code operatedservice} (one set per
 * OperatedService, removed when it is deleted), {@code container} (the pod template's
 * containers), {@code reason} (the Ready condition's machine-readable reasons, a closed set) and
 * {@code state} (four values). Pod names and UIDs never become labels.
 */
public final class ServiceSignals {

  /** 1 while the Ready condition is True, else 0; {@code reason} is the condition's reason. */
  public static final String READY = "operated.service.ready";
  /** Replicas by {@code state}: desired, current, ready, updated, available. */
  public static final String REPLICAS = "operated.service.replicas";
  /** Container restarts the operator saw in the pods' restartCount, by {@code container}. */
  public static final String RESTARTS = "operated.service.container.restarts";
  /** Containers SIGKILLed at the end of the grace period ({@link GraceDeadlineKills}). */
  public static final String GRACE_DEADLINE_KILLS = "operated.service.grace.deadline.kills";

  static final String NAMESPACE = "namespace";
  static final String SERVICE = "operatedservice";
  /** Kills remembered per service so that none is counted twice; pods die one at a time. */
  static final int KILLS_REMEMBERED = 1024;
  static final List<String> REPLICA_STATES = List.of("desired", "current", "ready", "updated",
      "available");

  /**
   * Implemented by the JOSDK {@link Metrics} the operator runs with, so that a reconcile finds
   * the signals through its own {@link Context}; without it (tests that build the operator
   * alone) nothing is recorded.
   */
  public interface Source {
    Optional<ServiceSignals> serviceSignals();
  }

  private final MeterRegistry registry;
  private final Instant started;
  private final Map<ResourceID, Tracked> services = new ConcurrentHashMap<>();

  /** @param started pods created after this are watched from birth: all their restarts count */
  public ServiceSignals(MeterRegistry registry, Instant started) {
    this.registry = registry;
    this.started = started;
  }

  /** What the reconciler calls once it has computed the status. */
  public static void observe(Context<OperatedService> context, OperatedService resource,
      Optional<Deployment> deployment, List<Pod> pods, OperatedServiceStatus status) {
    of(context.getControllerConfiguration().getConfigurationService().getMetrics())
        .ifPresent(signals -> signals.observe(resource, deployment, pods, status));
  }

  /**
   * The filters of the pod event source, which see every pod transition; they let every event
   * through. A container's final state is often only there: the kubelet deletes the pod right
   * after writing it, before a reconcile reads the cache.
   */
  public static PodTransitions podTransitions(EventSourceContext<OperatedService> context) {
    return new PodTransitions(of(context.getControllerConfiguration().getConfigurationService()
        .getMetrics()));
  }

  private static Optional<ServiceSignals> of(Metrics metrics) {
    return metrics instanceof Source source ? source.serviceSignals() : Optional.empty();
  }

  /** Pod updates and deletes as JOSDK's informer filters receive them. */
  public record PodTransitions(Optional<ServiceSignals> signals) {

    public boolean updated(Pod pod, Pod previous) {
      signals.ifPresent(s -> s.podSeen(pod));
      return true;
    }

    public boolean deleted(Pod pod, Boolean finalStateUnknown) {
      signals.ifPresent(s -> s.podSeen(pod));
      return true;
    }
  }

  /** Counts the containers of this pod killed at its grace deadline, once per container. */
  void podSeen(Pod pod) {
    List<String> killed = GraceDeadlineKills.containers(pod);
    String instance = pod.getMetadata().getLabels() == null ? null
        : pod.getMetadata().getLabels().get(StandardLabels.INSTANCE);
    if (killed.isEmpty() || instance == null) {
      return;
    }
    // Only services reconciled and not deleted: a pod deleted with its service must not bring
    // the service's series back.
    Tracked tracked = services.get(new ResourceID(instance, pod.getMetadata().getNamespace()));
    if (tracked != null) {
      synchronized (tracked) {
        tracked.killed(pod.getMetadata().getUid(), killed);
      }
    }
  }

  public void observe(OperatedService resource, Optional<Deployment> deployment, List<Pod> pods,
      OperatedServiceStatus status) {
    ResourceID id = ResourceID.fromResource(resource);
    Tracked tracked = services.computeIfAbsent(id, Tracked::new);
    synchronized (tracked) {
      Optional<Condition> ready = status.condition(ConditionTypes.READY);
      tracked.ready(ready.map(c -> "True".equals(c.getStatus())).orElse(false),
          ready.map(Condition::getReason).orElse("Unknown"));
      tracked.replicas("desired", StatusAggregator.desiredReplicas(resource, deployment));
      tracked.replicas("current", zeroIfNull(status.replicas()));
      tracked.replicas("ready", zeroIfNull(status.readyReplicas()));
      tracked.replicas("updated", zeroIfNull(status.updatedReplicas()));
      tracked.replicas("available", zeroIfNull(status.availableReplicas()));
      containerNames(deployment, pods).forEach(tracked::container);
      tracked.pods(pods);
    }
  }

  /** The OperatedService is gone: its series go too. */
  public void forget(ResourceID id) {
    Tracked tracked = services.remove(id);
    if (tracked != null) {
      synchronized (tracked) {
        tracked.meters().forEach(registry::remove);
      }
    }
  }

  private static Set<String> containerNames(Optional<Deployment> deployment, List<Pod> pods) {
    Set<String> names = new LinkedHashSet<>();
    deployment.map(d -> d.getSpec().getTemplate().getSpec()).ifPresent(spec -> Stream.concat(
            spec.getContainers().stream(), spec.getInitContainers().stream())
        .map(Container::getName).forEach(names::add));
    pods.forEach(pod -> Stream.concat(pod.getSpec().getContainers().stream(),
        pod.getSpec().getInitContainers().stream()).map(Container::getName)
        .forEach(names::add));
    return names;
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }

  /** One OperatedService's meters and what is remembered of its pods between reconciles. */
  private final class Tracked {

    private final Tags tags;
    private final AtomicInteger ready = new AtomicInteger();
    private Gauge readyGauge;
    private String readyReason;
    private final Map<String, AtomicInteger> replicas = new HashMap<>();
    private final List<Meter> replicaGauges = new ArrayList<>();
    private final Map<String, Counter> restarts = new HashMap<>();
    private final Map<String, Counter> kills = new HashMap<>();
    /** pod UID + container → the restartCount last seen. */
    private final Map<String, Integer> restartCounts = new HashMap<>();
    /** pod UID + container of kills already counted: a pod is seen several times. */
    private final Set<String> killsCounted = java.util.Collections.newSetFromMap(
        new java.util.LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > KILLS_REMEMBERED;
          }
        });

    Tracked(ResourceID id) {
      tags = Tags.of(NAMESPACE, id.getNamespace().orElse(""), SERVICE, id.getName());
      REPLICA_STATES.forEach(state -> {
        AtomicInteger value = new AtomicInteger();
        replicas.put(state, value);
        replicaGauges.add(Gauge.builder(REPLICAS, value, AtomicInteger::get)
            .description("Replicas of the OperatedService's Deployment, by state")
            .tags(tags.and("state", state)).register(registry));
      });
    }

    void ready(boolean isReady, String reason) {
      ready.set(isReady ? 1 : 0);
      if (!reason.equals(readyReason)) {
        if (readyGauge != null) {
          registry.remove(readyGauge);
        }
        readyReason = reason;
        readyGauge = Gauge.builder(READY, ready, AtomicInteger::get)
            .description("1 while the OperatedService's Ready condition is True; reason is the "
                + "condition's reason")
            .tags(tags.and("reason", reason)).register(registry);
      }
    }

    void replicas(String state, int value) {
      replicas.get(state).set(value);
    }

    /** Counters exist from the start at 0, so that increase() sees the first event. */
    void container(String name) {
      restarts.computeIfAbsent(name, container -> Counter.builder(RESTARTS)
          .description("Container restarts seen in the OperatedService's pods")
          .tags(tags.and("container", container)).register(registry));
      kills.computeIfAbsent(name, container -> Counter.builder(GRACE_DEADLINE_KILLS)
          .description("Containers killed (SIGKILL) at the end of the termination grace period")
          .tags(tags.and("container", container)).register(registry));
    }

    void pods(List<Pod> pods) {
      Set<String> seen = new HashSet<>();
      for (Pod pod : pods) {
        String uid = pod.getMetadata().getUid();
        boolean bornWatched = Optional.ofNullable(pod.getMetadata().getCreationTimestamp())
            .map(Instant::parse).map(created -> !created.isBefore(started)).orElse(false);
        for (ContainerStatus status : statuses(pod)) {
          String key = uid + "/" + status.getName();
          seen.add(key);
          int count = zeroIfNull(status.getRestartCount());
          // A pod first seen after an operator restart: its past restarts are not news.
          Integer previous = restartCounts.getOrDefault(key, bornWatched ? 0 : null);
          if (previous != null && count > previous) {
            container(status.getName());
            restarts.get(status.getName()).increment(count - previous);
          }
          restartCounts.put(key, count);
        }
        killed(uid, GraceDeadlineKills.containers(pod));
      }
      restartCounts.keySet().retainAll(seen);
    }

    void killed(String uid, List<String> containers) {
      for (String container : containers) {
        if (killsCounted.add(uid + "/" + container)) {
          container(container);
          kills.get(container).increment();
        }
      }
    }

    private static List<ContainerStatus> statuses(Pod pod) {
      if (pod.getStatus() == null) {
        return List.of();
      }
      return Stream.concat(
          Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of()).stream(),
          Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of())
              .stream()).toList();
    }

    List<Meter> meters() {
      List<Meter> all = new ArrayList<>(replicaGauges);
      if (readyGauge != null) {
        all.add(readyGauge);
      }
      all.addAll(restarts.values());
      all.addAll(kills.values());
      return all;
    }
  }
}
