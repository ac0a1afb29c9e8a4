package dev.operated.sample;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fatal path's panic event stays the last line when another thread's event passed the gate's
 * turbo filter just before the gate closed. The other event is held while it is being encoded
 * (its argument's {@code toString}), which is where such a line used to overtake the panic.
 */
class GatedConsoleAppenderTest {

  private static final long WAIT_SECONDS = 10;

  @AfterEach
  void reopen() {
    Logging.everyThreadMayLog();
  }

  @Test
  void aLineStillBeingEncodedWhenTheFatalPathTakesTheLogIsDroppedNotWrittenAfterThePanic()
      throws InterruptedException {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Logger logger = loggerWritingTo(stdout);
    CountDownLatch encoding = new CountDownLatch(1);
    CountDownLatch panicWritten = new CountDownLatch(1);
    Object heldWhileEncoded = new Object() {
      @Override
      public String toString() {
        encoding.countDown();
        try {
          panicWritten.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "encoded";
      }
    };
    logger.info("before the panic");
    Thread other = new Thread(() -> logger.info("another thread: {}", heldWhileEncoded));
    other.start();
    assertThat(encoding.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    Logging.onlyThisThreadMayLog();
    logger.error("panic");
    panicWritten.countDown();
    other.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

    assertThat(other.isAlive()).isFalse();
    assertThat(stdout.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("before the panic", "panic");
  }

  @Test
  void everyThreadWritesWhileTheGateIsOpen() throws InterruptedException {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Logger logger = loggerWritingTo(stdout);
    Thread other = new Thread(() -> logger.info("another thread"));
    other.start();
    other.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    logger.info("this thread");

    assertThat(stdout.toString(StandardCharsets.UTF_8).lines())
        .containsExactly("another thread", "this thread");
  }

  /** A context of its own: no turbo filter, so only the appender's check stands between. */
  private static Logger loggerWritingTo(ByteArrayOutputStream stdout) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    GatedConsoleAppender appender = new GatedConsoleAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.start();
    appender.setOutputStream(stdout);
    Logger logger = context.getLogger("gated");
    logger.setAdditive(false);
    logger.addAppender(appender);
    return logger;
  }
}
