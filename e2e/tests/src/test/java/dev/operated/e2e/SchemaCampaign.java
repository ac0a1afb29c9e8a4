package dev.operated.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.desired.ClusterFacts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema-driven campaign: the generated changes in a seeded order, in trials of a few steps
 * each on one cluster (a namespace per trial, starting from the full example), with a rollback
 * now and then, an injected fault now and then and a fresh-cluster check at the end of every
 * trial. A trial that breaks an oracle ends there and is written as a replayable file.
 */
final class SchemaCampaign {

  /** The spec every trial starts from: the example that sets every field. */
  static final Path BASE = Examples.FULL;
  static final String KUBERNETES_VERSION = "1.33";
  /** Changes per trial; a trial starts from the base spec in a namespace of its own. */
  static final int STEPS_PER_TRIAL = 8;
  /** One valid step in this many is followed by a rollback to the spec before it. */
  private static final int ROLLBACK_ONE_IN = 4;
  /** One step in this many has the operator's first write answered 503. */
  private static final int FAULT_ONE_IN = 8;
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCampaign.class);

  /** What a run did and found. */
  record Summary(long seed, int changesGenerated, int cases, int casesRun, int steps,
      int notApplicable,
      Map<CampaignRunner.Outcome, Integer> outcomes, int freshClusterChecks, int rollbacks,
      int injectedFaults, long seconds, long slowestStepMillis,
      Map<CampaignRunner.Outcome, Long> meanStepMillis, List<String> failures,
      List<String> violations) {

    /** Written beside the failures, so a long run's numbers outlive its log. */
    void write(Path file) {
      try {
        java.nio.file.Files.createDirectories(file.getParent());
        new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
  }

  private SchemaCampaign() {
  }

  /**
   * The full example with two replicas instead of three: still a disruption budget, and a
   * rollout replaces one pod fewer per step.
   */
  static ObjectNode baseSpec() {
    try {
      ObjectNode spec = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(BASE.toFile())
          .get("spec");
      return spec.put("replicas", 2);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BASE, e);
    }
  }

  static List<CampaignChanges.Change> changes() {
    return CampaignChanges.all(CampaignChanges.specSchema(
        Examples.REPO.resolve("crds/operatedservices.operated.dev-v1.yml")), baseSpec());
  }

  /**
   * Runs {@code cases} of the changes (all of them when empty) in the order {@code seed} gives,
   * writing each failing trial under {@code failures}.
   */
  static Summary run(long seed, Optional<Integer> cases, Path failures) {
    List<CampaignChanges.Change> all = new ArrayList<>(changes());
    Random random = new Random(seed);
    Collections.shuffle(all, random);
    List<CampaignChanges.Change> chosen = all.subList(0, Math.min(all.size(),
        cases.orElse(all.size())));
    ObjectNode base = baseSpec();
    Map<CampaignRunner.Outcome, Integer> outcomes = new EnumMap<>(CampaignRunner.Outcome.class);
    List<String> failed = new ArrayList<>();
    long started = System.nanoTime();
    long slowest = 0;
    Map<CampaignRunner.Outcome, Long> totalMillis = new EnumMap<>(CampaignRunner.Outcome.class);
    int fresh = 0;
    int rollbacks = 0;
    int faults = 0;
    List<String> violations = new ArrayList<>();
    int steps = 0;
    int notApplicable = 0;
    int casesRun = 0;
    try (CampaignRunner runner = new CampaignRunner(CampaignRunner.Settings.standard(
        KUBERNETES_VERSION, true))) {
      for (int start = 0, trial = 1; start < chosen.size(); start += STEPS_PER_TRIAL, trial++) {
        List<CampaignChanges.Change> changes = chosen.subList(start,
            Math.min(chosen.size(), start + STEPS_PER_TRIAL));
        String namespace = "campaign-" + seed + "-" + trial;
        runner.beginTrial(namespace);
        List<CampaignRecord.Step> record = new ArrayList<>();
        List<String> found = new ArrayList<>();
        ObjectNode lastValid = base;
        Integer lastValidIndex = null;
        CampaignChanges.NamespaceFacts lastValidFacts = null;
        CampaignChanges.NamespaceFacts facts = CampaignChanges.NamespaceFacts.NONE;
        List<CampaignRecord.Step> pending = new ArrayList<>();
        pending.add(new CampaignRecord.Step("the base spec (" + BASE.getFileName() + ")", null,
            base, facts.labels(), facts.annotations(), 0, null, false));
        int next = 0;
        boolean checkedFresh = false;
        while (found.isEmpty() && (!pending.isEmpty() || next < changes.size()
            || !checkedFresh)) {
          CampaignRecord.Step step;
          if (!pending.isEmpty()) {
            step = pending.remove(0);
          } else if (next == changes.size()) {
            // The trial ends on its last valid spec, applied again (it restores that step's
            // objects after an invalid one) and once on a fresh cluster.
            checkedFresh = true;
            step = new CampaignRecord.Step("the last valid spec again (step " + lastValidIndex
                + "), and on a fresh cluster", null, lastValid, facts.labels(),
                facts.annotations(), 0, facts.equals(lastValidFacts) ? lastValidIndex : null,
                true);
          } else {
            CampaignChanges.Change change = changes.get(next++);
            CampaignChanges.NamespaceFacts stepFacts = change.namespace() == null ? facts
                : change.namespace();
            ClusterFacts clusterFacts = runner.facts(stepFacts);
            Optional<ObjectNode> spec = change.applyTo(lastValid, clusterFacts)
                .or(() -> change.applyTo(base, clusterFacts));
            if (spec.isEmpty()) {
              notApplicable++;
              continue;
            }
            casesRun++;
            step = new CampaignRecord.Step(change.name(), change.field(), spec.get(),
                stepFacts.labels(), stepFacts.annotations(),
                random.nextInt(FAULT_ONE_IN) == 0 ? 1 : 0, null, false);
          }
          int index = record.size();
          record.add(step);
          steps++;
          LOG.info("campaign {} step {}: {}", namespace, index, step.name());
          long stepStarted = System.nanoTime();
          CampaignRunner.StepResult result = runner.run(namespace, index, step);
          long millis = (System.nanoTime() - stepStarted) / 1_000_000;
          slowest = Math.max(slowest, millis);
          totalMillis.merge(result.outcome(), millis, Long::sum);
          fresh += step.freshClusterCheck() ? 1 : 0;
          rollbacks += step.rollbackTo() != null ? 1 : 0;
          faults += step.refusedOperatorWrites() > 0 ? 1 : 0;
          outcomes.merge(result.outcome(), 1, Integer::sum);
          found.addAll(result.violations());
          facts = step.namespaceFacts();
          if (result.outcome() == CampaignRunner.Outcome.APPLIED) {
            if (lastValidIndex != null && facts.equals(lastValidFacts)
                && step.rollbackTo() == null
                && random.nextInt(ROLLBACK_ONE_IN) == 0) {
              pending.add(new CampaignRecord.Step("rollback to step " + lastValidIndex + " ("
                  + record.get(lastValidIndex).name() + ")", null, lastValid,
                  facts.labels(), facts.annotations(), 0, lastValidIndex, false));
            }
            lastValid = step.spec();
            lastValidIndex = index;
            lastValidFacts = facts;
          }
        }
        runner.endTrial(namespace);
        if (!found.isEmpty()) {
          Path file = failures.resolve(namespace + ".yaml");
          new CampaignRecord(seed, KUBERNETES_VERSION, true, namespace, record, found)
              .write(file);
          failed.add(file.toString());
          violations.add(namespace + " step " + (record.size() - 1) + " ("
              + record.get(record.size() - 1).name() + "): " + String.join("\n  ", found));
          LOG.warn("campaign {}: violation, replay with -Dcampaign.replay={}", namespace, file);
        }
      }
    }
    Summary summary = new Summary(seed, all.size(), chosen.size(), casesRun, steps,
        notApplicable,
        outcomes, fresh, rollbacks, faults, (System.nanoTime() - started) / 1_000_000_000,
        slowest, mean(totalMillis, outcomes), failed, violations);
    summary.write(failures.resolve("summary-seed-" + seed + "-cases-" + chosen.size() + ".yaml"));
    return summary;
  }

  private static Map<CampaignRunner.Outcome, Long> mean(
      Map<CampaignRunner.Outcome, Long> totals, Map<CampaignRunner.Outcome, Integer> counts) {
    Map<CampaignRunner.Outcome, Long> means = new EnumMap<>(CampaignRunner.Outcome.class);
    totals.forEach((outcome, total) -> means.put(outcome, total / counts.get(outcome)));
    return means;
  }

  /** The steps of a replay file, on a fresh cluster: every violation they show now. */
  static List<String> replay(Path file) {
    CampaignRecord record = CampaignRecord.read(file);
    List<String> violations = new ArrayList<>();
    try (CampaignRunner runner = new CampaignRunner(CampaignRunner.Settings.standard(
        record.kubernetesVersion(), record.prometheusOperator()))) {
      runner.beginTrial(record.namespace());
      for (int index = 0; index < record.steps().size(); index++) {
        CampaignRecord.Step step = record.steps().get(index);
        CampaignRunner.StepResult result = runner.run(record.namespace(), index, step);
        result.violations().forEach(violation ->
            violations.add("step " + step.name() + ": " + violation));
      }
    }
    return violations;
  }
}
