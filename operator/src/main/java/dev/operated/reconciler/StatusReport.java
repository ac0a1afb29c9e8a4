package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.status.ServiceSignals;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Optional;

/**
 * What a reconcile reports, whether it applied or failed: the service's metrics, an Event per
 * real transition, the status patched only when it changed, and when to look again.
 */
final class StatusReport {

  private final ServiceEvents events;

  StatusReport(ServiceEvents events) {
    this.events = events;
  }

  UpdateControl<OperatedService> afterReconcile(OperatedService resource,
      Context<OperatedService> context, OperatedServiceStatus status,
      Optional<Duration> reevaluateAfter) {
    observe(resource, context, status);
    return update(resource, status, reevaluateAfter);
  }

  ErrorStatusUpdateControl<OperatedService> afterFailure(OperatedService resource,
      Context<OperatedService> context, OperatedServiceStatus status) {
    observe(resource, context, status);
    return status.equals(resource.getStatus()) ? ErrorStatusUpdateControl.noStatusUpdate()
        : ErrorStatusUpdateControl.patchStatus(statusOnly(resource, status));
  }

  private void observe(OperatedService resource, Context<OperatedService> context,
      OperatedServiceStatus status) {
    ServiceSignals.observe(context, resource, status);
    if (!status.equals(resource.getStatus())) {
      events.onTransition(resource, status);
    }
  }

  /** Patch the status only when it changed; come back when time alone can change it. */
  static UpdateControl<OperatedService> update(OperatedService resource,
      OperatedServiceStatus status, Optional<Duration> reevaluateAfter) {
    UpdateControl<OperatedService> control = status.equals(resource.getStatus())
        ? UpdateControl.noUpdate() : UpdateControl.patchStatus(statusOnly(resource, status));
    return reevaluateAfter.map(control::rescheduleAfter).orElse(control);
  }

  /**
   * A fresh object with only the status: patching the cached resource would carry a stale
   * resourceVersion and spec fields this patch must not own.
   */
  private static OperatedService statusOnly(OperatedService resource,
      OperatedServiceStatus status) {
    OperatedService statusOnly = new OperatedService();
    statusOnly.getMetadata().setName(resource.getMetadata().getName());
    statusOnly.getMetadata().setNamespace(resource.getMetadata().getNamespace());
    statusOnly.setStatus(status);
    return statusOnly;
  }
}
