package dev.operated.cli;

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
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    return new CommandLine(new OperatedCli()).execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = OperatedCli.class.getPackage().getImplementationVersion();
      return new String[] {"operated " + (version == null ? "development build" : version)};
    }
  }
}
