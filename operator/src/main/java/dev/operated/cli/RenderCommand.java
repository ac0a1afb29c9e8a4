package dev.operated.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.api.SpecProblem;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorDefaults;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints, with no cluster, exactly what the reconciler would apply for the CRs in a file. */
@Command(name = "render", mixinStandardHelpOptions = true,
    description = "Print the Deployment, Service and the rest the operator would apply for the "
        + "OperatedServices in FILE, as a YAML stream. No cluster is contacted.")
public final class RenderCommand implements Callable<Integer> {

  static final String DEFAULT_KUBERNETES_VERSION = "1.33";

  private static final ObjectMapper STRICT_YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Spec
  CommandSpec command;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
      description = "YAML file with one or more OperatedService documents.")
  Path file;

  @Option(names = "--kubernetes-version", paramLabel = "X.Y",
      defaultValue = DEFAULT_KUBERNETES_VERSION, converter = VersionConverter.class,
      description = "Cluster version to render for (sleep preStop from 1.30, native sidecars "
          + "from 1.29). Default: ${DEFAULT-VALUE}.")
  KubernetesVersion kubernetesVersion;

  @Option(names = "--prometheus-operator",
      description = "Render as if the Prometheus Operator's CRDs are installed (ServiceMonitor).")
  boolean prometheusOperator;

  @Option(names = "--collector-gateway", paramLabel = "URL",
      description = "The operator's default gateway for collector sidecars (telemetry mode "
          + "sidecar without spec.telemetry.endpoint), as the run command is given it.")
  String collectorGateway;

  @Option(names = "--namespace-label", paramLabel = "KEY=VALUE",
      description = "A label of the services' namespace, as the operator watches it; mesh: auto "
          + "reads istio-injection and istio.io/rev. Repeatable.")
  Map<String, String> namespaceLabels = new LinkedHashMap<>();

  @Option(names = "--namespace-annotation", paramLabel = "KEY=VALUE",
      description = "An annotation of the services' namespace; mesh: auto reads "
          + "linkerd.io/inject. Repeatable.")
  Map<String, String> namespaceAnnotations = new LinkedHashMap<>();

  @Option(names = {"-n", "--namespace"}, defaultValue = "default",
      description = "Namespace for resources that name none. Default: ${DEFAULT-VALUE}.")
  String namespace;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    if (!Files.isReadable(file)) {
      err.println("render: cannot read " + file + ": give an existing YAML file with -f");
      return 2;
    }
    List<OperatedService> resources;
    try {
      resources = read(file);
    } catch (IOException | IllegalArgumentException e) {
      err.println("render: " + file + " is not a list of OperatedService documents: "
          + e.getMessage());
      return 2;
    }
    ClusterFacts facts = new ClusterFacts(kubernetesVersion, prometheusOperator, namespaceLabels,
        namespaceAnnotations, CollectorDefaults.standard().withGateway(collectorGateway));
    List<String> failures = new ArrayList<>();
    StringBuilder stream = new StringBuilder();
    for (OperatedService resource : resources) {
      if (resource.getMetadata().getNamespace() == null) {
        resource.getMetadata().setNamespace(namespace);
      }
      List<SpecProblem> problems = DesiredState.problems(resource, facts);
      if (!problems.isEmpty()) {
        problems.forEach(problem -> failures.add(resource.getMetadata().getName() + ": " + problem));
        continue;
      }
      for (HasMetadata desired : DesiredState.of(resource, facts)) {
        stream.append(Serialization.asYaml(desired));
      }
    }
    if (!failures.isEmpty()) {
      err.println("render: nothing rendered, the input has problems:");
      failures.forEach(failure -> err.println("  " + failure));
      return 1;
    }
    out.print(stream);
    out.flush();
    return 0;
  }

  static List<OperatedService> read(Path file) throws IOException {
    List<OperatedService> resources = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> documents =
        STRICT_YAML.readerFor(Map.class).readValues(file.toFile())) {
      int index = 0;
      while (documents.hasNext()) {
        Map<String, Object> document = documents.next();
        index++;
        if (document == null || document.isEmpty()) {
          continue;
        }
        if (!"OperatedService".equals(document.get("kind"))) {
          throw new IllegalArgumentException("document " + index + " is a " + document.get("kind")
              + ", not an OperatedService");
        }
        resources.add(STRICT_YAML.convertValue(document, OperatedService.class));
      }
    }
    return resources;
  }

  static final class VersionConverter implements ITypeConverter<KubernetesVersion> {
    @Override
    public KubernetesVersion convert(String value) {
      return KubernetesVersion.parse(value);
    }
  }
}
