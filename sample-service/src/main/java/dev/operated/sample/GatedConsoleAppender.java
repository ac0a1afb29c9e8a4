package dev.operated.sample;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The console appender of {@code logback.xml}, which checks the fatal path's gate
 * ({@link Logging#onlyThisThreadMayLog}) again where a line is written. An event that passed the
 * gate's turbo filter just before it closed is still being encoded when the panic event is
 * written; without this check its line landed after the panic, and the kubelet's termination
 * message (the log's last lines) showed it instead. Written under the appender's write lock, a
 * line from another thread is either out before the panic's or dropped.
 */
public final class GatedConsoleAppender extends ConsoleAppender<ILoggingEvent> {

  @Override
  public void setOutputStream(OutputStream out) {
    super.setOutputStream(new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        if (Logging.mayLog()) {
          out.write(b);
        }
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        if (Logging.mayLog()) {
          out.write(bytes, offset, length);
        }
      }
    });
  }
}
