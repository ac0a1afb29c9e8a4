package dev.operated.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.operated.api.ContractDefaults;
import dev.operated.api.ImageReference;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.OtlpProtocol;
import dev.operated.api.SpecProblem;
import dev.operated.api.TelemetryMode;
import dev.operated.api.TelemetrySpec;
import dev.operated.desired.AppEnvironment;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorSidecar;
import dev.operated.desired.DesiredDeployment;
import dev.operated.desired.Mesh;
import dev.operated.desired.TerminationBudget;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one validation path for an OperatedService, shared by {@code render} (pre-flight), the
 * reconciler (an object stored under an older CRD is checked again) and the embedded API
 * server's validating admission, so the three cannot disagree. It never touches what is running
 * and reports every problem at once, each with its field path in Kubernetes' notation
 * ({@code spec.env[2].valueFrom}, {@code spec.podLabels[team]}).
 *
 * <p>In layers: (1) the generated CRD's structural schema and CEL rules ({@link CrdSchema},
 * {@link CrdCel}); (2) Kubernetes' core validation of every field passed through to the pod
 * ({@link KubernetesRules}); (3) the operator's own cross-field rules (below: budgets, ports,
 * mesh, images); (4) version gates for the target cluster ({@link VersionGates}). A value layer 1
 * refuses is left out before decoding, so a wrong type or an unknown enum value is one problem in
 * the list like the others, and the later layers do not repeat it.
 */
public final class OperatedServiceValidator {

  /** Labels the operator owns on every pod: the Deployment's immutable selector. */
  public static final Set<String> SELECTOR_LABEL_KEYS =
      Set.of("app.kubernetes.io/name", "app.kubernetes.io/instance");

  /** Ports of the collector sidecar; the app cannot use them in sidecar mode. */
  public static final Map<Integer, String> COLLECTOR_PORTS =
      Map.of(4317, "OTLP gRPC", 4318, "OTLP HTTP", 13133, "health_check", 8888, "collector metrics");

  /**
   * Ports Istio's sidecar uses in the pod's network namespace (istio.io, Application
   * Requirements, "Ports used by Istio").
   */
  public static final Map<Integer, String> ISTIO_PROXY_PORTS = Map.of(15000, "Envoy admin",
      15001, "outbound capture", 15004, "debug", 15006, "inbound capture", 15008, "HBONE",
      15009, "HBONE for secure networks", 15020, "merged metrics", 15021, "health checks",
      15053, "DNS proxy", 15090, "Envoy metrics");

  /**
   * Ports of Linkerd's proxy, its defaults (the proxy's start-up log: admin, inbound, outbound,
   * tap; linkerd install --admin-port, --inbound-port, --outbound-port, --control-port).
   */
  public static final Map<Integer, String> LINKERD_PROXY_PORTS = Map.of(4140, "outbound",
      4143, "inbound", 4190, "tap", 4191, "admin and metrics");

  /** Names the operator sets from spec.shutdown; a user value would spend the drain twice. */
  private static final Set<String> OPERATOR_OWNED_ENV =
      Set.of(ContractDefaults.ENV_DRAIN_SECONDS, ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS);

  private static final String ISTIO_PROXY_CONFIG = "proxy.istio.io/config";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Pattern ENV_REFERENCE =
      Pattern.compile("(?<!\\$)\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");
  /**
   * The grammar of distribution/reference's regexp.go, which containerd and CRI-O parse an image
   * with ({@code ReferenceRegexp}): an optional registry (a host name, which may hold uppercase
   * letters, or a bracketed IPv6 address, with an optional port) before the first '/', then
   * lowercase path components joined by '.', '_', '__' or any run of '-', a tag, and a digest of
   * an algorithm go-digest can check ({@code digest.Parse}).
   */
  private static final Pattern IMAGE_REFERENCE;

