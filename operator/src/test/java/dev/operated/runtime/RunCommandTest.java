package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.cli.OperatedCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `operated run` refuses bad settings before it touches a cluster. */
class RunCommandTest {

  @Test
  void badFlagsExitWithTwoAndNameEveryProblem() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new OperatedCli());
    cli.setErr(new PrintWriter(err));
    int code = cli.execute("run", "--http-port", "99999", "--watch-namespaces", "a,,b");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("run: invalid operator settings:")
        .contains("--http-port (OPERATED_HTTP_PORT) is '99999'")
        .contains("--watch-namespaces (OPERATED_WATCH_NAMESPACES) is 'a,,b'");
  }
}
