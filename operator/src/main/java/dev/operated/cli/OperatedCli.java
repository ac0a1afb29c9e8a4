package dev.operated.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator's executable: {@code run} the operator, {@code render} what it would apply, or
 * {@code explain-budget} of a live OperatedService. The jar ({@code operator/target/operated.jar}),
 * the image (Jib) and the kubectl plugin ({@code bin/kubectl-operated}) all start here.
 */
@Command(name = "operated", mixinStandardHelpOptions = true,
    versionProvider = OperatedCli.Version.class,
    description = "Runs every OperatedService operated right.",
    subcommands = {RunCommand.class, RenderCommand.class, ExplainBudgetCommand.class})
public final class OperatedCli {

  public static void main(String[] args) {
    // UTF-8 whatever the locale: under LC_ALL=C (common in CI containers) the JVM would write
    // non-ASCII as '?', and `render | kubectl apply -f -` would apply altered values.
    System.setOut(utf8(FileDescriptor.out));
    System.setErr(utf8(FileDescriptor.err));
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return new CommandLine(new OperatedCli())
        .setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true))
        .setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true))
        .execute(args);
  }

  private static PrintStream utf8(FileDescriptor descriptor) {
    return new PrintStream(new FileOutputStream(descriptor), true, StandardCharsets.UTF_8);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = OperatedCli.class.getPackage().getImplementationVersion();
      return new String[] {"operated " + (version == null ? "development build" : version)};
    }
  }
}