  static {
    String pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    String domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    String host = "(?:" + domainComponent + "(?:\\." + domainComponent + ")*"
        + "|\\[[a-fA-F0-9:]+\\])";
    String name = "(?:" + host + "(?::[0-9]+)?/)?" + pathComponent + "(?:/" + pathComponent + ")*";
    String digest = "sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}";
    IMAGE_REFERENCE = Pattern.compile(
        "(" + name + ")(?::[\\w][\\w.-]{0,127})?(?:@(?:" + digest + "))?");
  }

  /** distribution/reference's {@code NameTotalLengthMax}: registry and repository together. */
  private static final int IMAGE_NAME_MAX = 255;

  private OperatedServiceValidator() {
  }

  /** A checked object: every problem, and the decoded resource when it could be decoded. */
  public record Validation(Optional<OperatedService> resource, List<SpecProblem> problems) {

    public Validation {
      problems = List.copyOf(problems);
    }

    public boolean valid() {
      return problems.isEmpty() && resource.isPresent();
    }
  }

  /**
   * The entry point for a raw object (as read from a file or stored by an API server): every
   * problem for this target cluster, and the decoded resource.
   */
  public static Validation check(JsonNode object, ClusterFacts target) {
    return check(object, null, target, deployment -> { });
  }

  /**
   * {@code object} checked; {@code alreadyDecoded}, when given, is the object decoded (the
   * reconciler's), used as it is when the schema leaves nothing of the object out, and then the
   * Deployment the last layer builds is handed to {@code rendered}.
   */
  private static Validation check(JsonNode object, OperatedService alreadyDecoded,
      ClusterFacts target, Consumer<Deployment> rendered) {
    if (object == null || !object.isObject()) {
      return new Validation(Optional.empty(), List.of(new SpecProblem("<object>", "is not an "
          + "object: an OperatedService is a mapping with apiVersion, kind, metadata and spec")));
    }
    CrdSchema.Checked structural = CrdSchema.check((ObjectNode) object);
    OperatedService resource;
    if (alreadyDecoded != null && structural.sanitised().equals(object)) {
      // nothing left out: decoding the tree again would give back the object it was written from
      resource = alreadyDecoded;
    } else {
      try {
        resource = JSON.treeToValue(structural.sanitised(), OperatedService.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        List<SpecProblem> problems = new ArrayList<>(structural.problems());
        problems.add(new SpecProblem(path(e), "cannot be read: "
            + e.getMessage().lines().findFirst().orElse("")));
        return new Validation(Optional.empty(), problems);
      }
    }
    List<SpecProblem> cel = new ArrayList<>();
    JsonNode spec = structural.sanitised().get("spec");
    if (spec != null && spec.isObject()) {
      for (CrdCel.Violation violation : CrdCel.violationsOfDefaulted(CrdSchema.specSchema(),
          SchemaDefaults.apply(CrdSchema.specSchema(), JSON.convertValue(spec, Object.class)))) {
        cel.add(new SpecProblem("spec." + violation.field(), violation.message()));
      }
    }
    List<SpecProblem> ours = new ArrayList<>();
    List<SpecProblem> core = new ArrayList<>();
    List<SpecProblem> gates = new ArrayList<>();
    String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
    String namespace = resource.getMetadata() == null ? null
        : resource.getMetadata().getNamespace();
    core.addAll(KubernetesRules.serviceName("metadata.name", name));
    core.addAll(KubernetesRules.namespaceName("metadata.namespace", namespace));
    if (resource.getSpec() == null) {
      ours.add(new SpecProblem("spec", "is required: give at least spec.image"));
    } else {
      OperatedServiceSpec decoded = resource.getSpec();
      core.addAll(coreRules(decoded, target));
      new Ours(decoded, target, ours).run();
      gates.addAll(VersionGates.check(decoded, target.version()));
    }
    List<SpecProblem> problems = merge(structural.problems(), cel, core, ours, gates);
    if (problems.isEmpty() && resource.getSpec() != null) {
      Deployment deployment = DesiredDeployment.build(resource, target);
      problems = renderedPodMetadata(resource, deployment);
      if (resource == alreadyDecoded) {
        rendered.accept(deployment);
      }
    }
    return new Validation(Optional.of(resource), problems);
  }

  /**
   * The pod's annotations are the user's plus the operator's (scrape, mesh drain, config
   * checksum), and the API server limits them together: the limit is checked on what would be
   * applied, and reported at the field the user controls.
   */
  private static List<SpecProblem> renderedPodMetadata(OperatedService resource,
      Deployment deployment) {
    PodTemplateSpec pod = deployment.getSpec().getTemplate();
    Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
        : pod.getMetadata().getAnnotations();
    List<SpecProblem> problems = new ArrayList<>();
    for (SpecProblem problem : KubernetesRules.annotations("spec.podAnnotations", annotations)) {
      problems.add(new SpecProblem(problem.field(), problem.message() + " (with the "
          + "annotations the operator adds to the pod)"));
    }
    Set<String> containers = new TreeSet<>();
    pod.getSpec().getContainers().forEach(container -> containers.add(container.getName()));
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().forEach(container -> containers.add(container.getName()));
    }
    problems.addAll(KubernetesRules.podSpecificAnnotations("spec.podAnnotations",
        resource.getSpec().podAnnotations(), containers));
    problems.addAll(referencesToTheOperatorsLaterVariables(resource.getSpec().env(),
        appEnvironment(pod)));
    return problems;
  }

