package dev.operated.validation;

import dev.operated.api.LabelValues;
import dev.operated.api.SpecProblem;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layer 2: Kubernetes' own core validation for what the operator passes through to the pod,
 * written from kubernetes/kubernetes so that what passes here passes the API server. Each rule
 * names the Go function it comes from:
 * {@code pkg/apis/core/validation/validation.go} (core),
 * {@code staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go} (util),
 * {@code staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go} (objectmeta),
 * {@code pkg/apis/core/helper/helpers.go} (helper),
 * {@code staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go} (quantity).
 *
 * <p>Every method takes the field path to report under, so the same rules check a spec (paths
 * like {@code spec.env[2]}) and a rendered pod template (in tests).
 */
public final class KubernetesRules {

  /** util: {@code DNS1123LabelMaxLength}, {@code qualifiedNameMaxLength}. */
  private static final String HUGE_PAGES = "hugepages-";
  static final int LABEL_MAX_LENGTH = 63;
  /** util: {@code DNS1123SubdomainMaxLength}. */
  static final int SUBDOMAIN_MAX_LENGTH = 253;
  /** objectmeta: {@code TotalAnnotationSizeLimitB}, 256 KiB of keys and values together. */
  public static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

  /** util: {@code dns1123LabelFmt}. */
  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  /** util: {@code dns1123SubdomainFmt}. */
  private static final Pattern DNS_1123_SUBDOMAIN = Pattern.compile(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  /** util: {@code dns1035LabelFmt}. */
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  /** util: {@code qualifiedNameFmt} (the name part of a qualified name). */
  private static final Pattern QUALIFIED_NAME = Pattern.compile(
      "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  /** util: {@code envVarNameFmt} (IsEnvVarName). */
  private static final Pattern ENV_VAR_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  /** util: {@code configMapKeyFmt} (IsConfigMapKey). */
  private static final Pattern CONFIG_MAP_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  /**
   * quantity: {@code ParseQuantity} - a signed decimal number, then a binary (Ki...Ei), decimal
   * (n, u, m, k, M, G, T, P, E) or exponent (e3) suffix.
   */
  private static final Pattern QUANTITY = Pattern.compile(
      "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");

  /** core: {@code validEnvDownwardAPIFieldPathExpressions}. */
  private static final Set<String> ENV_FIELD_PATHS = Set.of("metadata.name", "metadata.namespace",
      "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP",
      "status.hostIPs", "status.podIP", "status.podIPs");
  /** pods {@code ConvertDownwardAPIFieldLabel}: what old v1 clients send, and what it means. */
  private static final Map<String, String> LEGACY_FIELD_PATHS = Map.of("spec.host",
      "spec.nodeName");
  /** core: {@code validContainerResourceFieldPathExpressions}. */
  private static final Set<String> ENV_RESOURCE_FIELDS = Set.of("limits.cpu", "limits.memory",
      "limits.ephemeral-storage", "requests.cpu", "requests.memory",
      "requests.ephemeral-storage");
  /** core: {@code validContainerResourceFieldPathPrefixesWithDownwardAPIHugePages}. */
  private static final List<String> ENV_RESOURCE_PREFIXES =
      List.of("requests.hugepages-", "limits.hugepages-");
  /** core: {@code validContainerResourceDivisorForCPU}. */
  private static final Set<String> CPU_DIVISORS = Set.of("1m", "1");
  /** core: {@code validContainerResourceDivisorForMemory} (also hugepages, ephemeral storage). */
  private static final Set<String> BYTE_DIVISORS = Set.of("1", "1k", "1M", "1G", "1T", "1P",
      "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei");
  /** helper: {@code standardContainerResources} (plus hugepages-*). */
  private static final Set<String> STANDARD_CONTAINER_RESOURCES =
      Set.of("cpu", "memory", "ephemeral-storage");

  private KubernetesRules() {
  }

  // --- names and metadata -------------------------------------------------------------------

  /**
   * objectmeta {@code ValidateObjectMeta} (a name is required), then core {@code
   * ValidateServiceName} = objectmeta {@code NameIsDNS1035Label}: the operator names the Service
   * after the OperatedService.
   */
  public static List<SpecProblem> serviceName(String field, String name) {
    List<SpecProblem> problems = new ArrayList<>();
    if (name == null || name.isEmpty()) {
      problems.add(new SpecProblem(field, "is required: name the OperatedService (its "
          + "Deployment and Service take the name)"));
    } else if (name.length() > LABEL_MAX_LENGTH
        || !DNS_1035_LABEL.matcher(name).matches()) {
      problems.add(new SpecProblem(field, "'" + name + "' cannot name the Service the operator "
          + "creates: use at most 63 lowercase letters, digits and '-', starting with a letter "
          + "and ending with a letter or digit"));
    }
    return problems;
  }

  /** objectmeta: {@code ValidateNamespaceName} = {@code NameIsDNSLabel}. */
  public static List<SpecProblem> namespaceName(String field, String namespace) {
    List<SpecProblem> problems = new ArrayList<>();
    if (namespace != null && !isDns1123Label(namespace)) {
      problems.add(new SpecProblem(field, "'" + namespace + "' is not a namespace name: use at "
          + "most 63 lowercase letters, digits and '-', starting and ending with a letter or "
          + "digit"));
    }
    return problems;
  }

  /**
   * unversioned {@code ValidateLabels}: each key {@code ValidateLabelName} (util
   * {@code IsQualifiedName}), each value util {@code IsValidLabelValue}.
   */
  public static List<SpecProblem> labels(String field, Map<String, String> labels) {
    List<SpecProblem> problems = new ArrayList<>();
    new TreeMap<>(labels).forEach((key, value) -> {
      String path = field + "[" + key + "]";
      qualifiedName(key).ifPresent(why -> problems.add(new SpecProblem(path,
          "'" + key + "' is not a valid label key: " + why)));
      if (value != null && !LabelValues.isValid(value)) {
        problems.add(new SpecProblem(path, "'" + value + "' is not a valid label value: "
            + (value.length() > LABEL_MAX_LENGTH ? "it has " + value.length()
                + " characters, at most 63 are allowed" : "use letters, digits, '-', '_' and '.', "
                + "starting and ending with a letter or digit (no spaces)")
            + "; put longer or free text in podAnnotations instead"));
      }
    });
    return problems;
  }

  /**
   * objectmeta {@code ValidateAnnotations}: each key util {@code IsQualifiedName} of its lower
   * case, and keys plus values together at most {@code TotalAnnotationSizeLimitB}.
   */
  public static List<SpecProblem> annotations(String field, Map<String, String> annotations) {
    List<SpecProblem> problems = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, String> entry : new TreeMap<>(annotations).entrySet()) {
      String key = entry.getKey();
      qualifiedName(key.toLowerCase(Locale.ROOT)).ifPresent(why -> problems.add(new SpecProblem(
          field + "[" + key + "]", "'" + key + "' is not a valid annotation key: " + why)));
      total += key.getBytes(StandardCharsets.UTF_8).length
          + (entry.getValue() == null ? 0 : entry.getValue().getBytes(StandardCharsets.UTF_8)
          .length);
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
      problems.add(new SpecProblem(field, "annotations take " + total + " bytes, more than the "
          + "API server's limit of " + TOTAL_ANNOTATION_SIZE_LIMIT + " bytes (256 KiB) for keys "
          + "and values together: move the large values into a ConfigMap"));
    }
    return problems;
  }

  /** util: {@code IsQualifiedName}; empty when valid, else why not. */
  static Optional<String> qualifiedName(String value) {
    String[] parts = value.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) {
        return Optional.of("the prefix before '/' must not be empty");
      }
      if (!isDns1123Subdomain(prefix)) {
        return Optional.of("the prefix '" + prefix + "' must be a DNS subdomain (lowercase "
            + "letters, digits, '-' and '.', at most 253 characters)");
      }
    } else {
      return Optional.of("use an optional DNS prefix and a single '/', then the name");
    }
    if (name.isEmpty()) {
      return Optional.of("the name part must not be empty");
    }
    if (name.length() > LABEL_MAX_LENGTH) {
      return Optional.of("the name part has " + name.length() + " characters, at most 63 are "
          + "allowed");
    }
    if (!QUALIFIED_NAME.matcher(name).matches()) {
      return Optional.of("the name part must consist of letters, digits, '-', '_' or '.', "
          + "starting and ending with a letter or digit");
    }
    return Optional.empty();
  }

  static boolean isDns1123Label(String value) {
    return value.length() <= LABEL_MAX_LENGTH && DNS_1123_LABEL.matcher(value).matches();
  }

  static boolean isDns1123Subdomain(String value) {
    return value.length() <= SUBDOMAIN_MAX_LENGTH && DNS_1123_SUBDOMAIN.matcher(value).matches();
  }

  // --- pod-specific annotations --------------------------------------------------------------

  private static final String APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
  private static final String SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod";
  private static final String SECCOMP_CONTAINER_PREFIX =
      "container.seccomp.security.alpha.kubernetes.io/";
  private static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
  private static final String MIRROR = "kubernetes.io/config.mirror";
  private static final String TOLERATIONS = "scheduler.alpha.kubernetes.io/tolerations";
  /** ASCII digits only: Java's parseInt also takes other scripts' digits, Go's does not. */
  private static final Pattern DELETION_COST_TEXT = Pattern.compile("0|[1-9][0-9]*|-[0-9]+");

  /**
   * core {@code ValidatePodSpecificAnnotations}, which {@code ValidatePodTemplateSpec} applies to
   * a Deployment's pod template: the mirror-pod annotation (a template has no nodeName), the
   * tolerations annotation ({@link TolerationsAnnotation}), {@code pod-deletion-cost} (a 32-bit
   * integer: helper {@code GetDeletionCostFromPodAnnotations}), seccomp profiles
   * ({@code ValidateSeccompProfile}) and AppArmor profiles of containers the pod has
   * ({@code ValidateAppArmorPodAnnotations}: {@code podSpecHasContainer},
   * {@code ValidateAppArmorProfileFormat}).
   */
  public static List<SpecProblem> podSpecificAnnotations(String field,
      Map<String, String> annotations, Set<String> containers) {
    List<SpecProblem> problems = new ArrayList<>();
    new TreeMap<>(annotations).forEach((key, value) -> {
      String path = field + "[" + key + "]";
      if (key.equals(MIRROR)) {
        problems.add(new SpecProblem(path, "marks a static pod's mirror, which a Deployment's "
            + "pods are not: remove it"));
      } else if (key.equals(TOLERATIONS) && !value.isEmpty()) {
        problems.addAll(TolerationsAnnotation.validate(path, value));
      } else if (key.equals(DELETION_COST) && !isDeletionCost(value)) {
        problems.add(new SpecProblem(path, "'" + value + "' must be a 32-bit integer, written "
            + "without '+' and, unless negative, without leading zeros, e.g. 100 or -5"));
      } else if (key.equals(SECCOMP_POD) || key.startsWith(SECCOMP_CONTAINER_PREFIX)) {
        seccompProfile(value).ifPresent(why -> problems.add(new SpecProblem(path, why)));
      } else if (key.startsWith(APPARMOR_PREFIX)) {
        String container = key.substring(APPARMOR_PREFIX.length());
        if (!containers.contains(container)) {
          problems.add(new SpecProblem(path, "names container '" + container + "', which the "
              + "pod does not have: its containers are " + String.join(", ", containers)
              + " (the app's is 'app')"));
        }
        if (!(value.isEmpty() || value.equals("runtime/default") || value.equals("unconfined")
            || value.startsWith("localhost/"))) {
          problems.add(new SpecProblem(path, "'" + value + "' is not an AppArmor profile: give "
              + "runtime/default, unconfined or localhost/<profile>"));
        }
      }
    });
    return problems;
  }

  /** core {@code ValidateSeccompProfile}, with {@code validateLocalDescendingPath}. */
  private static Optional<String> seccompProfile(String profile) {
    if (profile.equals("runtime/default") || profile.equals("docker/default")
        || profile.equals("unconfined")) {
      return Optional.empty();
    }
    if (profile.startsWith("localhost/")) {
      String path = profile.substring("localhost/".length());
      if (path.startsWith("/")) {
        return Optional.of("'" + profile + "': the localhost profile must be a relative path");
      }
      if (List.of(path.split("/", -1)).contains("..")) {
        return Optional.of("'" + profile + "': the localhost profile must not contain '..'");
      }
      return Optional.empty();
    }
    return Optional.of("'" + profile + "' is not a seccomp profile: give runtime/default, "
        + "unconfined or localhost/<relative path>");
  }

  /**
   * helper {@code GetDeletionCostFromPodAnnotations}: {@code validFirstDigit} (a '-', a lone
   * "0" or 1-9), then {@code strconv.ParseInt(value, 10, 32)}, which takes "-007" and "-0".
   */
  private static boolean isDeletionCost(String value) {
    if (!DELETION_COST_TEXT.matcher(value).matches()) {
      return false;
    }
    try {
      Integer.parseInt(value);
      return true;
    } catch (NumberFormatException outOfRange) {
      return false;
    }
  }

  // --- env ----------------------------------------------------------------------------------

  /**
   * core {@code ValidateEnv}: a name is required; from 1.32 (feature gate
   * RelaxedEnvironmentVariableValidation beta, on by default) util {@code IsRelaxedEnvVarName}
   * applies, before that util {@code IsEnvVarName}. Then {@code validateEnvVarValueFrom} for each.
   */
  public static List<SpecProblem> env(String field, List<EnvVar> env, KubernetesVersion version) {
    List<SpecProblem> problems = new ArrayList<>();
    boolean relaxed = version.atLeast(1, 32);
    for (int i = 0; i < env.size(); i++) {
      EnvVar variable = env.get(i);
      String path = field + "[" + i + "]";
      String name = variable.getName();
      if (name == null || name.isEmpty()) {
        problems.add(new SpecProblem(path + ".name", "is required"));
      } else if (relaxed && !isRelaxedEnvVarName(name)) {
        problems.add(new SpecProblem(path + ".name", "'" + name + "' is not a valid variable "
            + "name: use printable ASCII characters other than '='"));
      } else if (!relaxed && !ENV_VAR_NAME.matcher(name).matches()) {
        problems.add(new SpecProblem(path + ".name", "'" + name + "' is not a valid variable "
            + "name on Kubernetes " + version + ": use letters, digits, '_', '-' and '.', not "
            + "starting with a digit (other printable characters are accepted from 1.32)"));
      } else if (!relaxed && (name.equals(".") || name.startsWith(".."))) {
        // util IsEnvVarName's hasChDirPrefix, which the relaxed rule of 1.32 dropped
        problems.add(new SpecProblem(path + ".name", "'" + name + "' is not a valid variable "
            + "name on Kubernetes " + version + ": it must not be '.' or start with '..'"));
      }
      problems.addAll(valueFrom(path, variable));
    }
    return problems;
  }

  /** util: {@code IsRelaxedEnvVarName}: printable ASCII (32-126) except '='. */
  static boolean isRelaxedEnvVarName(String name) {
    return !name.isEmpty() && name.chars().allMatch(c -> c >= 32 && c <= 126 && c != '=');
  }

  /**
   * core {@code validateEnvVarValueFrom}: exactly one source, none when {@code value} is set;
   * each source by {@code validateObjectFieldSelector}, {@code
   * validateContainerResourceFieldSelector}, {@code validateConfigMapKeySelector}, {@code
   * validateSecretKeySelector}.
   */
  static List<SpecProblem> valueFrom(String path, EnvVar variable) {
    List<SpecProblem> problems = new ArrayList<>();
    EnvVarSource from = variable.getValueFrom();
    if (from == null) {
      return problems;
    }
    String field = path + ".valueFrom";
    List<String> sources = new ArrayList<>();
    if (from.getFieldRef() != null) {
      sources.add("fieldRef");
      problems.addAll(fieldRef(field + ".fieldRef", from.getFieldRef()));
    }
    if (from.getResourceFieldRef() != null) {
      sources.add("resourceFieldRef");
      problems.addAll(resourceFieldRef(field + ".resourceFieldRef", from.getResourceFieldRef()));
    }
    if (from.getConfigMapKeyRef() != null) {
      sources.add("configMapKeyRef");
      ConfigMapKeySelector ref = from.getConfigMapKeyRef();
      problems.addAll(keySelector(field + ".configMapKeyRef", ref.getName(), ref.getKey(),
          "ConfigMap"));
    }
    if (from.getSecretKeyRef() != null) {
      sources.add("secretKeyRef");
      SecretKeySelector ref = from.getSecretKeyRef();
      problems.addAll(keySelector(field + ".secretKeyRef", ref.getName(), ref.getKey(),
          "Secret"));
    }
    if (from.getFileKeyRef() != null) {
      sources.add("fileKeyRef");
    }
    if (sources.isEmpty()) {
      problems.add(new SpecProblem(field, "must specify one of: fieldRef, resourceFieldRef, "
          + "configMapKeyRef or secretKeyRef"));
    } else if (variable.getValue() != null && !variable.getValue().isEmpty()) {
      problems.add(new SpecProblem(field, "may not be specified when value is not empty: keep "
          + "value or valueFrom"));
    } else if (sources.size() > 1) {
      problems.add(new SpecProblem(field, "has " + String.join(" and ", sources) + ": a "
          + "variable takes its value from one source only; keep one, or split it into two "
          + "variables"));
    }
    return problems;
  }

  /**
   * core {@code validateObjectFieldSelector} with {@code validEnvDownwardAPIFieldPathExpressions};
   * the apiVersion is defaulted to v1 (core/v1 {@code SetDefaults_ObjectFieldSelector}) and must
   * be v1 (core/pods {@code ConvertDownwardAPIFieldLabel}); subscripts only on metadata.labels
   * and metadata.annotations, with a qualified-name key.
   */
  static List<SpecProblem> fieldRef(String field, ObjectFieldSelector ref) {
    List<SpecProblem> problems = new ArrayList<>();
    if (ref.getApiVersion() != null && !ref.getApiVersion().isEmpty()
        && !"v1".equals(ref.getApiVersion())) {
      problems.add(new SpecProblem(field + ".apiVersion", "'" + ref.getApiVersion() + "' is not "
          + "supported: the downward API reads the pod as v1; remove it or write v1"));
      return problems;
    }
    String path = ref.getFieldPath();
    if (path == null || path.isEmpty()) {
      problems.add(new SpecProblem(field + ".fieldPath", "is required"));
      return problems;
    }
    Matcher subscripted = Pattern.compile("(metadata\\.[a-zA-Z]+)\\['(.*)'\\]").matcher(path);
    if (subscripted.matches()) {
      String map = subscripted.group(1);
      String key = subscripted.group(2);
      if (!map.equals("metadata.labels") && !map.equals("metadata.annotations")) {
        problems.add(new SpecProblem(field, map + " does not support a subscript"));
      } else {
        qualifiedName(map.equals("metadata.annotations") ? key.toLowerCase(Locale.ROOT) : key)
            .ifPresent(why -> problems.add(new SpecProblem(field, "'" + key + "' is not a valid "
                + "key: " + why)));
      }
    } else if (!ENV_FIELD_PATHS.contains(LEGACY_FIELD_PATHS.getOrDefault(path, path))) {
      problems.add(new SpecProblem(field + ".fieldPath", "'" + path + "' is not offered by the "
          + "downward API to env: use one of " + String.join(", ", new java.util.TreeSet<>(
          ENV_FIELD_PATHS)) + ", metadata.labels['KEY'] or metadata.annotations['KEY']"));
    }
    return problems;
  }

  /**
   * core {@code validateContainerResourceFieldSelector} and {@code
   * validateContainerResourceDivisor}.
   */
  static List<SpecProblem> resourceFieldRef(String field, ResourceFieldSelector ref) {
    List<SpecProblem> problems = new ArrayList<>();
    String resource = ref.getResource();
    if (resource == null || resource.isEmpty()) {
      problems.add(new SpecProblem(field + ".resource", "is required"));
      return problems;
    }
    if (!ENV_RESOURCE_FIELDS.contains(resource)
        && ENV_RESOURCE_PREFIXES.stream().noneMatch(resource::startsWith)) {
      problems.add(new SpecProblem(field + ".resource", "'" + resource + "' is not supported: "
          + "use one of " + String.join(", ", new java.util.TreeSet<>(ENV_RESOURCE_FIELDS))));
      return problems;
    }
    Quantity divisor = ref.getDivisor();
    if (divisor != null && divisor.toString() != null && !divisor.toString().isEmpty()) {
      String text = divisor.toString();
      boolean cpu = resource.endsWith(".cpu");
      Set<String> allowed = cpu ? CPU_DIVISORS : BYTE_DIVISORS;
      // The API server compares Quantity.String() (1000m is 1, 1024Ki is 1Mi, +1 stays +1), and
      // a zero divisor is an unset one.
      boolean unset = Quantities.canonical(text).filter("0"::equals).isPresent();
      if (!unset && Quantities.stringOf(text).filter(allowed::contains).isEmpty()) {
        problems.add(new SpecProblem(field + ".divisor", "'" + text + "' is not supported with "
            + resource + ": use one of " + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
    }
    return problems;
  }

  /**
   * core {@code validateConfigMapKeySelector} / {@code validateSecretKeySelector}: the name is a
   * DNS subdomain ({@code ValidateSecretName}), the key is required and util {@code
   * IsConfigMapKey}.
   */
  static List<SpecProblem> keySelector(String field, String name, String key, String kind) {
    List<SpecProblem> problems = new ArrayList<>();
    if (name == null || name.isEmpty() || !isDns1123Subdomain(name)) {
      problems.add(new SpecProblem(field + ".name", (name == null || name.isEmpty())
          ? "is required: name the " + kind
          : "'" + name + "' is not a " + kind + " name: use lowercase letters, digits, '-' and "
              + "'.', at most 253 characters"));
    }
    if (key == null || key.isEmpty()) {
      problems.add(new SpecProblem(field + ".key", "is required: name the key in the " + kind));
    } else if (key.length() > SUBDOMAIN_MAX_LENGTH || !CONFIG_MAP_KEY.matcher(key).matches()
        || key.equals(".") || key.equals("..") || key.startsWith("..")) {
      problems.add(new SpecProblem(field + ".key", "'" + key + "' is not a valid key: use "
          + "letters, digits, '-', '_' and '.' (not '.' or '..' alone), at most 253 characters"));
    }
    return problems;
  }

  // --- resources ----------------------------------------------------------------------------

  /**
   * core {@code ValidateContainerResourceRequirements} / {@code validateResourceRequirements}:
   * each name core {@code validateContainerResourceName}, each quantity a quantity (quantity
   * {@code ParseQuantity}) and core {@code ValidateResourceQuantityValue} (not negative, whole
   * for extended resources); a request at most its limit, equal to it and with a limit for
   * resources that cannot be overcommitted (helper {@code IsOvercommitAllowed}); hugepages need
   * cpu or memory; claims must name one of the pod's resourceClaims ({@code
   * validateResourceClaimNames}), and the operator's pod declares none.
   */
  public static List<SpecProblem> resources(String field, ResourceRequirements resources) {
    List<SpecProblem> problems = new ArrayList<>();
    if (resources == null) {
      return problems;
    }
    Map<String, BigDecimal> limits = quantities(field + ".limits", resources.getLimits(),
        problems);
    Map<String, BigDecimal> requests = quantities(field + ".requests", resources.getRequests(),
        problems);
    requests.forEach((name, requested) -> {
      String path = field + ".requests[" + name + "]";
      BigDecimal limit = limits.get(name);
      if (limit != null && !isOvercommitAllowed(name) && requested.compareTo(limit) != 0) {
        problems.add(new SpecProblem(path, "must be equal to the " + name + " limit ("
            + resources.getLimits().get(name) + "): " + name + " cannot be overcommitted"));
      } else if (limit != null && requested.compareTo(limit) > 0) {
        problems.add(new SpecProblem(path, "request " + resources.getRequests().get(name)
            + " is above the limit " + resources.getLimits().get(name) + ": lower the request "
            + "or raise the limit"));
      } else if (limit == null && !isOvercommitAllowed(name) && isValidResourceName(name)) {
        problems.add(new SpecProblem(field + ".limits[" + name + "]", "is required: " + name
            + " cannot be overcommitted, so Kubernetes needs a limit equal to the request ("
            + resources.getRequests().get(name) + ")"));
      }
    });
    boolean hugePages = java.util.stream.Stream.concat(limits.keySet().stream(),
        requests.keySet().stream()).anyMatch(name -> name.startsWith("hugepages-"));
    boolean cpuOrMemory = java.util.stream.Stream.concat(limits.keySet().stream(),
        requests.keySet().stream()).anyMatch(name -> name.equals("cpu") || name.equals("memory"));
    if (hugePages && !cpuOrMemory) {
      problems.add(new SpecProblem(field, "hugepages require a cpu or memory request or limit"));
    }
    if (resources.getClaims() != null && !resources.getClaims().isEmpty()) {
      problems.add(new SpecProblem(field + ".claims", "names resource claims, but the pod the "
          + "operator creates declares no spec.resourceClaims for them to refer to: remove it"));
    }
    return problems;
  }

  /**
   * core {@code validateResourceQuantityHugePageValue} (helper
   * {@code IsHugePageResourceValueDivisible}): the amount, rounded up to whole bytes, a multiple
   * of the page size the name gives, which must itself be whole bytes.
   */
  private static boolean wholeHugePages(String name, BigDecimal amount) {
    BigDecimal pageSize;
    try {
      pageSize = new Quantity(name.substring(HUGE_PAGES.length())).getNumericalAmount();
    } catch (RuntimeException notASize) {
      return false;
    }
    if (pageSize.signum() <= 0 || pageSize.stripTrailingZeros().scale() > 0) {
      return false;
    }
    BigDecimal bytes = amount.setScale(0, RoundingMode.CEILING);
    return bytes.remainder(pageSize).signum() == 0;
  }

  private static Map<String, BigDecimal> quantities(String field, Map<String, Quantity> values,
      List<SpecProblem> problems) {
    Map<String, BigDecimal> amounts = new TreeMap<>();
    if (values == null) {
      return amounts;
    }
    new TreeMap<>(values).forEach((name, quantity) -> {
      String path = field + "[" + name + "]";
      Optional<String> badName = containerResourceName(name);
      if (badName.isPresent()) {
        problems.add(new SpecProblem(path, badName.get()));
        return;
      }
      String text = quantity == null ? "" : quantity.toString();
      if (!QUANTITY.matcher(text).matches()) {
        problems.add(new SpecProblem(path, "'" + text + "' is not a quantity: write e.g. 500m "
            + "or 0.5 for CPU, 256Mi or 1Gi for memory"));
        return;
      }
      BigDecimal amount;
      try {
        amount = quantity.getNumericalAmount();
      } catch (RuntimeException notAQuantity) {
        problems.add(new SpecProblem(path, "'" + text + "' is not a quantity: write e.g. 500m "
            + "or 0.5 for CPU, 256Mi or 1Gi for memory"));
        return;
      }
      if (amount.signum() < 0) {
        problems.add(new SpecProblem(path, "'" + text + "' is negative: use 0 or more"));
        return;
      }
      if (isExtendedResourceName(name) && amount.stripTrailingZeros().scale() > 0) {
        problems.add(new SpecProblem(path, "'" + text + "' must be a whole number: " + name
            + " is an extended resource, counted in units"));
        return;
      }
      if (name.startsWith(HUGE_PAGES) && !wholeHugePages(name, amount)) {
        problems.add(new SpecProblem(path, "'" + text + "' is not a whole number of "
            + name.substring(HUGE_PAGES.length()) + " pages: give a multiple of the page size"));
        return;
      }
      amounts.put(name, amount);
    });
    return amounts;
  }

  /**
   * core {@code validateContainerResourceName} (after {@code validateResourceName}): a name
   * without '/' must be a standard container resource (cpu, memory, ephemeral-storage,
   * hugepages-SIZE); a name with '/' must be a qualified name, and outside kubernetes.io an
   * extended resource name.
   */
  static Optional<String> containerResourceName(String name) {
    Optional<String> qualified = qualifiedName(name);
    if (qualified.isPresent()) {
      return Optional.of("'" + name + "' is not a resource name: " + qualified.get());
    }
    if (!name.contains("/")) {
      if (!STANDARD_CONTAINER_RESOURCES.contains(name) && !name.startsWith("hugepages-")) {
        return Optional.of("'" + name + "' is not a standard resource for containers: use cpu, "
            + "memory, ephemeral-storage, hugepages-<size>, or an extended resource with a "
            + "domain (e.g. nvidia.com/gpu)");
      }
      return Optional.empty();
    }
    if (!isNativeResource(name) && !isExtendedResourceName(name)) {
      return Optional.of("'" + name + "' doesn't follow the extended resource name standard: "
          + "use DOMAIN/NAME outside kubernetes.io, not starting with 'requests.'");
    }
    return Optional.empty();
  }

  private static boolean isValidResourceName(String name) {
    return containerResourceName(name).isEmpty();
  }

  /** helper: {@code IsNativeResource}: no domain, or a kubernetes.io one. */
  static boolean isNativeResource(String name) {
    return !name.contains("/") || name.contains("kubernetes.io/");
  }

  /**
   * helper: {@code IsExtendedResourceName}: not native, not "requests.*", and "requests." + name
   * a qualified name (so it can be quota'd).
   */
  static boolean isExtendedResourceName(String name) {
    return !isNativeResource(name) && !name.startsWith("requests.")
        && qualifiedName("requests." + name).isEmpty();
  }

  /** helper: {@code IsOvercommitAllowed}: native resources other than hugepages. */
  static boolean isOvercommitAllowed(String name) {
    return isNativeResource(name) && !name.startsWith("hugepages-");
  }
}
