package dev.operated.runtime;

import dev.operated.status.ServiceSignals;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * JOSDK's metrics hook, decorated with what the shipped alerts need and JOSDK does not count:
 * reconcile errors and exhausted retries from the start (JOSDK's own counters appear only at the
 * first event, so {@code increase()} misses it), whether this replica is the one reconciling,
 * and how many watches are down. It also hands reconciles their {@link ServiceSignals} and
 * drops a deleted OperatedService's series.
 */
public final class OperatorSignals implements Metrics, ServiceSignals.Source {

  public static final String RECONCILE_ERRORS = "operated.operator.reconcile.errors";
  public static final String RETRIES_EXHAUSTED = "operated.operator.reconcile.retries.exhausted";
  public static final String LEADER = "operated.operator.leader";
  public static final String UNHEALTHY_EVENT_SOURCES = "operated.operator.unhealthy.event.sources";

  private final Metrics delegate;
  private final MeterRegistry registry;
  private final ServiceSignals services;
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> exhausted = new ConcurrentHashMap<>();
  /** Resources whose running reconcile is the retry policy's last attempt. */
  private final Set<ResourceID> lastAttempts = ConcurrentHashMap.newKeySet();

  public OperatorSignals(Metrics delegate, MeterRegistry registry, ServiceSignals services) {
    this.delegate = delegate;
    this.registry = registry;
    this.services = services;
  }

  @Override
  public Optional<ServiceSignals> serviceSignals() {
    return Optional.of(services);
  }

  /**
   * The gauges that read the running operator.
   *
   * @param reconciling true while this replica leads (always, without leader election)
   * @param webSocketWatches whether the operator's client watches over WebSockets
   */
  public void bind(Operator operator, BooleanSupplier reconciling, boolean webSocketWatches) {
    Gauge.builder(LEADER, () -> operator.getRuntimeInfo().isStarted()
            && reconciling.getAsBoolean() ? 1 : 0)
        .description("1 while this replica is started and reconciles (leads, when electing)")
        .register(registry);
    WatchOutages outages = new WatchOutages(Clock.systemUTC(), webSocketWatches);
    Gauge.builder(UNHEALTHY_EVENT_SOURCES, () -> operator.getRuntimeInfo().isStarted()
            ? outages.count(operator.getRuntimeInfo().unhealthyEventSources()) : 0)
        .description("Event sources whose watch is down: an informer stopped or not synced, or "
            + "over WebSockets not watching for over 3 minutes")
        .register(registry);
  }

  private Counter errors(String controller) {
    return errors.computeIfAbsent(controller, name -> Counter.builder(RECONCILE_ERRORS)
        .description("Reconciles that ended with an exception").tag("controller", name)
        .register(registry));
  }

  private Counter exhausted(String controller) {
    return exhausted.computeIfAbsent(controller, name -> Counter.builder(RETRIES_EXHAUSTED)
        .description("Reconciles that failed on their last retry: no retry follows until the "
            + "next event").tag("controller", name).register(registry));
  }

  private static String controller(Map<String, Object> metadata) {
    return String.valueOf(metadata.getOrDefault(Constants.CONTROLLER_NAME, "unknown"));
  }

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    String name = controller.getConfiguration().getName();
    errors(name);
    exhausted(name);
    delegate.controllerRegistered(controller);
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo,
      Map<String, Object> metadata) {
    ResourceID id = ResourceID.fromResource(resource);
    if (retryInfo != null && retryInfo.isLastAttempt()) {
      lastAttempts.add(id);
    } else {
      lastAttempts.remove(id);
    }
    delegate.reconcileCustomResource(resource, retryInfo, metadata);
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception,
      Map<String, Object> metadata) {
    String controller = controller(metadata);
    errors(controller).increment();
    if (lastAttempts.remove(ResourceID.fromResource(resource))) {
      exhausted(controller).increment();
    }
    delegate.failedReconciliation(resource, exception, metadata);
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    lastAttempts.remove(ResourceID.fromResource(resource));
    delegate.finishedReconciliation(resource, metadata);
  }

  @Override
  public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
    lastAttempts.remove(resourceID);
    services.forget(resourceID);
    delegate.cleanupDoneFor(resourceID, metadata);
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    delegate.receivedEvent(event, metadata);
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    delegate.reconciliationExecutionStarted(resource, metadata);
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource,
      Map<String, Object> metadata) {
    delegate.reconciliationExecutionFinished(resource, metadata);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    return delegate.timeControllerExecution(execution);
  }

  @Override
  public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
    return delegate.monitorSizeOf(map, name);
  }
}
