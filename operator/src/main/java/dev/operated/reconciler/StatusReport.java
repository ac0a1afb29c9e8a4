package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.status.ConditionTypes;
import dev.operated.status.ServiceSignals;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * What a reconcile reports, whether it applied or failed: the service's metrics, an Event per
 * real transition, the status patched only when it changed, and when to look again.
 */
final class StatusReport {

  private final ServiceEvents events;
  private final Clock clock;
  private final StatusDeferral deferral;
  private final ReportedStatuses reported = new ReportedStatuses();

  StatusReport(ServiceEvents events, StatusDeferral deferral, Clock clock) {
    this.events = events;
    this.deferral = deferral;
    this.clock = clock;
  }

  /**
   * Reports the status now, or, when it only reports progress while other services are being
   * created, comes back for it later ({@link StatusDeferral}) with no write and no Event.
   */
  UpdateControl<OperatedService> afterReconcile(OperatedService resource,
      Context<OperatedService> context, ServiceDeployment applied,
      OperatedServiceStatus computed, Optional<Duration> reevaluateAfter) {
    Optional<OperatedServiceStatus> previous = reported.previous(resource);
    OperatedServiceStatus status = ReportedStatuses.withTransitionTimes(computed, previous,
        clock.instant());
    if (!stored(resource, status)) {
      Optional<Duration> wait = deferral.deferral(resource, status);
      if (wait.isPresent()) {
        Duration next = reevaluateAfter.filter(at -> at.compareTo(wait.get()) < 0)
            .orElse(wait.get());
        return UpdateControl.<OperatedService>noUpdate().rescheduleAfter(next);
      }
    }
    observe(resource, context, applied, previous, status);
    return update(resource, status, reevaluateAfter);
  }

  ErrorStatusUpdateControl<OperatedService> afterFailure(OperatedService resource,
      Context<OperatedService> context, ServiceDeployment applied,
      OperatedServiceStatus computed) {
    Optional<OperatedServiceStatus> previous = reported.previous(resource);
    OperatedServiceStatus status = ReportedStatuses.withTransitionTimes(computed, previous,
        clock.instant());
    observe(resource, context, applied, previous, status);
    return stored(resource, status) ? ErrorStatusUpdateControl.noStatusUpdate()
        : ErrorStatusUpdateControl.patchStatus(statusOnly(resource, status));
  }

  /**
   * {@code previous} is what this process last reported when the cache has not seen it yet
   * ({@link ReportedStatuses}): one Event and one lastTransitionTime per real transition, however
   * stale the cached object a reconcile starts from.
   */
  private void observe(OperatedService resource, Context<OperatedService> context,
      ServiceDeployment applied, Optional<OperatedServiceStatus> previous,
      OperatedServiceStatus status) {
    ServiceSignals.observe(context, resource, applied.deployment(), applied.pods(), status);
    if (!previous.map(status::equals).orElse(false)) {
      events.onTransition(resource, previous, status);
    }
    reported.remember(resource, status);
  }

  /** Patch the status only when it changed; come back when time alone can change it. */
  static UpdateControl<OperatedService> update(OperatedService resource,
      OperatedServiceStatus status, Optional<Duration> reevaluateAfter) {
    UpdateControl<OperatedService> control = stored(resource, status)
        ? UpdateControl.noUpdate() : UpdateControl.patchStatus(statusOnly(resource, status));
    return reevaluateAfter.map(control::rescheduleAfter).orElse(control);
  }

  /**
   * Whether the object already holds {@code status}. Conditions of types the operator does not
   * report were applied by another writer, and stay theirs (status.conditions is keyed by type).
   */
  private static boolean stored(OperatedService resource, OperatedServiceStatus status) {
    return resource.getStatus() != null
        && status.equals(resource.getStatus().withConditionsOf(ConditionTypes.REPORTED));
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
