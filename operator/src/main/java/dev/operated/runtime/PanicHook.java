package dev.operated.runtime;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default uncaught exception handler: an exception that escapes any thread becomes one
 * structured ERROR event ({@code event=panic}, thread, exception, location, stack trace). An
 * {@link Error} (out of memory, a class that failed to link, a stack overflow) leaves the JVM in
 * a state no reconcile should be trusted in, so the process then exits with
 * {@link #FATAL_EXIT_CODE}: the shutdown hook still stops the operator, releases the lease and
 * flushes telemetry, and the kubelet restarts the pod. An exception in a worker thread only
 * kills that thread; JOSDK retries failed reconciles on its own.
 */
public final class PanicHook implements Thread.UncaughtExceptionHandler {

  /** EX_SOFTWARE of sysexits.h: an internal software error. */
  public static final int FATAL_EXIT_CODE = 70;
  public static final String EVENT = "panic";

  private static final Logger LOG = LoggerFactory.getLogger(PanicHook.class);

  private final IntConsumer exit;

  PanicHook(IntConsumer exit) {
    this.exit = exit;
  }

  /** Installs the hook for every thread of the process. */
  public static PanicHook install() {
    PanicHook hook = new PanicHook(System::exit);
    Thread.setDefaultUncaughtExceptionHandler(hook);
    return hook;
  }

  @Override
  public void uncaughtException(Thread thread, Throwable throwable) {
    boolean fatal = throwable instanceof Error;
    try {
      StackTraceElement[] stack = throwable.getStackTrace();
      String location = stack.length == 0 ? "unknown" : stack[0].toString();
      LOG.error("uncaught {} in thread {}: {}", throwable.getClass().getName(), thread.getName(),
          throwable.getMessage(),
          keyValue("event", EVENT),
          keyValue("thread", thread.getName()),
          keyValue("exception", throwable.getClass().getName()),
          keyValue("location", location),
          keyValue("fatal", fatal),
          throwable);
    } catch (Throwable loggingFailed) {
      // the logger itself may be what is broken (out of memory): stderr is the last resort
      System.err.println("panic: uncaught " + throwable + " in thread " + thread.getName());
    }
    if (fatal) {
      exit.accept(FATAL_EXIT_CODE);
    }
  }
}
