package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema-driven campaign (Acto's method, see {@link SchemaCampaign}). The normal test run
 * runs a bounded, seeded sample; {@code -Dcampaign.cases=all} runs every generated change,
 * {@code -Dcampaign.seed=N} picks another order and sample, and {@code -Dcampaign.replay=FILE}
 * replays a failure the campaign wrote under {@code target/campaign/} (a folder: every failure
 * in it).
 */
class SchemaCampaignTest {

  /** The CI sample: about a minute and a half on two busy cores. */
  static final int CI_CASES = 10;
  static final long DEFAULT_SEED = 15;
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCampaignTest.class);

  /** A replay file, or every one the campaign wrote in a folder. */
  private static List<Path> replayFiles(Path given) throws IOException {
    if (!Files.isDirectory(given)) {
      return List.of(given);
    }
    try (Stream<Path> files = Files.list(given)) {
      return files.filter(file -> file.getFileName().toString().startsWith("campaign-"))
          .sorted().toList();
    }
  }

  @Test
  void everyStepHoldsTheOracles() throws IOException {
    String replay = System.getProperty("campaign.replay", "");
    if (!replay.isBlank()) {
      Map<String, List<String>> violations = new TreeMap<>();
      for (Path file : replayFiles(Path.of(replay))) {
        List<String> found = SchemaCampaign.replay(file);
        LOG.warn("campaign replay of {}: {}", file, found.isEmpty() ? "no violation" : found);
        if (!found.isEmpty()) {
          violations.put(file.toString(), found);
        }
      }
      assertThat(violations).as("violations replaying %s", replay).isEmpty();
      return;
    }
    long seed = Long.parseLong(System.getProperty("campaign.seed",
        Long.toString(DEFAULT_SEED)));
    String cases = System.getProperty("campaign.cases", Integer.toString(CI_CASES));
    Optional<Integer> bound = "all".equals(cases) ? Optional.empty()
        : Optional.of(Integer.parseInt(cases));
    Path failures = Path.of(System.getProperty("campaign.failures", "target/campaign"));

    SchemaCampaign.Summary summary = SchemaCampaign.run(seed, bound, failures);

    LOG.warn("campaign: {}", summary);
    assertThat(summary.violations()).as("violations (replay each with "
        + "-Dcampaign.replay=FILE): %s", summary.failures()).isEmpty();
  }
}
