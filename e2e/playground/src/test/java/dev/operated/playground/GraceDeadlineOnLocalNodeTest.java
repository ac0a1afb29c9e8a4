package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.ShutdownSpec;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod whose app is still running when its grace period ends is SIGKILLed by the node, as a
 * kubelet does, and the operator counts it in operated_service_grace_deadline_kills_total (the
 * series OperatedServiceKilledAtGraceDeadline reads); a pod that shuts down in time is not.
 */
class GraceDeadlineOnLocalNodeTest {

  private static final Pattern KILLS = Pattern.compile(
      "^operated_service_grace_deadline_kills_total\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @AfterEach
  void stop() {
    if (e2e != null) {
      e2e.close();
    }
  }

  private static OperatedService shortBudget(OperatedService resource) {
    // drain 1 s + shutdown 1 s + 2 s margin: a 4 s grace period
    resource.setSpec(resource.getSpec().withShutdown(new ShutdownSpec(1, 1, null, null)));
    return resource;
  }

  private double appKills() {
    Matcher matcher = KILLS.matcher(e2e.cluster.operatorMetrics());
    double total = 0;
    boolean found = false;
    while (matcher.find()) {
      if (matcher.group(1).contains("container=\"app\"")
          && matcher.group(1).contains("operatedservice=\"" + LocalEndToEnd.NAME + "\"")) {
        total += Double.parseDouble(matcher.group(2));
        found = true;
      }
    }
    assertThat(found).as("the app's grace-deadline kill series is exported").isTrue();
    return total;
  }

  @Test
  void aFrozenAppKilledAtTheEndOfItsGracePeriodIsCountedAndACleanShutdownIsNot()
      throws Exception {
    e2e = new LocalEndToEnd(logs, "1.33");
    e2e.applyExample(GraceDeadlineOnLocalNodeTest::shortBudget);
    e2e.awaitReady(2);
    assertThat(appKills()).isZero();

    Pod clean = e2e.pods().get(0);
    e2e.cluster.client().pods().inNamespace(NS).withName(clean.getMetadata().getName()).delete();
    await("the cleanly stopped pod is gone").atMost(Duration.ofSeconds(30))
        .until(() -> e2e.pods().stream().noneMatch(p -> p.getMetadata().getUid()
            .equals(clean.getMetadata().getUid())));
    e2e.awaitReady(2);
    assertThat(appKills()).as("exited 0 within its grace period").isZero();

    Pod frozen = e2e.pods().get(0);
    ProcessHandle app = e2e.cluster.node().process(NS, frozen.getMetadata().getName(), "app")
        .orElseThrow();
    signal(app, "STOP"); // it will not act on SIGTERM
    e2e.cluster.client().pods().inNamespace(NS).withName(frozen.getMetadata().getName())
        .delete();

    await("the kill is counted").atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(appKills()).isEqualTo(1));
    assertThat(app.isAlive()).isFalse();
    e2e.awaitReady(2);
    assertThat(appKills()).as("counted once").isEqualTo(1);
  }

  private static void signal(ProcessHandle process, String signal) throws Exception {
    int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .inheritIO().start().waitFor();
    assertThat(exit).as("kill -%s %d", signal, process.pid()).isZero();
  }
}
