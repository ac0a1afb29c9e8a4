package dev.operated.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.operated.api.SpecProblem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The campaign's oracles as pure functions of what was observed, so that each can be shown to
 * fail ({@code CampaignOraclesTest}). Each returns the violations it finds, as sentences; empty
 * means it holds.
 */
final class CampaignOracles {

  /** A path in structured-merge-diff's errors: {@code ): .spec.env: } or {@code \n  .spec.env: }. */
  private static final Pattern TYPED_PATCH_ERROR_PATH =
      Pattern.compile("(?:\\): |\n  )\\.([^:\\s]+): ");

  /** Differences listed per object before the rest is summarised. */
  private static final int DIFFERENCES_SHOWN = 6;
  private static final List<String> SERVICE_FIELDS_OF_THE_SERVER = List.of("clusterIP",
      "clusterIPs", "ipFamilies", "ipFamilyPolicy", "sessionAffinity", "internalTrafficPolicy",
      "externalTrafficPolicy", "allocateLoadBalancerNodePorts");

  private CampaignOracles() {
  }

  /**
   * Oracle 1: the objects the service owns are exactly what {@code render} gives for its spec and
   * the cluster facts: none missing, none left over, each equal field for field apart from what
   * the API server writes, each owned by the service alone.
   */
  static List<String> ownedEqualRendered(List<HasMetadata> rendered, List<HasMetadata> owned,
      String ownerUid) {
    List<String> violations = new ArrayList<>();
    Map<String, HasMetadata> live = byKindAndName(owned);
    Map<String, HasMetadata> expected = byKindAndName(rendered);
    for (Map.Entry<String, HasMetadata> entry : expected.entrySet()) {
      HasMetadata object = live.get(entry.getKey());
      if (object == null) {
        violations.add(entry.getKey() + " is rendered but not in the cluster");
        continue;
      }
      List<String> owners = object.getMetadata().getOwnerReferences() == null ? List.of()
          : object.getMetadata().getOwnerReferences().stream().map(OwnerReference::getUid)
              .toList();
      if (!owners.equals(List.of(ownerUid))) {
        violations.add(entry.getKey() + " is owned by " + owners + ", not by the service ("
            + ownerUid + ") alone");
      }
      JsonNode want = Serialization.jsonMapper().valueToTree(entry.getValue());
      JsonNode have = withoutServerFields(object,
          !want.path("spec").path("replicas").isMissingNode());
      List<String> differences = new ArrayList<>();
      differences("", want, have, differences);
      if (!differences.isEmpty()) {
        violations.add(entry.getKey() + " differs from render: " + summary(differences));
      }
    }
    for (String name : live.keySet()) {
      if (!expected.containsKey(name)) {
        violations.add(name + " is still owned by the service but not rendered");
      }
    }
    return violations;
  }

  /**
   * Oracle 2, for a spec the operator's validator refuses: the status names every bad field the
   * validator found.
   */
  static List<String> statusNamesEveryProblem(String reason, String message,
      List<SpecProblem> problems) {
    List<String> violations = new ArrayList<>();
    if (!"InvalidSpec".equals(reason)) {
      violations.add("the Ready condition's reason is " + reason + ", not InvalidSpec, for a "
          + "spec with problems " + problems);
      return violations;
    }
    for (SpecProblem problem : problems) {
      if (message == null || !message.contains(problem.field())) {
        violations.add("the status does not name " + problem.field() + " (" + problem.message()
            + "): " + message);
      }
    }
    return violations;
  }

  /**
   * Oracle 2, for a spec refused at admission: the API error names the field the change aimed
   * at (or one inside it, or the object holding it, as CEL rules report at their object).
   */
  static List<String> refusalNamesTheField(String field, List<StatusCause> causes) {
    if (field == null) {
      return causes.isEmpty() ? List.of("the refusal names no field") : List.of();
    }
    String aimed = dotted(field);
    for (StatusCause cause : causes) {
      String named = cause.getField() == null ? "" : dotted(cause.getField());
      if (!named.isEmpty() && (named.startsWith(aimed) || aimed.startsWith(named))) {
        return List.of();
      }
    }
    return List.of("the refusal does not name " + field + ": " + causes.stream()
        .map(cause -> cause.getField() + ": " + cause.getMessage()).toList());
  }

