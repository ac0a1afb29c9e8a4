package dev.operated.sample;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Turns an uncaught exception into one structured ERROR event ({@code event=panic}) with the
 * OpenTelemetry exception attribute names, so that log pipelines can find, count and group them.
 * Installed as the default uncaught exception handler; the request dispatcher reports exceptions
 * that escape a handler here too. Errors the JVM cannot survive (out of memory, stack overflow,
 * internal errors) end the process: the event is the last line on stdout, telemetry is flushed
 * (bounded), logging is stopped and the process exits with {@link #FATAL_EXIT_CODE}.
 */
final class Panics implements Thread.UncaughtExceptionHandler {

  /** EX_SOFTWARE: an internal error the process could not survive. */
  static final int FATAL_EXIT_CODE = 70;
  static final String EVENT = "panic";
  /** Keeps the fatal event's line well inside the kubelet's 2,048-byte termination message. */
  static final int FATAL_STACK_CHARS = 800;
  private static final Duration FATAL_FLUSH_TIMEOUT = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(Panics.class);

  private final AtomicBoolean dying = new AtomicBoolean();
  private volatile Telemetry telemetry;
  private volatile Lifecycle lifecycle;

  /** Installs a handler for every thread of the process (before anything else starts). */
  static Panics install() {
    Panics panics = new Panics();
    Thread.setDefaultUncaughtExceptionHandler(panics);
    return panics;
  }

  /** Once telemetry exists, panics flush it. */
  void attach(Telemetry telemetry, Lifecycle lifecycle) {
    this.telemetry = telemetry;
    this.lifecycle = lifecycle;
  }

  @Override
  public void uncaughtException(Thread thread, Throwable error) {
    if (isFatal(error)) {
      fatal(thread, error);
      return;
    }
    try {
      log(thread, error, "uncaught", false);
      Telemetry current = telemetry;
      if (current != null) {
        current.flush(); // do not wait: a dying background thread must not hold anything up
      }
    } catch (Throwable ignored) {
      // a handler that throws would only hide the original problem
    }
  }

  /** A request handler threw: one panic event (inside the request's span), the process lives on. */
  void requestPanic(Throwable error) {
    if (isFatal(error)) {
      fatal(Thread.currentThread(), error);
      return;
    }
    log(Thread.currentThread(), error, "request", false);
  }

  static boolean isFatal(Throwable error) {
    return error instanceof VirtualMachineError;
  }

  private void fatal(Thread thread, Throwable error) {
    if (!dying.compareAndSet(false, true)) {
      // a second fatal error while the first is handled: the first one does the exiting
      return;
    }
    try {
      Lifecycle current = lifecycle;
      if (current != null) {
        current.stopping();
      }
      Logging.onlyThisThreadMayLog();
      log(thread, error, "uncaught", true);
      Telemetry t = telemetry;
      if (t != null) {
        t.flush().join(FATAL_FLUSH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (Throwable ignored) {
      // nothing more can be done; exit regardless
    } finally {
      try {
        Logging.stop();
      } finally {
        Runtime.getRuntime().halt(FATAL_EXIT_CODE);
      }
    }
  }

  private static void log(Thread thread, Throwable error, String source, boolean fatal) {
    String stack = stackTrace(error);
    if (fatal && stack.length() > FATAL_STACK_CHARS) {
      // The fatal event is the last line, and Kubernetes keeps only the last 2 KiB of the log
      // as the termination message: a whole stack would push the message itself out of it.
      stack = stack.substring(0, FATAL_STACK_CHARS)
          + "\n\t... (cut to fit the termination message)";
    }
    LoggingEventBuilder event = LOG.atError()
        .addKeyValue("event", EVENT)
        .addKeyValue("panic.source", source)
        .addKeyValue("panic.fatal", fatal)
        .addKeyValue("exception.type", error.getClass().getName())
        .addKeyValue("exception.message", String.valueOf(error.getMessage()))
        .addKeyValue("exception.stacktrace", stack)
        .addKeyValue("thread.name", thread.getName())
        .addKeyValue("thread.id", thread.getId());
    StackTraceElement[] frames = error.getStackTrace();
    if (frames.length > 0) {
      StackTraceElement top = frames[0];
      event = event
          .addKeyValue("code.function.name", top.getClassName() + "." + top.getMethodName())
          .addKeyValue("code.file.path", String.valueOf(top.getFileName()))
          .addKeyValue("code.line.number", top.getLineNumber());
    }
    event.log("panic: {} in thread \"{}\"{}: {}", error.getClass().getSimpleName(),
        thread.getName(), fatal ? " (fatal, exiting)" : "", error.getMessage());
  }

  private static String stackTrace(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
