package dev.operated.scale;

import java.util.List;
import java.util.Map;

/**
 * One benchmark run, as {@code report.json} holds it. Seconds are from the first create (or
 * apply) of the phase; "per service" divides by N. {@code loadAverages} is the machine's 1-minute
 * load average at the start and at the end: other work on the same cores slows every phase.
 */
public record ScaleReport(String date, String machine, String loadAverages, String command,
    int services,
    String example, int namespaces, int workers, OperatorRun operatorCommand,
    Baseline baseline, Operated operator, IdleResync idleResync, Ratios ratios) {

  /** How the operator was started. */
  public record OperatorRun(String java, List<String> jvmOptions, String jar, List<String> args,
      Map<String, String> environment) {
  }

  /**
   * The bare client applying what render prints. {@code writesUntilApplied}: the writes the
   * server answered, from every client, from the first apply until the benchmark saw the last
   * object (here the applies themselves).
   */
  public record Baseline(double allAppliedSeconds, long writesUntilApplied,
      double allAvailableSeconds,
      Percentiles applyToAvailableSeconds, long requests, double requestsPerService,
      double writesPerService, Cpu cpu) {
  }

  /**
   * The operator reconciling the same services from their OperatedServices.
   * {@code writesUntilApplied}: as the baseline's, from the first create: the benchmark's creates
   * and what the operator wrote meanwhile.
   */
  public record Operated(double allAppliedSeconds, long writesUntilApplied,
      double allReadySeconds,
      double allAvailableSeconds, Percentiles createToReadySeconds, long reconciles,
      double reconcilesPerService, long requests, double requestsPerService,
      double writesPerService, double statusPatchesPerService, double eventsPerService,
      Map<String, Long> requestsByKind, Memory memory, Cpu cpu) {
  }

  /** The operator restarted with N unchanged services: what a resync costs. */
  public record IdleResync(long reconciles, long writes, long namedReads, long lists,
      long watches, double readsPerReconcile, Map<String, Long> requestsByKind) {
  }

  /**
   * The operator process, from /proc and jstat: idle before the storm, loaded once the storm is
   * quiet, and {@code settled} (null unless {@code --settle-seconds} asked for it) after that
   * long with nothing to do, what a pod holds between storms.
   */
  public record Memory(double idleRssMib, int idleThreads, double rssMib, double rssAnonMib,
      int threads, double liveHeapMib, double liveHeapKibPerService, double rssKibPerService,
      Settled settled) {
  }

  /** The operator process {@code afterSeconds} after the storm went quiet. */
  public record Settled(long afterSeconds, double rssMib, double rssAnonMib, int threads) {
  }

  /** CPU seconds of each process during the phase, and the server's share of them. */
  public record Cpu(double serverSeconds, double operatorSeconds, double driverSeconds,
      double serverShare) {
  }

  public record Percentiles(double p50, double p99) {

    static Percentiles of(List<Double> values) {
      if (values.isEmpty()) {
        return new Percentiles(Double.NaN, Double.NaN);
      }
      List<Double> sorted = values.stream().sorted().toList();
      return new Percentiles(rank(sorted, 0.50), rank(sorted, 0.99));
    }

    /** Nearest rank: the smallest value with at least that share of the values at or below it. */
    private static double rank(List<Double> sorted, double share) {
      int index = (int) Math.ceil(share * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
  }

  /** Operator over bare client: 1.0 is as fast as the bare client. */
  public record Ratios(double applied, double ready) {
  }
}