  /**
   * Whether the API server refused an apply because its field manager could not type the applied
   * object: a 500 without causes whose message is {@code failed to create typed patch object
   * (...): .spec.env: duplicate entries for key [name="A"]} (structured-merge-diff's errors, one,
   * or each on a line of its own after {@code errors:}).
   */
  static boolean isTypedPatchRefusal(int code, String message) {
    return code == 500 && message != null
        && message.startsWith("failed to create typed patch object");
  }

  /**
   * Oracle 2 for such a refusal: every path it names is the field the change aimed at, one
   * inside it, or the object holding it (keys in brackets left out: {@code
   * .spec.ports[name="http"].port} names {@code spec.ports.port}).
   */
  static List<String> typedPatchRefusalNamesTheField(String field, String message) {
    List<String> named = new ArrayList<>();
    Matcher paths = TYPED_PATCH_ERROR_PATH.matcher(message);
    while (paths.find()) {
      named.add(paths.group(1).replaceAll("\\[[^\\]]*\\]", ""));
    }
    if (named.isEmpty()) {
      return List.of("the refusal names no field: " + message);
    }
    if (field == null) {
      return List.of();
    }
    String aimed = dotted(field);
    return named.stream().allMatch(path -> path.startsWith(aimed) || aimed.startsWith(path))
        ? List.of() : List.of("the refusal does not name " + field + ": " + message);
  }

  /** Oracle 2: nothing that ran before an invalid spec was written since. */
  static List<String> resourceVersionsUnchanged(Map<String, String> before,
      Map<String, String> after) {
    List<String> violations = new ArrayList<>();
    for (String name : new TreeSet<>(before.keySet())) {
      if (!Objects.equals(before.get(name), after.get(name))) {
        violations.add(name + " changed after an invalid spec: resourceVersion "
            + before.get(name) + " -> " + after.get(name));
      }
    }
    for (String name : after.keySet()) {
      if (!before.containsKey(name)) {
        violations.add(name + " was created after an invalid spec");
      }
    }
    return violations;
  }

  /** Oracles 4 and 5: two snapshots of the owned objects hold the same objects and fields. */
  static List<String> sameObjects(String what, Map<String, JsonNode> expected,
      Map<String, JsonNode> actual) {
    List<String> violations = new ArrayList<>();
    for (String name : new TreeSet<>(expected.keySet())) {
      if (!actual.containsKey(name)) {
        violations.add(what + ": " + name + " is missing");
        continue;
      }
      List<String> differences = new ArrayList<>();
      differences("", expected.get(name), actual.get(name), differences);
      if (!differences.isEmpty()) {
        violations.add(what + ": " + name + " differs: " + summary(differences));
      }
    }
    for (String name : new TreeSet<>(actual.keySet())) {
      if (!expected.containsKey(name)) {
        violations.add(what + ": " + name + " is there too");
      }
    }
    return violations;
  }

  /**
   * The owned objects as comparable trees. Path independence compares a namespace of the same
   * name on a fresh cluster, so names need no rewriting.
   */
  static Map<String, JsonNode> snapshot(List<HasMetadata> owned, boolean replicasInSpec) {
    Map<String, JsonNode> objects = new TreeMap<>();
    for (HasMetadata object : owned) {
      objects.put(key(object), withoutServerFields(object, replicasInSpec));
    }
    return objects;
  }

  static Map<String, String> resourceVersions(List<HasMetadata> owned) {
    Map<String, String> versions = new TreeMap<>();
    owned.forEach(object -> versions.put(key(object), object.getMetadata().getResourceVersion()));
    return versions;
  }

  static String key(HasMetadata object) {
    return object.getKind() + "/" + object.getMetadata().getName();
  }

