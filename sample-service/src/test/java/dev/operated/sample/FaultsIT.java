package dev.operated.sample;

import static dev.operated.sample.ServiceProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Panics in a request, in a background thread, and the fatal kind, on the real process. */
class FaultsIT {

  private static final String[] PANIC_FIELDS = {"exception.type", "exception.message",
      "exception.stacktrace", "thread.name", "code.function.name", "code.line.number"};

  @Test
  void aRequestThatPanicsGets500AndOnePanicEventAndTheProcessServesOn() {
    try (ServiceProcess service = ServiceProcess.startReady(env("SAMPLE_FAULTS_ENABLED", "true"))) {
      HttpResponse<String> response = service.get("/fault/panic");
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.body()).isEqualTo("{\"error\":\"internal error\"}"); // no stack to clients

      await().atMost(Duration.ofSeconds(5)).until(() -> !service.events("panic").isEmpty());
      JsonNode panic = single(service.events("panic"));
      assertThat(panic.path("level").asText()).isEqualTo("ERROR");
      assertThat(panic.path("panic.source").asText()).isEqualTo("request");
      assertThat(panic.path("panic.fatal").asBoolean()).isFalse();
      assertThat(panic.path("exception.type").asText()).isEqualTo("java.lang.IllegalStateException");
      assertThat(panic.path("exception.message").asText())
          .isEqualTo("simulated panic in a request handler (/fault/panic)");
      assertThat(panic.path("exception.stacktrace").asText())
          .startsWith("java.lang.IllegalStateException: simulated panic")
          .contains("at dev.operated.sample.Handlers.panic(Handlers.java:");
      assertThat(panic.path("thread.name").asText()).startsWith("http-worker-");
      assertThat(panic.path("code.function.name").asText())
          .isEqualTo("dev.operated.sample.Handlers.panic");
      assertThat(panic.path("trace_id").asText()).hasSize(32); // logged inside the request's span

      assertThat(service.get("/items/1").statusCode()).isEqualTo(200);
      assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(200);
      assertThat(service.status(SampleServiceDefaults.LIVENESS_PATH)).isEqualTo(200);
      assertThat(service.events("panic")).hasSize(1);
    }
  }

  @Test
  void aBackgroundThreadPanicIsOneStructuredEventAndTheProcessLivesOn() {
    try (ServiceProcess service = ServiceProcess.startReady(env("SAMPLE_FAULTS_ENABLED", "true"))) {
      HttpResponse<String> response = service.get("/fault/background-panic");
      assertThat(response.statusCode()).isEqualTo(202);

      await().atMost(Duration.ofSeconds(5)).until(() -> !service.events("panic").isEmpty());
      JsonNode panic = single(service.events("panic"));
      assertThat(panic.path("level").asText()).isEqualTo("ERROR");
      for (String field : PANIC_FIELDS) {
        assertThat(panic.hasNonNull(field)).as(field).isTrue();
      }
      assertThat(panic.path("panic.source").asText()).isEqualTo("uncaught");
      assertThat(panic.path("exception.type").asText()).isEqualTo("java.lang.IllegalStateException");
      assertThat(panic.path("exception.message").asText())
          .isEqualTo("simulated panic in a background thread (/fault/background-panic)");
      assertThat(panic.path("exception.stacktrace").asText())
          .contains("at dev.operated.sample.Handlers.lambda$backgroundPanic");
      assertThat(panic.path("thread.name").asText()).isEqualTo("fault-background-1");
      assertThat(panic.path("message").asText()).contains("fault-background-1",
          "simulated panic in a background thread");
      // nothing else reported it: no plain-text stack trace on stderr, no second event
      assertThat(service.stderr()).isEmpty();

      assertThat(service.get("/items/2").statusCode()).isEqualTo(200);
      assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(200);
      assertThat(service.events("panic")).hasSize(1);
      assertThat(service.alive()).isTrue();
    }
  }

  @Test
  void aFatalErrorLogsThePanicEventAsTheLastLineAndExitsNonZero() {
    try (ServiceProcess service = ServiceProcess.startReady(env("SAMPLE_FAULTS_ENABLED", "true"))) {
      service.getAsync("/fault/fatal"); // the process may be gone before the answer arrives

      int exitCode = service.awaitExit(Duration.ofSeconds(15));

      assertThat(exitCode).isEqualTo(Panics.FATAL_EXIT_CODE);
      List<String> stdout = service.stdout();
      assertThat(stdout).isNotEmpty();
      JsonNode last = ServiceProcess.parse(stdout.get(stdout.size() - 1));
      assertThat(last.path("event").asText()).isEqualTo("panic");
      assertThat(last.path("level").asText()).isEqualTo("ERROR");
      assertThat(last.path("panic.fatal").asBoolean()).isTrue();
      assertThat(last.path("exception.type").asText()).isEqualTo("java.lang.OutOfMemoryError");
      assertThat(last.path("exception.message").asText()).contains("simulated fatal error");
      assertThat(last.path("message").asText()).contains("simulated fatal error");
      assertThat(last.path("thread.name").asText()).isEqualTo("fault-fatal");
      // the kubelet keeps the last 2 KiB as the termination message: the whole event fits
      assertThat(stdout.get(stdout.size() - 1).getBytes(StandardCharsets.UTF_8).length)
          .isLessThan(2048);
      assertThat(service.events("panic")).hasSize(1);
    }
  }

  private static JsonNode single(List<JsonNode> events) {
    assertThat(events).hasSize(1);
    return events.get(0);
  }
}
