package dev.operated.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.OperatedService;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorDefaults;
import dev.operated.desired.DesiredState;
import dev.operated.desired.KubernetesVersion;
import dev.operated.validation.OperatedServiceValidator;
import dev.operated.validation.OperatedServiceValidator.Validation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.reader.UnicodeReader;
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

  /** Reads documents as trees: typing them is the validator's job, so no problem is lost. */
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      // kubectl refuses a mapping key given twice; silently keeping the last would hide a typo.
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

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
    if (collectorGateway != null && !CollectorDefaults.isGateway(collectorGateway)) {
      err.println("render: --collector-gateway '" + collectorGateway + "' is not a gateway: "
          + CollectorDefaults.GATEWAY_FIX);
      return 2;
    }
    List<ObjectNode> documents;
    try {
      documents = read(file);
    } catch (IOException | IllegalArgumentException e) {
      err.println("render: " + file + " is not a list of OperatedService documents: "
          + e.getMessage());
      return 2;
    }
    ClusterFacts facts = new ClusterFacts(kubernetesVersion, prometheusOperator, namespaceLabels,
        namespaceAnnotations, CollectorDefaults.standard().withGateway(collectorGateway));
    List<String> failures = new ArrayList<>();
    StringBuilder stream = new StringBuilder();
    for (int index = 0; index < documents.size(); index++) {
      ObjectNode document = documents.get(index);
      inDefaultNamespace(document);
      Validation validation = OperatedServiceValidator.check(document, facts);
      if (!validation.valid()) {
        String label = document.path("metadata").path("name").asText("document " + (index + 1));
        validation.problems().forEach(problem -> failures.add(label + ": " + problem));
        continue;
      }
      OperatedService resource = validation.resource().orElseThrow();
      for (HasMetadata desired : DesiredState.of(resource, facts)) {
        stream.append(Serialization.asYaml(desired));
      }
    }
    if (!failures.isEmpty()) {
      err.println("render: nothing rendered, the input has problems:");
      failures.forEach(failure -> err.println("  " + failure));
      err.flush();
      return 1;
    }
    out.print(stream);
    out.flush();
    return 0;
  }

  private void inDefaultNamespace(ObjectNode document) {
    JsonNode metadata = document.get("metadata");
    if (metadata == null || metadata.isNull()) {
      metadata = document.putObject("metadata");
    }
    if (metadata instanceof ObjectNode fields && !fields.hasNonNull("namespace")) {
      fields.put("namespace", namespace);
    }
  }

  private static final String API_VERSION = HasMetadata.getApiVersion(OperatedService.class);

  /** The OperatedService documents of a YAML stream, as trees; empty documents are skipped. */
  static List<ObjectNode> read(Path file) throws IOException {
    refuseAliases(file);
    List<ObjectNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> stream = YAML.readerFor(JsonNode.class)
        .readValues(file.toFile())) {
      int index = 0;
      while (stream.hasNextValue()) {
        JsonNode document = stream.nextValue();
        index++;
        if (document == null || document.isNull() || document.isMissingNode()
            || (document.isObject() && document.isEmpty())) {
          continue;
        }
        if (!document.isObject()) {
          throw new IllegalArgumentException("document " + index + " is not a mapping");
        }
        String kind = document.path("kind").asText(null);
        if (!"OperatedService".equals(kind)) {
          throw new IllegalArgumentException("document " + index + " is a " + kind
              + ", not an OperatedService");
        }
        String apiVersion = document.path("apiVersion").asText(null);
        if (!API_VERSION.equals(apiVersion)) {
          // kubectl finds no such kind in that version: "no matches for kind"
          throw new IllegalArgumentException("document " + index + " has apiVersion "
              + apiVersion + ": the OperatedService CRD serves " + API_VERSION);
        }
        documents.add((ObjectNode) document);
      }
    }
    if (documents.isEmpty()) {
      // as kubectl apply answers it: "no objects passed to apply"
      throw new IllegalArgumentException("it holds no document: give a file with at least one "
          + "OperatedService");
    }
    return documents;
  }

  /**
   * Jackson's YAML reader gives an alias ({@code *img}) as the anchor's name and a merge key
   * ({@code <<}) as a field of that name, where kubectl (sigs.k8s.io/yaml) expands both: refused,
   * with the way to an expanded file, rather than rendered from other values than kubectl would
   * apply.
   */
  private static void refuseAliases(Path file) {
    String found = null;
    try (Reader reader = new UnicodeReader(Files.newInputStream(file))) {
      for (Event event : new Yaml().parse(reader)) {
        if (event instanceof AliasEvent alias) {
          found = "aliases (*" + alias.getAnchor() + ")";
        } else if (event instanceof ScalarEvent scalar && "<<".equals(scalar.getValue())
            && scalar.getImplicit().canOmitTagInPlainScalar()) {
          found = "merge keys (<<)";
        }
        if (found != null) {
          break;
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      return; // the reader below says what is wrong with it, document by document
    }
    if (found != null) {
      throw new IllegalArgumentException("it uses YAML " + found + ", which render does not "
          + "expand as kubectl does: write the values out (yq 'explode(.)' expands them)");
    }
  }

  static final class VersionConverter implements ITypeConverter<KubernetesVersion> {
    @Override
    public KubernetesVersion convert(String value) {
      return KubernetesVersion.parse(value);
    }
  }
}