  private static List<EnvVar> appEnvironment(PodTemplateSpec pod) {
    return pod.getSpec().getContainers().stream()
        .filter(container -> AppEnvironment.APP_CONTAINER.equals(container.getName()))
        .findFirst().map(container -> container.getEnv() == null ? List.<EnvVar>of()
            : container.getEnv()).orElse(List.of());
  }

  /**
   * Kubernetes expands {@code $(VAR)} only for variables declared before (core
   * {@code expansion.MappingFuncFor} over the container's env in order); the operator sets the
   * OTLP and shutdown variables after the user's, so a reference to one of them would reach the
   * app as written. Found on the rendered env, where each variable's place is known.
   */
  private static List<SpecProblem> referencesToTheOperatorsLaterVariables(List<EnvVar> userEnv,
      List<EnvVar> rendered) {
    List<SpecProblem> problems = new ArrayList<>();
    Set<String> userNames = new HashSet<>();
    userEnv.forEach(variable -> userNames.add(variable.getName()));
    for (int i = 0; i < userEnv.size(); i++) {
      EnvVar variable = userEnv.get(i);
      if (variable.getValue() == null) {
        continue;
      }
      int at = indexOf(rendered, variable.getName());
      Matcher reference = ENV_REFERENCE.matcher(variable.getValue());
      while (reference.find()) {
        String referenced = reference.group(1);
        int later = indexOf(rendered, referenced);
        if (at >= 0 && later > at && !userNames.contains(referenced)) {
          String value = rendered.get(later).getValue();
          problems.add(new SpecProblem("spec.env[" + i + "].value", "refers to $(" + referenced
              + "), which the operator sets after your variables, so Kubernetes leaves it as "
              + "written: give the value itself" + (value == null || value.contains("$(") ? ""
              : " (" + referenced + " is " + value + ")")));
        }
      }
    }
    return problems;
  }

  private static int indexOf(List<EnvVar> env, String name) {
    for (int i = 0; i < env.size(); i++) {
      if (name.equals(env.get(i).getName())) {
        return i;
      }
    }
    return -1;
  }

  /** Every problem of a raw object for this target cluster; empty when it can be operated. */
  public static List<SpecProblem> validate(JsonNode object, ClusterFacts target) {
    return check(object, target).problems();
  }

