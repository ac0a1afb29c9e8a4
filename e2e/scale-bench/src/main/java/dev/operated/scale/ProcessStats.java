package dev.operated.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process as Linux's /proc tells it: resident memory, threads and CPU time, read from outside,
 * so the numbers are the kernel's and not what the JVM thinks of itself.
 *
 * @param rssKib     all resident pages ({@code VmRSS})
 * @param rssAnonKib the anonymous ones ({@code RssAnon}: heap, metaspace, stacks, malloc): what a
 *                   container's memory limit holds against the process, with no swap to go to;
 *                   the rest is file pages (the JDK's modules, jars), which the kernel can drop
 */
public record ProcessStats(long rssKib, long rssAnonKib, int threads, long cpuNanos) {

  /** USER_HZ: the unit of utime and stime in /proc/PID/stat; 100 on every Linux the JDK runs on. */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  public static ProcessStats of(long pid) {
    try {
      long rss = 0;
      long rssAnon = 0;
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = number(line);
        } else if (line.startsWith("RssAnon:")) {
          rssAnon = number(line);
        } else if (line.startsWith("Threads:")) {
          threads = (int) number(line);
        }
      }
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // the command name in parentheses may hold spaces: fields are counted after its ')'
      List<String> fields = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
      long ticks = Long.parseLong(fields.get(11)) + Long.parseLong(fields.get(12));
      return new ProcessStats(rss, rssAnon, threads,
          ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc for process " + pid
          + " (has it exited?): " + e.getMessage(), e);
    }
  }

  /** The value of a /proc status line ("VmRSS:   1234 kB"). */
  private static long number(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }
}
