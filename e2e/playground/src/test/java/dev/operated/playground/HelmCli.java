package dev.operated.playground;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UpgradeCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code helm} command line run by helm-java, Helm's own Go code as a native library: the same
 * requests the helm binary makes, without a binary to install. Knows the subcommands and flags
 * the README uses ({@code install}, {@code upgrade [--install]}, {@code uninstall};
 * {@code -n/--namespace}, {@code --create-namespace}, {@code --set}, {@code --reuse-values}) and
 * refuses any other, naming it, so a README change that needs more fails here first. Prints what
 * the helm CLI prints first: the release's name, namespace, status and revision.
 */
final class HelmCli {

  private final Path kubeconfig;
  private final Path workDir;

  HelmCli(Path kubeconfig, Path workDir) {
    this.kubeconfig = kubeconfig;
    this.workDir = workDir;
  }

  /** @param arguments the words after {@code helm} */
  String run(List<String> arguments) {
    Flags flags = Flags.parse(arguments);
    return switch (flags.positional.get(0)) {
      case "install" -> {
        flags.expectPositional(3, "helm install NAME CHART");
        InstallCommand install = new Helm(workDir.resolve(flags.positional.get(2))).install()
            .withName(flags.positional.get(1)).withKubeConfig(kubeconfig);
        if (flags.namespace != null) {
          install.withNamespace(flags.namespace);
        }
        if (flags.createNamespace) {
          install.createNamespace();
        }
        flags.sets.forEach(set -> install.set(set[0], set[1]));
        flags.refuse(flags.reuseValues, "--reuse-values", "install");
        flags.refuse(flags.install, "--install", "install");
        yield summary(install.call());
      }
      case "upgrade" -> {
        flags.expectPositional(3, "helm upgrade NAME CHART");
        UpgradeCommand upgrade = new Helm(workDir.resolve(flags.positional.get(2))).upgrade()
            .withName(flags.positional.get(1)).withKubeConfig(kubeconfig);
        if (flags.namespace != null) {
          upgrade.withNamespace(flags.namespace);
        }
        if (flags.createNamespace) {
          upgrade.createNamespace();
        }
        if (flags.reuseValues) {
          upgrade.reuseValues();
        }
        if (flags.install) {
          upgrade.install();
        }
        flags.sets.forEach(set -> upgrade.set(set[0], set[1]));
        yield summary(upgrade.call());
      }
      case "uninstall" -> {
        flags.expectPositional(2, "helm uninstall NAME");
        var uninstall = Helm.uninstall(flags.positional.get(1)).withKubeConfig(kubeconfig);
        if (flags.namespace != null) {
          uninstall.withNamespace(flags.namespace);
        }
        flags.refuse(flags.createNamespace || flags.reuseValues || flags.install
            || !flags.sets.isEmpty(), "install/upgrade flags", "uninstall");
        yield uninstall.call();
      }
      default -> throw new IllegalArgumentException("helm " + flags.positional.get(0)
          + ": the journey runs helm install, upgrade and uninstall only");
    };
  }

  private static String summary(Release release) {
    return "NAME: " + release.getName() + "\nNAMESPACE: " + release.getNamespace()
        + "\nSTATUS: " + release.getStatus() + "\nREVISION: " + release.getRevision() + "\n";
  }

  /** The flags of a helm command line, as Helm's cobra flags read them. */
  private static final class Flags {
    final List<String> positional = new ArrayList<>();
    final List<String[]> sets = new ArrayList<>();
    String namespace;
    boolean createNamespace;
    boolean reuseValues;
    boolean install;

    static Flags parse(List<String> arguments) {
      Flags flags = new Flags();
      for (int i = 0; i < arguments.size(); i++) {
        String argument = arguments.get(i);
        switch (argument) {
          case "-n", "--namespace" -> flags.namespace = value(arguments, ++i, argument);
          case "--create-namespace" -> flags.createNamespace = true;
          case "--reuse-values" -> flags.reuseValues = true;
          case "--install" -> flags.install = true;
          case "--set" -> {
            String set = value(arguments, ++i, argument);
            int equals = set.indexOf('=');
            if (equals <= 0) {
              throw new IllegalArgumentException("--set " + set + ": expected KEY=VALUE");
            }
            flags.addSet(set.substring(0, equals), set.substring(equals + 1));
          }
          default -> {
            if (argument.startsWith("-")) {
              throw new IllegalArgumentException("helm flag " + argument + " is not known to "
                  + "the journey's HelmCli; add it there");
            }
            flags.positional.add(argument);
          }
        }
      }
      if (flags.positional.isEmpty()) {
        throw new IllegalArgumentException("helm without a subcommand");
      }
      return flags;
    }

    /**
     * helm-java hands a {@code --set} value over as one string, so Helm's list syntax
     * {@code key={a,b}} arrives as the string "{a,b}"; the helm CLI's strvals parser reads it as
     * a list, which is what strvals' indexed form {@code key[0]=a,key[1]=b} says to helm-java.
     */
    void addSet(String key, String value) {
      if (value.startsWith("{") && value.endsWith("}")) {
        String[] items = value.substring(1, value.length() - 1).split(",");
        for (int i = 0; i < items.length; i++) {
          sets.add(new String[] {key + "[" + i + "]", items[i]});
        }
      } else {
        sets.add(new String[] {key, value});
      }
    }

    private static String value(List<String> arguments, int index, String flag) {
      if (index >= arguments.size()) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return arguments.get(index);
    }

    void expectPositional(int count, String usage) {
      if (positional.size() != count) {
        throw new IllegalArgumentException("usage: " + usage + ", got " + positional);
      }
    }

    void refuse(boolean given, String flag, String subcommand) {
      if (given) {
        throw new IllegalArgumentException(flag + " does not apply to helm " + subcommand);
      }
    }
  }
}
