package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A real uncaught exception on a real thread, through the hook, encoded by the same encoder as
 * production's logback.xml. The exit is recorded instead of ending the test JVM.
 */
class PanicHookTest {

  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final List<Integer> exits = new CopyOnWriteArrayList<>();
  private final LogstashEncoder encoder = new LogstashEncoder();
  private Logger logger;

  @BeforeEach
  void capture() {
    logger = (Logger) LoggerFactory.getLogger(PanicHook.class);
    captured.start();
    logger.addAppender(captured);
    encoder.setContext(logger.getLoggerContext());
    encoder.start();
  }

  @AfterEach
  void release() {
    logger.detachAppender(captured);
    encoder.stop();
  }

  private JsonNode panicOnAThread(Throwable thrown) throws Exception {
    Thread thread = new Thread(() -> {
      if (thrown instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw (Error) thrown;
    }, "reconciler-test-thread");
    thread.setUncaughtExceptionHandler(new PanicHook(exits::add));
    thread.start();
    thread.join(Duration.ofSeconds(10).toMillis());
    await().atMost(Duration.ofSeconds(5)).until(() -> !captured.list.isEmpty());
    assertThat(captured.list).hasSize(1);
    String line = new String(encoder.encode(captured.list.get(0)), StandardCharsets.UTF_8);
    assertThat(line.strip()).doesNotContain("\n");
    return new ObjectMapper().readTree(line);
  }

  @Test
  void anExceptionBecomesOneStructuredErrorEventAndTheProcessLivesOn() throws Exception {
    JsonNode event = panicOnAThread(new IllegalStateException("the cache is gone"));

    assertThat(event.path("level").asText()).isEqualTo("ERROR");
    assertThat(event.path("event").asText()).isEqualTo(PanicHook.EVENT);
    assertThat(event.path("thread").asText()).isEqualTo("reconciler-test-thread");
    assertThat(event.path("exception").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(event.path("location").asText()).contains("PanicHookTest");
    assertThat(event.path("fatal").asBoolean()).isFalse();
    assertThat(event.path("message").asText()).contains("the cache is gone");
    assertThat(event.path("stack_trace").asText()).contains("IllegalStateException")
        .contains("PanicHookTest");
    assertThat(exits).isEmpty();
  }

  @Test
  void anErrorIsFatalAndExitsNonZero() throws Exception {
    JsonNode event = panicOnAThread(new OutOfMemoryError("Java heap space (simulated)"));

    assertThat(event.path("event").asText()).isEqualTo(PanicHook.EVENT);
    assertThat(event.path("fatal").asBoolean()).isTrue();
    assertThat(exits).containsExactly(PanicHook.FATAL_EXIT_CODE);
  }
}
