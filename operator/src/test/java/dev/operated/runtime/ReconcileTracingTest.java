package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.AppenderAttachable;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One span per reconcile, current while the reconciler runs, with the controller in the MDC. */
class ReconcileTracingTest {

  private final List<SpanData> exported = new CopyOnWriteArrayList<>();
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          exported.addAll(spans);
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
          return CompletableResultCode.ofSuccess();
        }
      })).build();
  private final ReconcileTracing tracing =
      new ReconcileTracing(Metrics.NOOP, tracerProvider.get("test"));

  @AfterEach
  void close() {
    tracerProvider.close();
  }


  private static Metrics.ControllerExecution<String> reconcile(
      java.util.concurrent.Callable<String> body) {
    return new Metrics.ControllerExecution<>() {
      @Override
      public String name() {
        return "reconcile";
      }

      @Override
      public String controllerName() {
        return "operatedservice";
      }

      @Override
      public String successTypeName(String result) {
        return result;
      }

      @Override
      public ResourceID resourceID() {
        return new ResourceID("orders", "shop");
      }

      @Override
      public Map<String, Object> metadata() {
        return Map.of();
      }

      @Override
      public String execute() throws Exception {
        return body.call();
      }
    };
  }

  @Test
  void theReconcileRunsInsideItsSpanWithTheControllerInTheMdc() throws Exception {
    String[] inside = new String[2];
    String outcome = tracing.timeControllerExecution(reconcile(() -> {
      inside[0] = Span.current().getSpanContext().getTraceId();
      inside[1] = MDC.get("controller");
      return "resource";
    }));

    assertThat(outcome).isEqualTo("resource");
    assertThat(exported).singleElement().satisfies(span -> {
      assertThat(span.getName()).isEqualTo("operatedservice reconcile");
      assertThat(span.getTraceId()).isEqualTo(inside[0]);
      assertThat(span.getAttributes().asMap().values()).contains("shop", "orders",
          "operatedservice", "resource");
    });
    assertThat(inside[1]).isEqualTo("operatedservice");
    assertThat(MDC.get("controller")).as("removed after the reconcile").isNull();
  }

  @Test
  void aFailedReconcileMarksItsSpanAsAnError() {
    assertThatThrownBy(() -> tracing.timeControllerExecution(reconcile(() -> {
      throw new IllegalStateException("conflict");
    }))).hasMessage("conflict");

    assertThat(exported).singleElement().satisfies(span -> {
      assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(span.getEvents()).anySatisfy(event ->
          assertThat(event.getName()).isEqualTo("exception"));
    });
  }

  /** The production logback.xml: a line logged during a reconcile carries its trace and span. */
  @Test
  void aLineLoggedDuringAReconcileCarriesItsTraceAndSpanIds() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    @SuppressWarnings("unchecked")
    AppenderAttachable<ILoggingEvent> traced = (AppenderAttachable<ILoggingEvent>) context
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("traced");
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    traced.addAppender(captured);
    try {
      String[] ids = new String[2];
      tracing.timeControllerExecution(reconcile(() -> {
        ids[0] = Span.current().getSpanContext().getTraceId();
        ids[1] = Span.current().getSpanContext().getSpanId();
        LoggerFactory.getLogger(ReconcileTracingTest.class).info("reconciling");
        return "resource";
      }));

      assertThat(captured.list).singleElement().satisfies(event -> {
        assertThat(event.getMDCPropertyMap()).containsEntry("trace_id", ids[0])
            .containsEntry("span_id", ids[1]).containsEntry("controller", "operatedservice");
      });
    } finally {
      traced.detachAppender(captured);
    }
  }
}
