package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's first command, with --once: up, Ready, the rollout described, everything gone. */
class PlaygroundTest {

  @TempDir
  Path temp;

  @Test
  void onceReportsEachTransitionDescribesTheRolloutAndExitsZeroWhenReady() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine playground = new CommandLine(new Playground());
    playground.setOut(new PrintWriter(out));
    playground.setErr(new PrintWriter(err));

    int exitCode = playground.execute("--once");

    assertThat(err.toString()).isEmpty();
    assertThat(exitCode).isZero();
    assertThat(out.toString())
        .contains("Starting an embedded Kubernetes 1.33 API server")
        .contains("READY 2/2   True/AllReplicasReady")
        .contains("readiness probe  GET /readyz on port http")
        .contains("preStop          sleep 5s (kubelet)")
        .contains("grace period     17s")
        .contains("env              OPERATED_DRAIN_SECONDS=0");
    // a line per transition, not a line per poll
    long readyLines = out.toString().lines().filter(l -> l.contains("READY 2/2")).count();
    assertThat(readyLines).isEqualTo(1);
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count())
        .as("every pod process is gone").isZero();
  }

  @Test
  void aMissingManifestIsNamed() {
    StringWriter err = new StringWriter();
    CommandLine playground = new CommandLine(new Playground());
    playground.setErr(new PrintWriter(err));
    playground.setOut(new PrintWriter(new StringWriter()));

    int exitCode = playground.execute("--once", "-f", temp.resolve("absent.yaml").toString());

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("absent.yaml").contains("-f");
    assertThat(Files.exists(temp.resolve("absent.yaml"))).isFalse();
  }
}
