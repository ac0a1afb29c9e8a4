package dev.operated.sample;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Logging set-up and tear-down: the JUL bridge, the level, the fatal-path gate, the final stop. */
final class Logging {

  private static final Gate GATE = new Gate();

  private Logging() {
  }

  /** Routes java.util.logging into SLF4J and adds the turbo filters. Call first thing in main. */
  static void init() {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    LoggerContext context = context();
    context.addTurboFilter(GATE);
    context.addTurboFilter(new TelemetryLogThrottle());
  }

  /** Sets the root level (already validated by {@link Config}). */
  static void setLevel(String level) {
    context().getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level));
  }

  /**
   * From now on only the calling thread may log: the fatal path uses it so that its panic event is
   * the last line on stdout, whatever other threads are doing.
   */
  static void onlyThisThreadMayLog() {
    GATE.owner = Thread.currentThread();
  }

  /** The fatal path never opens the gate again; tests that closed it do. */
  static void everyThreadMayLog() {
    GATE.owner = null;
  }

  /**
   * Whether the calling thread may write a line now. The turbo filter asks before an event is
   * built; {@link GatedConsoleAppender} asks again as the line is written, for the events that
   * passed the filter before the gate closed.
   */
  static boolean mayLog() {
    Thread current = GATE.owner;
    return current == null || current == Thread.currentThread();
  }

  /** Flushes and stops every appender; the last thing before the process exits. */
  static void stop() {
    context().stop();
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  private static final class Gate extends TurboFilter {
    private volatile Thread owner;

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format,
        Object[] params, Throwable t) {
      return mayLog() ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
  }
}
