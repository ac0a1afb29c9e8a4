package dev.operated.cli;

import dev.operated.api.ContractDefaults;
import dev.operated.api.MeshMode;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorDefaults;
import dev.operated.desired.KubernetesVersion;
import dev.operated.desired.Mesh;
import dev.operated.desired.TerminationBudget;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Explains one live OperatedService's termination budget: how the drain is done and what its
 * grace period is made of, from what the operator reads on the cluster (the spec, the cluster
 * version, the namespace's mesh switches). The numbers are {@link TerminationBudget}'s, the same
 * object the reconciler builds the Deployment from; this command only prints them.
 */
@Command(name = "explain-budget", mixinStandardHelpOptions = true,
    description = "Print how the pods of the OperatedService NAME drain and what their grace "
        + "period is made of, as the operator computes it on the current cluster. Exits 1 when "
        + "an explicit grace period does not cover the budget, 2 when NAME cannot be read.")
public final class ExplainBudgetCommand implements Callable<Integer> {

  @Spec
  CommandSpec command;

  @Parameters(index = "0", paramLabel = "NAME", description = "The OperatedService's name.")
  String name;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "Its namespace. Default: the kubeconfig context's, else default.")
  String namespace;

  @Option(names = "--context", paramLabel = "CONTEXT",
      description = "The kubeconfig context to use. Default: the current context.")
  String context;

  private final Function<String, KubernetesClient> clients;

  public ExplainBudgetCommand() {
    this(ExplainBudgetCommand::client);
  }

  private static KubernetesClient client(String context) {
    Config config = Config.autoConfigure(context);
    // one question from a terminal: an unreachable server is said at once, not after the
    // client's ten retries with back-off that suit a long-running operator
    config.setRequestRetryBackoffLimit(0);
    // The JDK's client, as JOSDK's own: both fabric8 clients are on the classpath, and without a
    // choice fabric8 picks one at random and warns about it on every start.
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  /** @param clients the API client for a kubeconfig context (null: the current one) */
  ExplainBudgetCommand(Function<String, KubernetesClient> clients) {
    this.clients = clients;
  }

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    try (KubernetesClient client = clients.apply(context)) {
      String ns = namespace != null ? namespace
          : client.getNamespace() != null ? client.getNamespace() : "default";
      String object = "operatedservice " + ns + "/" + name;
      OperatedService resource;
      try {
        resource = client.resources(OperatedService.class).inNamespace(ns).withName(name).get();
      } catch (KubernetesClientException e) {
        err.println("explain-budget: cannot read " + object + " from " + client.getMasterUrl()
            + ": " + reason(e) + " (is the kubeconfig context the right one? --context)");
        err.flush();
        return 2;
      }
      if (resource == null) {
        err.println("explain-budget: " + object + " not found on " + client.getMasterUrl()
            + ": check the name and the namespace (-n), e.g. with kubectl get operatedservices -A");
        err.flush();
        return 2;
      }
      if (resource.getSpec() == null) {
        // stored without one (the CRD does not require it), or with one that cannot be read
        err.println("explain-budget: " + object + " has no spec the operator can read, so it "
            + "has no budget: see its Ready condition (kubectl describe operatedservice " + name
            + " -n " + ns + ")");
        err.flush();
        return 2;
      }
      KubernetesVersion version;
      try {
        version = KubernetesVersion.of(client.getKubernetesVersion());
      } catch (KubernetesClientException | IllegalArgumentException e) {
        err.println("explain-budget: cannot read the cluster's version from "
            + client.getMasterUrl() + " (it decides the drain method): " + reason(e));
        err.flush();
        return 2;
      }
      Map<String, String> labels = Map.of();
      Map<String, String> annotations = Map.of();
      String namespaceNote;
      try {
        Namespace read = client.namespaces().withName(ns).get();
        if (read != null) {
          labels = orEmpty(read.getMetadata().getLabels());
          annotations = orEmpty(read.getMetadata().getAnnotations());
        }
        namespaceNote = meshSwitches(ns, labels, annotations);
      } catch (KubernetesClientException e) {
        // as the operator does without permission to read namespaces
        namespaceNote = "namespace " + ns + " unreadable (" + e.getCode()
            + "), so only the pod's own switches count";
      }
      // The operator's collector flush is built in; its other settings (image, gateway) do not
      // enter the budget.
      ClusterFacts facts = new ClusterFacts(version, false, labels, annotations,
          CollectorDefaults.standard());
      TerminationBudget budget = TerminationBudget.of(resource.getSpec(), facts);
      print(out, object, version, resource.getSpec(), budget, namespaceNote);
      out.println("  deployment:   " + running(client, ns, name, budget));
      out.flush();
      if (budget.shortfall().isPresent()) {
        err.println("explain-budget: the operator refuses this spec: "
            + "spec.shutdown.terminationGracePeriodSeconds " + budget.shortfall().get());
        err.flush();
        return 1;
      }
      return 0;
    }
  }

  private static void print(PrintWriter out, String object, KubernetesVersion version,
      OperatedServiceSpec spec, TerminationBudget budget, String namespaceNote) {
    out.println(object + " on Kubernetes " + version);
    out.println("  drain:        " + drain(budget));
    out.println("  app:          SIGTERM, then " + budget.appShutdownSeconds()
        + "s to finish in-flight work and flush (" + ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS
        + "=" + budget.appShutdownSeconds() + ")");
    out.println("  collector:    " + (budget.collectorFlushSeconds() > 0
        ? "sidecar, flushes for " + budget.collectorFlushSeconds() + "s after the app exits"
        : "no sidecar"));
    out.println("  mesh:         " + mesh(spec, budget, namespaceNote));
    if (budget.explicitGracePeriod() == null) {
      out.println("  grace period: " + budget.arithmetic() + ", + " + budget.marginSeconds()
          + "s margin = " + budget.gracePeriodSeconds() + "s (computed)");
    } else {
      out.println("  grace period: " + budget.gracePeriodSeconds()
          + "s (spec.shutdown.terminationGracePeriodSeconds); needed: " + budget.arithmetic()
          + (budget.shortfall().isPresent() ? ": NOT covered" : ": covered"));
    }
  }

  /** What the pods get today: the Deployment the operator applied (named after the service). */
  private static String running(KubernetesClient client, String namespace, String name,
      TerminationBudget budget) {
    Deployment deployment;
    try {
      deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      return "unreadable (" + reason(e) + ")";
    }
    if (deployment == null) {
      return "none yet: the operator has not applied this service (see its Ready condition)";
    }
    Long applied = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    if (applied != null && applied == budget.gracePeriodSeconds()) {
      return namespace + "/" + name + " has terminationGracePeriodSeconds " + applied + "s, as "
          + "computed";
    }
    // unset only where no API server defaulted it; a real one makes it 30 (SetDefaults_PodSpec,
    // kubernetes/kubernetes pkg/apis/core/v1/defaults.go: v1.DefaultTerminationGracePeriodSeconds)
    return namespace + "/" + name + " has terminationGracePeriodSeconds "
        + (applied == null ? "unset (30s)" : applied + "s") + ", not the "
        + budget.gracePeriodSeconds() + "s computed: the operator has not applied the current "
        + "spec (see the Ready condition), or the facts above differ from its own";
  }

  private static String drain(TerminationBudget budget) {
    int seconds = budget.drainSeconds();
    String env = ContractDefaults.ENV_DRAIN_SECONDS + "=" + budget.appDrainSeconds();
    return switch (budget.drainMethod()) {
      case NONE -> "none (spec.shutdown.drainSeconds is 0): the app stops at SIGTERM (" + env + ")";
      case KUBELET_SLEEP -> "preStop sleep " + seconds + "s run by the kubelet (1.30+, no shell "
          + "needed); the app is told " + env;
      case EXEC_SLEEP -> "preStop exec sleep " + seconds + "s (before 1.30, the image has a "
          + "shell); the app is told " + env;
      case APP -> "by the app itself after SIGTERM (before 1.30, no shell in the image): "
          + env;
    } + " [" + budget.drainMethod().name().toLowerCase(Locale.ROOT).replace('_', '-') + "]";
  }

  private static String mesh(OperatedServiceSpec spec, TerminationBudget budget,
      String namespaceNote) {
    String source = spec.mesh() == MeshMode.AUTO
        ? "spec.mesh auto; " + namespaceNote
        : "spec.mesh " + spec.mesh().name().toLowerCase(Locale.ROOT);
    if (budget.mesh() == Mesh.NONE) {
      return "none (" + source + ")";
    }
    String proxy;
    if (!budget.proxyNativeSidecar()) {
      proxy = "proxy beside the app, told to drain " + budget.proxyDrainSeconds()
          + "s (until app and collector are done)";
    } else if (budget.proxyTailSeconds() > 0) {
      proxy = "proxy as a native sidecar, stopped after the app and the collector, drains "
          + budget.proxyTailSeconds() + "s";
    } else {
      proxy = "proxy as a native sidecar, stopped last, exits at once";
    }
    return budget.mesh().name().toLowerCase(Locale.ROOT) + " (" + source + "), " + proxy;
  }

  /** The namespace's labels and annotations that mesh injection looks at, as read. */
  private static String meshSwitches(String namespace, Map<String, String> labels,
      Map<String, String> annotations) {
    Map<String, String> switches = new TreeMap<>();
    labels.forEach((key, value) -> {
      if (isMeshKey(key)) {
        switches.put(key, value);
      }
    });
    annotations.forEach((key, value) -> {
      if (isMeshKey(key)) {
        switches.put(key, value);
      }
    });
    return "namespace " + namespace + ": " + (switches.isEmpty() ? "no mesh labels"
        : String.join(", ", switches.entrySet().stream()
            .map(entry -> entry.getKey() + "=" + entry.getValue()).toList()));
  }

  private static boolean isMeshKey(String key) {
    return key.contains("istio") || key.contains("linkerd");
  }

  /**
   * What went wrong, for a person: fabric8's own message only names the operation that failed,
   * and the JDK's causes of a refused connection carry no message, only their type.
   */
  private static String reason(Exception e) {
    String said = null;
    String type = null;
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      if (cause.getMessage() != null) {
        said = cause.toString();
      } else if (type == null && cause.getClass() != java.io.IOException.class) {
        type = cause.getClass().getName();
      }
    }
    return said != null ? said : type != null ? type : e.getMessage();
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }
}
