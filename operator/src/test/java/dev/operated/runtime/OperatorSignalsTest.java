package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.OperatedService;
import dev.operated.status.ServiceSignals;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.javaoperatorsdk.operator.processing.retry.GenericRetryExecution;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Reconcile errors and exhausted retries as JOSDK reports them: each failure is an error; only
 * the failure of the retry policy's last attempt is an exhausted retry. The retry execution is
 * JOSDK's own (the policy the operator runs with), driven as its event processor drives it:
 * reconcile, fail, ask for the next delay.
 */
class OperatorSignalsTest {

  private static final Map<String, Object> METADATA = Map.of(Constants.CONTROLLER_NAME,
      "operatedservice");

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorSignals signals = new OperatorSignals(Metrics.NOOP, registry,
      new ServiceSignals(registry, Instant.now()));
  private final OperatedService orders = new OperatedService();

  OperatorSignalsTest() {
    orders.getMetadata().setName("orders");
    orders.getMetadata().setNamespace("shop");
  }

  /** 0 until counted: controllerRegistered, which registers them at 0, is JOSDK's to call. */
  private double count(String name) {
    var counter = registry.find(name).tags("controller", "operatedservice").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aReconcileThatFailsEveryRetryIsExhaustedOnceAfterItsLastAttempt() {
    GenericRetryExecution retry = GenericRetry.defaultLimitedExponentialRetry().initExecution();
    int attempts = 0;
    boolean retried = true;
    while (retried) {
      signals.reconcileCustomResource(orders, attempts == 0 ? null : retry, METADATA);
      attempts++;
      signals.failedReconciliation(orders, new IllegalStateException("boom"), METADATA);
      retried = retry.nextDelay().isPresent();
      if (retried) {
        assertThat(count(OperatorSignals.RETRIES_EXHAUSTED))
            .as("retries left after attempt %d", attempts).isZero();
      }
    }

    assertThat(count(OperatorSignals.RECONCILE_ERRORS)).isEqualTo(attempts);
    assertThat(count(OperatorSignals.RETRIES_EXHAUSTED)).isEqualTo(1);
  }

  @Test
  void aLastAttemptThatSucceedsIsNotExhausted() {
    GenericRetryExecution retry = GenericRetry.defaultLimitedExponentialRetry().initExecution();
    while (retry.nextDelay().isPresent()) {
      // the failures before the last attempt
    }
    assertThat(retry.isLastAttempt()).isTrue();

    signals.reconcileCustomResource(orders, retry, METADATA);
    signals.finishedReconciliation(orders, METADATA);
    signals.reconcileCustomResource(orders, null, METADATA);
    signals.failedReconciliation(orders, new IllegalStateException("later"), METADATA);

    assertThat(count(OperatorSignals.RETRIES_EXHAUSTED)).isZero();
    assertThat(count(OperatorSignals.RECONCILE_ERRORS)).isEqualTo(1);
  }

  @Test
  void theReconcilesFindTheServiceSignalsThroughTheTracingDecorator() {
    ReconcileTracing tracing = new ReconcileTracing(signals,
        io.opentelemetry.api.OpenTelemetry.noop().getTracer("test"));

    assertThat(tracing.serviceSignals()).isEqualTo(signals.serviceSignals()).isPresent();
    assertThat(new ReconcileTracing(Metrics.NOOP, io.opentelemetry.api.OpenTelemetry.noop()
        .getTracer("test")).serviceSignals()).isEqualTo(Optional.empty());
  }
}