  /**
   * What is written beside the desired state: the API server's identity and bookkeeping, the
   * owner reference (compared apart), the status, the Deployment controller's revision
   * annotation, and JOSDK's marker of the resource version it last wrote. A Deployment without
   * replicas in its desired state has them from the API server's default or an autoscaler: the
   * operator leaves them alone, so they are not compared. Nor are a Service's addresses and the
   * defaults the API server adds to it (alloc.go, SetDefaults_Service), which the operator never
   * sets: the allocated ones differ from one cluster to the next.
   */
  static JsonNode withoutServerFields(HasMetadata live, boolean replicasInSpec) {
    ObjectNode tree = Serialization.jsonMapper().valueToTree(live);
    ObjectNode metadata = (ObjectNode) tree.get("metadata");
    metadata.remove(List.of("uid", "resourceVersion", "generation", "creationTimestamp",
        "managedFields", "ownerReferences"));
    if (metadata.get("annotations") instanceof ObjectNode annotations) {
      annotations.remove(List.of("deployment.kubernetes.io/revision",
          "javaoperatorsdk.io/previous"));
      if (annotations.isEmpty()) {
        metadata.remove("annotations");
      }
    }
    tree.remove("status");
    if ("Deployment".equals(live.getKind()) && tree.get("spec") instanceof ObjectNode spec
        && !replicasInSpec) {
      spec.remove("replicas");
    }
    if ("Service".equals(live.getKind()) && tree.get("spec") instanceof ObjectNode spec) {
      spec.remove(SERVICE_FIELDS_OF_THE_SERVER);
      spec.path("ports").forEach(port -> ((ObjectNode) port).remove("nodePort"));
    }
    return tree;
  }

  /** Kubernetes' two notations of a map key ({@code a[b]}, {@code a.b}) made one. */
  static String dotted(String field) {
    return field.replaceAll("\\[([^\\]0-9][^\\]]*)\\]", ".$1");
  }

  private static Map<String, HasMetadata> byKindAndName(List<HasMetadata> objects) {
    Map<String, HasMetadata> map = new TreeMap<>();
    objects.forEach(object -> map.put(key(object), object));
    return map;
  }

  private static void differences(String at, JsonNode want, JsonNode have, List<String> out) {
    if (Objects.equals(want, have) || sameQuantity(at, want, have)) {
      return;
    }
    if (want != null && have != null && want.isObject() && have.isObject()) {
      TreeSet<String> names = new TreeSet<>();
      want.fieldNames().forEachRemaining(names::add);
      have.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        differences(at + "/" + name, want.get(name), have.get(name), out);
      }
      return;
    }
    if (want != null && have != null && want.isArray() && have.isArray()
        && want.size() == have.size()) {
      Iterator<JsonNode> wanted = want.elements();
      Iterator<JsonNode> had = have.elements();
      for (int index = 0; wanted.hasNext(); index++) {
        differences(at + "/" + index, wanted.next(), had.next(), out);
      }
      return;
    }
    out.add(at + ": want " + brief(want) + ", have " + brief(have));
  }

  /**
   * The API server stores a quantity in its canonical form (resource.Quantity's String: 1024Mi
   * is kept as 1Gi, 0.1 as 100m), where render prints it as the spec wrote it; the operator's
   * matcher compares them by value (JOSDK's ResourceRequirementsSanitizer), and so does this.
   */
  private static boolean sameQuantity(String at, JsonNode want, JsonNode have) {
    if (!at.matches(".*/resources/(limits|requests)/.+") || want == null || have == null
        || !want.isValueNode() || !have.isValueNode()) {
      return false;
    }
    try {
      return Quantity.parse(want.asText()).getNumericalAmount()
          .compareTo(Quantity.parse(have.asText()).getNumericalAmount()) == 0;
    } catch (IllegalArgumentException | ArithmeticException e) {
      return false;
    }
  }

  private static String brief(JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    String text = node.toString();
    return text.length() > 160 ? text.substring(0, 160) + "…" : text;
  }

  private static String summary(List<String> differences) {
    List<String> shown = differences.subList(0, Math.min(DIFFERENCES_SHOWN, differences.size()));
    return String.join("; ", shown) + (differences.size() > shown.size()
        ? " and " + (differences.size() - shown.size()) + " more" : "");
  }
}
