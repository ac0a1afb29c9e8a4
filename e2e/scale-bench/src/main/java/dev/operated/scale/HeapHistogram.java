package dev.operated.scale;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code jcmd PID GC.class_histogram} printed, which it counts after a full collection: the
 * bytes of every object on the heap, and of those the fillers, which are no objects of the program.
 *
 * <p>Serial's full collection does not compact the bottom of the old generation while the garbage
 * there stays under {@code MarkSweepDeadRatio} (5 %) of its capacity, except every
 * {@code MarkSweepAlwaysCompactCount}-th collection; the dead objects it leaves are overwritten
 * with fillers (openjdk {@code serialFullGC.cpp}, {@code DeadSpacer}). In a 2 Gi pod that is tens
 * of MiB that any count of the used bytes ({@code jstat}) takes for live. On Java 25 (the image's)
 * a filler is an array of {@code jdk.internal.vm.FillerElement} or a {@code FillerObject}; on
 * Java 17 an {@code int[]}, which cannot be told from the program's own: there they count as live.
 *
 * @param totalBytes  the histogram's total
 * @param fillerBytes the fillers' share of it
 */
public record HeapHistogram(long totalBytes, long fillerBytes) {

  /** A class's row: rank, instances, bytes, class name (and its module). */
  private static final Pattern ROW =
      Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");
  private static final Pattern TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$");

  public static HeapHistogram parse(String text) {
    long total = -1;
    long fillers = 0;
    for (String line : text.lines().toList()) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        if (isFiller(row.group(2))) {
          fillers += Long.parseLong(row.group(1));
        }
        continue;
      }
      Matcher totalLine = TOTAL.matcher(line);
      if (totalLine.matches()) {
        total = Long.parseLong(totalLine.group(1));
      }
    }
    if (total < 0) {
      throw new IllegalArgumentException("no 'Total' line in the class histogram; does this "
          + "JVM's jcmd print GC.class_histogram in another form? It began: "
          + text.lines().limit(3).toList());
    }
    return new HeapHistogram(total, fillers);
  }

  private static boolean isFiller(String className) {
    return className.equals("[Ljdk.internal.vm.FillerElement;")
        || className.equals("jdk.internal.vm.FillerObject");
  }

  /** The program's objects: what a full collection could not free. */
  public long liveKib() {
    return (totalBytes - fillerBytes) / 1024;
  }
}
