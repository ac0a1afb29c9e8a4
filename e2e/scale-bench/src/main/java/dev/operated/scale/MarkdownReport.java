package dev.operated.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** A run as one markdown table row, appended to the "## Scale" section of a document. */
final class MarkdownReport {

  static final String SECTION = "## Scale";

  private MarkdownReport() {
  }

  static String header() {
    return String.join("\n",
        "| date | load | run | N | example | operator JVM | applied: operator / bare (ratio) "
            + "| all Ready / bare available (ratio) | create to Ready p50 / p99 "
            + "| reconciles, requests, writes per service (bare: requests) "
            + "| status patches, Events per service | idle resync: reconciles, writes, reads "
            + "per reconcile | RSS idle / loaded (anonymous), live heap (KiB per service), threads "
            + "| server CPU share (bare / operator) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  }

  static String row(ScaleReport report, String label) {
    ScaleReport.Operated operated = report.operator();
    ScaleReport.Baseline bare = report.baseline();
    ScaleReport.IdleResync resync = report.idleResync();
    ScaleReport.Memory memory = operated.memory();
    List<String> cells = new ArrayList<>();
    cells.add(report.date());
    cells.add(report.loadAverages());
    cells.add(label.isBlank() ? "-" : label);
    cells.add(String.format(Locale.ROOT, "%,d", report.services()));
    cells.add(report.example().replace(".yaml", "") + (report.namespaces() > 1
        ? ", " + report.namespaces() + " namespaces" : ""));
    cells.add("`" + String.join(" ", report.operatorCommand().jvmOptions()) + "`"
        + (report.operatorCommand().args().isEmpty() ? ""
            : " `" + String.join(" ", report.operatorCommand().args()) + "`")
        + (report.operatorCommand().environment().isEmpty() ? ""
            : " `" + new TreeMap<>(report.operatorCommand().environment()).entrySet().stream()
                .map(variable -> variable.getKey() + "=" + variable.getValue())
                .collect(Collectors.joining(" ")) + "`"));
    cells.add(bare == null ? f(operated.allAppliedSeconds()) + " s"
        : f(operated.allAppliedSeconds()) + " s / " + f(bare.allAppliedSeconds()) + " s (**"
            + f(report.ratios().applied()) + "x**); writes until then "
            + String.format(Locale.ROOT, "%,d / %,d", operated.writesUntilApplied(),
                bare.writesUntilApplied())
            + " (" + f(operated.writesUntilApplied() / operated.allAppliedSeconds()) + " / "
            + f(bare.writesUntilApplied() / bare.allAppliedSeconds()) + " a second)");
    cells.add(bare == null ? f(operated.allReadySeconds()) + " s"
        : f(operated.allReadySeconds()) + " s / " + f(bare.allAvailableSeconds()) + " s ("
            + f(report.ratios().ready()) + "x)");
    cells.add(f(operated.createToReadySeconds().p50()) + " s / "
        + f(operated.createToReadySeconds().p99()) + " s");
    cells.add(f(operated.reconcilesPerService()) + ", " + f(operated.requestsPerService()) + ", "
        + f(operated.writesPerService()) + (bare == null ? ""
            : " (" + f(bare.requestsPerService()) + ")"));
    cells.add(f(operated.statusPatchesPerService()) + ", " + f(operated.eventsPerService()));
    cells.add(String.format(Locale.ROOT, "%,d, %,d, %s", resync.reconciles(), resync.writes(),
        f(resync.readsPerReconcile())));
    cells.add(f(memory.idleRssMib()) + " / " + f(memory.rssMib()) + " MiB (anonymous "
        + f(memory.rssAnonMib()) + "), "
        + f(memory.liveHeapMib()) + " MiB (" + f(memory.liveHeapKibPerService()) + "), "
        + memory.idleThreads() + " → " + memory.threads()
        + (memory.settled() == null ? "" : "; " + memory.settled().afterSeconds()
            + " s later " + f(memory.settled().rssMib()) + " MiB (anonymous "
            + f(memory.settled().rssAnonMib()) + "), " + memory.settled().threads()
            + " threads"));
    cells.add((bare == null ? "-" : pct(bare.cpu().serverShare())) + " / "
        + pct(operated.cpu().serverShare()));
    return "| " + String.join(" | ", cells) + " |";
  }

  /** Adds the row at the end of the section, after a header when no table ends it yet. */
  static void append(Path document, ScaleReport report, String label) throws IOException {
    List<String> lines = new ArrayList<>(Files.exists(document)
        ? Files.readAllLines(document) : List.of());
    int start = lines.indexOf(SECTION);
    if (start < 0) {
      if (!lines.isEmpty() && !lines.get(lines.size() - 1).isBlank()) {
        lines.add("");
      }
      lines.add(SECTION);
      lines.add("");
      start = lines.size() - 2;
    }
    int end = start + 1;
    while (end < lines.size() && !lines.get(end).startsWith("## ")) {
      end++;
    }
    int last = end;
    while (last > start + 1 && lines.get(last - 1).isBlank()) {
      last--;
    }
    List<String> added = new ArrayList<>();
    if (!lines.get(last - 1).startsWith("| ")) {
      if (last > start + 1) {
        added.add("");
      }
      added.addAll(header().lines().toList());
    }
    added.add(row(report, label));
    lines.addAll(last, added);
    if (last + added.size() < lines.size() && !lines.get(last + added.size()).isBlank()) {
      lines.add(last + added.size(), "");
    }
    Files.write(document, lines);
  }

  private static String f(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.2f", value).replaceAll("0$", "");
  }

  private static String pct(double share) {
    return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.0f %%", share * 100);
  }
}
