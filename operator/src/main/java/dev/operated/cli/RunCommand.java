package dev.operated.cli;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import dev.operated.runtime.InvalidSettingsException;
import dev.operated.runtime.LogLevels;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.PanicHook;
import dev.operated.runtime.Setting;
import dev.operated.runtime.SettingsParser;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * Runs the operator against the current kubeconfig context, or in-cluster configuration. Its
 * options are the {@link Setting}s, one each, made from the enum (flag, label, help); every flag
 * has an environment variable behind it (what the Helm chart sets) and the flag wins. Values are
 * read as text and validated together by {@link SettingsParser}, so each bad one is named with
 * its flag, its variable and the fix.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the operator against the current kubeconfig context (or the in-cluster "
        + "service account). Serves /livez, /readyz and /metrics. Exits 0 after SIGTERM, 2 on "
        + "invalid settings, 1 when it cannot start.",
    modelTransformer = RunCommand.SettingOptions.class)
public final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Spec
  CommandSpec command;

  /** The flags given on the command line; absent ones are left out (the variable decides). */
  private final Map<Setting, String> flags = new EnumMap<>(Setting.class);

  @Override
  public Integer call() throws InterruptedException {
    OperatorSettings settings;
    try {
      settings = SettingsParser.parse(flags(), System.getenv());
    } catch (InvalidSettingsException e) {
      command.commandLine().getErr().println("run: " + e.getMessage());
      command.commandLine().getErr().flush();
      return 2;
    }
    LogLevels.apply(settings.logLevel());
    PanicHook.install();
    CountDownLatch signalled = new CountDownLatch(1);
    // A signal handler rather than only a shutdown hook: the shutdown runs while everything
    // still works and the process then exits 0 instead of 143 (as the sample-service does).
    // sun.misc.Signal stays exported from jdk.unsupported for exactly this (JEP 260).
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        LOG.info("SIG{} received", signal.getName(), keyValue("event", "signal"),
            keyValue("signal", signal.getName()));
        signalled.countDown();
      });
    }
    KubernetesClient client = OperatorClient.build(settings.watchTransport());
    OperatorRuntime runtime;
    try {
      runtime = OperatorRuntime.start(settings, client, Clock.systemUTC(), System::exit,
          configuration -> { });
    } catch (RuntimeException e) {
      LOG.error("the operator could not start: {}", e.getMessage(),
          keyValue("event", "start-failed"), e);
      client.close();
      return 1;
    }
    // System.exit from elsewhere (a fatal panic, a lost lease) still stops the operator cleanly
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.shutdown();
      client.close();
    }, "operated-shutdown"));
    signalled.await();
    runtime.shutdown();
    client.close();
    return 0;
  }

  private Map<Setting, String> flags() {
    return new EnumMap<>(flags);
  }

  /**
   * Adds one option per {@link Setting}: its flag, its value's label and its meaning as the help,
   * so the options cannot disagree with the settings the parser reads.
   */
  static final class SettingOptions implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      RunCommand run = (RunCommand) command.userObject();
      for (Setting setting : Setting.values()) {
        command.addOption(OptionSpec.builder(setting.flag())
            .paramLabel(setting.paramLabel())
            .type(String.class)
            .description(setting.help())
            .setter(new ISetter() {
              @Override
              public <T> T set(T value) {
                // picocli also sets the initial null before parsing: that is "not given", and
                // the variable must then win (and be named as the source of a bad value)
                if (value == null) {
                  run.flags.remove(setting);
                } else {
                  run.flags.put(setting, (String) value);
                }
                return null;
              }
            })
            .getter(new IGetter() {
              @Override
              @SuppressWarnings("unchecked")
              public <T> T get() {
                return (T) run.flags.get(setting);
              }
            })
            .build());
      }
      return command;
    }
  }
}