  /**
   * Every problem of an already decoded resource (the reconciler's case): it is checked as the
   * object it is on the wire, so the CRD's schema applies even if the cluster's CRD is older.
   */
  public static List<SpecProblem> validate(OperatedService resource, ClusterFacts target) {
    return validate(resource, target, deployment -> { });
  }

  /**
   * As {@link #validate(OperatedService, ClusterFacts)}; a valid spec's Deployment, which the
   * check builds to hold the pod's annotations to their limit, is handed to {@code rendered},
   * for the apply that follows to use rather than build the same again.
   */
  public static List<SpecProblem> validate(OperatedService resource, ClusterFacts target,
      Consumer<Deployment> rendered) {
    return check(JSON.valueToTree(resource), resource, target, rendered).problems();
  }

  /** The problems as one message, one per line, for a status condition or a CLI error. */
  public static String describe(List<SpecProblem> problems) {
    StringBuilder text = new StringBuilder();
    for (SpecProblem problem : problems) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append(problem);
    }
    return text.toString();
  }

  private static List<SpecProblem> coreRules(OperatedServiceSpec spec, ClusterFacts target) {
    List<SpecProblem> problems = new ArrayList<>();
    problems.addAll(KubernetesRules.env("spec.env", spec.env(), target.version()));
    problems.addAll(KubernetesRules.resources("spec.resources", spec.resources()));
    if (spec.telemetry().collector() != null) {
      problems.addAll(KubernetesRules.resources("spec.telemetry.collector.resources",
          spec.telemetry().collector().resources()));
    }
    problems.addAll(KubernetesRules.labels("spec.podLabels", spec.podLabels()));
    problems.addAll(KubernetesRules.annotations("spec.podAnnotations", spec.podAnnotations()));
    return problems;
  }

  /**
   * Fields where a CEL rule is only the coarse check at {@code kubectl apply} and the operator's
   * rule, which knows the cluster, says the same more precisely: the grace period, whose
   * arithmetic is {@link TerminationBudget}'s alone (the CEL rule cannot know the sidecars).
   */
  private static final Set<String> CEL_REFINED_BY_OURS =
      Set.of("spec.shutdown.terminationGracePeriodSeconds");

  /**
   * Layer 1's problems stand; a later problem at or under a field layer 1 refused repeats it and
   * is left out. A CEL problem at a field in {@link #CEL_REFINED_BY_OURS} gives way to the
   * operator's problem at that field, so one field is never refused with two messages.
   */
  private static List<SpecProblem> merge(List<SpecProblem> structural, List<SpecProblem> cel,
      List<SpecProblem> core, List<SpecProblem> ours, List<SpecProblem> gates) {
    List<SpecProblem> merged = new ArrayList<>(structural);
    Set<String> refined = new java.util.HashSet<>();
    ours.stream().map(SpecProblem::field).filter(CEL_REFINED_BY_OURS::contains)
        .forEach(refined::add);
    for (SpecProblem problem : cel) {
      if (!refined.contains(problem.field()) && !under(problem, structural)) {
        merged.add(problem);
      }
    }
    for (List<SpecProblem> layer : List.of(core, ours, gates)) {
      for (SpecProblem problem : layer) {
        if (!under(problem, structural) && !merged.contains(problem)) {
          merged.add(problem);
        }
      }
    }
    return merged;
  }

  private static boolean under(SpecProblem problem, List<SpecProblem> refused) {
    for (SpecProblem earlier : refused) {
      String field = earlier.field();
      if (problem.field().equals(field) || problem.field().startsWith(field + ".")
          || problem.field().startsWith(field + "[")) {
        return true;
      }
    }
    return false;
  }

  /** Jackson's path of a decoding failure, in Kubernetes' notation. */
  private static String path(Exception e) {
    if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
      return "<object>";
    }
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : mapping.getPath()) {
      if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      } else {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      }
    }
    return path.toString();
  }

  /** Layer 3: what only the operator knows (its sidecars, the mesh, the budget, images). */
  private record Ours(OperatedServiceSpec spec, ClusterFacts target, List<SpecProblem> problems) {

    void run() {
      image("spec.image", spec.image());
      TelemetrySpec telemetry = spec.telemetry();
      if (telemetry.collector() != null && telemetry.collector().image() != null) {
        image("spec.telemetry.collector.image", telemetry.collector().image());
      }
      ports();
      env();
      telemetry();
      shutdown();
      podMetadata();
    }

    private void problem(String field, String message) {
      problems.add(new SpecProblem(field, message));
    }

    private void image(String field, String image) {
      if (image == null) {
        return; // required, and the schema says so
      }
      if (image.isBlank()) {
        problem(field, "is required: name the container image, e.g. ghcr.io/acme/orders:1.4.2");
        return;
      }
      Matcher reference = IMAGE_REFERENCE.matcher(image);
      if (!reference.matches()) {
        problem(field, "'" + image + "' is not a valid image reference: use lowercase "
            + "registry/repository, then :tag and/or @sha256:digest");
        return;
      }
      if (reference.group(1).length() > IMAGE_NAME_MAX) {
        problem(field, "'" + image + "' has a name of " + reference.group(1).length()
            + " characters: registry and repository may have at most " + IMAGE_NAME_MAX);
        return;
      }
      if (ImageReference.tag(image).isEmpty() && !image.contains("@")) {
        problem(field, "'" + image + "' has no tag or digest: pin one (e.g. " + image
            + ":1.0.0) so each change of spec rolls out exactly that build");
      }
    }

    private void ports() {
      Mesh mesh = Mesh.of(spec, target);
      port("spec.port", spec.port(), mesh);
      port("spec.health.port", spec.health().port(), mesh);
      port("spec.metrics.port", spec.metrics().port(), mesh);
    }

    private void port(String field, Integer port, Mesh mesh) {
      if (port == null) {
        return;
      }
      if (spec.telemetry().mode() == TelemetryMode.SIDECAR && COLLECTOR_PORTS.containsKey(port)) {
        problem(field, port + " is taken by the collector sidecar ("
            + COLLECTOR_PORTS.get(port) + ") in telemetry mode sidecar: pick another port");
      }
      Map<Integer, String> proxyPorts = switch (mesh) {
        case ISTIO -> ISTIO_PROXY_PORTS;
        case LINKERD -> LINKERD_PROXY_PORTS;
        case NONE -> Map.of();
      };
      if (proxyPorts.containsKey(port)) {
        problem(field, port + " is taken by the " + mesh.name().toLowerCase(java.util.Locale.ROOT)
            + " proxy (" + proxyPorts.get(port) + ") that the mesh injects into this pod: pick "
            + "another port, or set spec.mesh to none if the pod is not in the mesh");
      }
    }

    private void env() {
      // a repeated name is the CRD's to refuse: spec.env is a map list keyed by name
      List<EnvVar> env = spec.env();
      for (int i = 0; i < env.size(); i++) {
        EnvVar variable = env.get(i);
        String field = "spec.env[" + i + "]";
        String name = variable.getName();
        if (name == null || name.isEmpty()) {
          continue; // required: Kubernetes' rule says so
        }
        if (OPERATOR_OWNED_ENV.contains(name)) {
          problem(field + ".name", name + " is set by the operator from spec.shutdown: set "
              + "spec.shutdown.drainSeconds / timeoutSeconds instead");
        }
        if (variable.getValueFrom() != null && variable.getValueFrom().getFileKeyRef() != null) {
          problem(field + ".valueFrom.fileKeyRef", "reads a file from a volume, but the pod the "
              + "operator creates has no volume of yours to read it from: use configMapKeyRef "
              + "or secretKeyRef");
        }
        if (variable.getValue() != null) {
          Matcher reference = ENV_REFERENCE.matcher(variable.getValue());
          while (reference.find()) {
            String referenced = reference.group(1);
            int laterIndex = indexOf(env, referenced);
            if (laterIndex > i) {
              problem(field + ".value", "refers to $(" + referenced + ") which is declared later "
                  + "at spec.env[" + laterIndex + "]; Kubernetes only expands variables declared "
                  + "before: move " + referenced + " above " + name);
            }
          }
        }
      }
    }

    private void telemetry() {
      TelemetrySpec telemetry = spec.telemetry();
      TelemetryMode mode = telemetry.mode();
      if (telemetry.endpoint() != null) {
        endpoint(telemetry.endpoint(), mode == TelemetryMode.SIDECAR);
      }
      if (telemetry.collector() != null && mode != TelemetryMode.SIDECAR) {
        problem("spec.telemetry.collector", "only applies in mode sidecar (now " + mode
            + "): remove it or set spec.telemetry.mode to sidecar");
      }
      if (mode == TelemetryMode.SIDECAR && CollectorSidecar.gateway(spec, target).isEmpty()) {
        problem("spec.telemetry.endpoint", "mode sidecar needs a gateway for the collector to "
            + "export to: set spec.telemetry.endpoint, or configure the operator's default "
            + "gateway (--collector-gateway)");
      }
    }

    /** In sidecar mode the endpoint is the gateway the collector exports to, over gRPC. */
    private void endpoint(String endpoint, boolean gateway) {
      OtlpProtocol protocol = gateway ? OtlpProtocol.GRPC : spec.telemetry().protocol();
      URI uri;
      try {
        uri = new URI(endpoint);
      } catch (URISyntaxException e) {
        problem("spec.telemetry.endpoint", "'" + endpoint + "' is not a URL: " + e.getReason());
        return;
      }
      if (uri.getHost() == null) {
        problem("spec.telemetry.endpoint", "'" + endpoint + "' has no host");
        return;
      }
      for (OtlpProtocol other : OtlpProtocol.values()) {
        if (other != protocol && uri.getPort() == other.standardPort()) {
          // spec.telemetry.protocol is how the app talks to its sidecar, not the gateway
          problem("spec.telemetry.endpoint", "port " + uri.getPort() + " is the OTLP "
              + other + " port but " + (gateway ? "the collector sidecar always exports to "
              + "its gateway over " + protocol + ": use the gateway's " + protocol + " port "
              + protocol.standardPort() : "the protocol is " + protocol + ": use port "
              + protocol.standardPort() + " or set spec.telemetry.protocol to " + other));
        }
      }
    }

    /** The budget's arithmetic is {@link TerminationBudget}'s alone (the CEL rule is coarser). */
    private void shutdown() {
      TerminationBudget.of(spec, target).shortfall().ifPresent(shortfall ->
          problem("spec.shutdown.terminationGracePeriodSeconds", shortfall));
    }

    private void podMetadata() {
      spec.podLabels().keySet().stream().filter(SELECTOR_LABEL_KEYS::contains).sorted()
          .forEach(key -> problem("spec.podLabels[" + key + "]", "is the operator's selector "
              + "label (it keeps the Deployment selector stable): remove it"));
      String proxyConfig = spec.podAnnotations().get(ISTIO_PROXY_CONFIG);
      if (proxyConfig != null) {
        String field = "spec.podAnnotations[" + ISTIO_PROXY_CONFIG + "]";
        // The operator merges its drain settings into this annotation, so it must be a mapping.
        try {
          Object parsed = YAML.readValue(proxyConfig, Object.class);
          if (parsed != null && !(parsed instanceof Map<?, ?>)) {
            problem(field, "must be a YAML mapping of Istio ProxyConfig fields, e.g. "
                + "'tracing: {sampling: 10}'");
          }
        } catch (IOException e) {
          problem(field, "is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }
  }
}
