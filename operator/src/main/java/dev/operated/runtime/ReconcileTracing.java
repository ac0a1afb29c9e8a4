package dev.operated.runtime;

import dev.operated.status.ServiceSignals;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.util.Map;
import org.slf4j.MDC;

/**
 * JOSDK's metrics hook, decorated: {@code timeControllerExecution} wraps every reconcile on its
 * own thread, so it is where one span per reconcile starts and where the controller's name joins
 * the MDC (JOSDK puts the resource's name and namespace there itself). Everything else goes to
 * the Micrometer metrics unchanged.
 */
public final class ReconcileTracing implements Metrics, ServiceSignals.Source {

  static final String MDC_CONTROLLER = "controller";

  private final Metrics delegate;
  private final Tracer tracer;

  public ReconcileTracing(Metrics delegate, Tracer tracer) {
    this.delegate = delegate;
    this.tracer = tracer;
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    ResourceID resource = execution.resourceID();
    Span span = tracer.spanBuilder(execution.controllerName() + " " + execution.name())
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute("operated.controller", execution.controllerName())
        .setAttribute("k8s.namespace.name", resource.getNamespace().orElse(""))
        .setAttribute("operated.resource.name", resource.getName())
        .startSpan();
    String previousController = MDC.get(MDC_CONTROLLER);
    MDC.put(MDC_CONTROLLER, execution.controllerName());
    try (Scope ignored = span.makeCurrent()) {
      T result = delegate.timeControllerExecution(execution);
      span.setAttribute("operated.outcome", execution.successTypeName(result));
      return result;
    } catch (Exception | Error e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
      if (previousController == null) {
        MDC.remove(MDC_CONTROLLER);
      } else {
        MDC.put(MDC_CONTROLLER, previousController);
      }
    }
  }

  /** Passes the reconciles' signals through, when what this decorates records them. */
  @Override
  public java.util.Optional<ServiceSignals> serviceSignals() {
    return delegate instanceof ServiceSignals.Source source ? source.serviceSignals()
        : java.util.Optional.empty();
  }

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    delegate.controllerRegistered(controller);
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    delegate.receivedEvent(event, metadata);
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo,
      Map<String, Object> metadata) {
    delegate.reconcileCustomResource(resource, retryInfo, metadata);
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception,
      Map<String, Object> metadata) {
    delegate.failedReconciliation(resource, exception, metadata);
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
  public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
    delegate.cleanupDoneFor(resourceID, metadata);
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    delegate.finishedReconciliation(resource, metadata);
  }

  @Override
  public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
    return delegate.monitorSizeOf(map, name);
  }
}
