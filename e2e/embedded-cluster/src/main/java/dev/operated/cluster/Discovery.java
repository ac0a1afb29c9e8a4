package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The discovery documents a stock kubectl reads before anything else ({@code /api},
 * {@code /apis}, each group and each group version's resource list, the legacy unaggregated
 * form): the
 * built-in kinds this server stores and every custom resource whose CRD it holds. fabric8's mock
 * answers these paths with whatever it stored, which kubectl cannot read.
 */
final class Discovery {

  private static final List<String> VERBS = List.of("create", "delete", "deletecollection",
      "get", "list", "patch", "update", "watch");
  private static final Pattern GROUP_VERSION =
      Pattern.compile("^/(?:api/(v1)|apis/([^/]+)/([^/]+))/?$");
  private static final Pattern GROUP = Pattern.compile("^/apis/([^/]+)/?$");

  /**
   * A kind this server serves; {@code categories} are the names kubectl expands to it
   * ({@code kubectl get all}).
   */
  record Kind(String group, String version, String kind, String plural, boolean namespaced,
      List<String> shortNames, List<String> subresources, List<String> categories) {

    Kind(String group, String version, String kind, String plural, boolean namespaced,
        List<String> shortNames, List<String> subresources) {
      this(group, version, kind, plural, namespaced, shortNames, subresources, List.of());
    }

    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  static final List<Kind> BUILT_IN = List.of(
      // "all": the Categories() of their REST storage in kube-apiserver (pkg/registry/core/pod,
      // core/service, apps/deployment, apps/replicaset)
      new Kind("", "v1", "Pod", "pods", true, List.of("po"), List.of("status", "eviction"),
          List.of("all")),
      new Kind("", "v1", "Service", "services", true, List.of("svc"), List.of("status"),
          List.of("all")),
      new Kind("", "v1", "ConfigMap", "configmaps", true, List.of("cm"), List.of()),
      new Kind("", "v1", "Endpoints", "endpoints", true, List.of("ep"), List.of()),
      new Kind("", "v1", "Namespace", "namespaces", false, List.of("ns"),
          List.of("status", "finalize")),
      new Kind("", "v1", "Node", "nodes", false, List.of("no"), List.of("status")),
      new Kind("", "v1", "Event", "events", true, List.of("ev"), List.of()),
      new Kind("", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of()),
      new Kind("", "v1", "Secret", "secrets", true, List.of(), List.of()),
      new Kind("apps", "v1", "Deployment", "deployments", true, List.of("deploy"),
          List.of("status", "scale"), List.of("all")),
      new Kind("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"),
          List.of("status", "scale"), List.of("all")),
      // the storage version; autoscaling/v1 is not served (kubectl autoscale tries v2 first)
      new Kind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
          List.of("hpa"), List.of("status"), List.of("all")),
      new Kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true,
          List.of("pdb"), List.of("status")),
      new Kind("rbac.authorization.k8s.io", "v1", "Role", "roles", true, List.of(), List.of()),
      new Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, List.of(),
          List.of()),
      new Kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false,
          List.of(), List.of()),
      new Kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
          false, List.of(), List.of()),
      new Kind("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of()),
      new Kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of(),
          List.of()),
      new Kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
          "customresourcedefinitions", false, List.of("crd", "crds"), List.of("status")));

  private static final Set<String> BUILT_IN_RESOURCES = BUILT_IN.stream()
      .map(kind -> kind.groupVersion() + "/" + kind.plural()).collect(Collectors.toSet());

  private Discovery() {
  }

  static boolean servesBuiltIn(ApiTarget target) {
    String groupVersion = target.group().isEmpty() ? target.version()
        : target.group() + "/" + target.version();
    return BUILT_IN_RESOURCES.contains(groupVersion + "/" + target.plural());
  }

  /** The discovery document at this path, or empty when the path is not a discovery path. */
  static Optional<String> answer(String rawPath, List<? extends JsonNode> crds) {
    String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
    List<Kind> kinds = new ArrayList<>(BUILT_IN);
    crds.forEach(crd -> kinds.addAll(kindsOf(crd)));
    if (path.equals("/api") || path.equals("/api/")) {
      return Optional.of(Serialization.asJson(new APIVersionsBuilder().withVersions("v1")
          .addNewServerAddressByClientCIDR("0.0.0.0/0", "127.0.0.1").build()));
    }
    if (path.equals("/apis") || path.equals("/apis/")) {
      return Optional.of(Serialization.asJson(new APIGroupListBuilder()
          .withGroups(groups(kinds)).build()));
    }
    Matcher group = GROUP.matcher(path);
    if (group.matches()) {
      return groups(kinds).stream().filter(g -> g.getName().equals(group.group(1))).findFirst()
          .map(Serialization::asJson);
    }
    Matcher groupVersion = GROUP_VERSION.matcher(path);
    if (!groupVersion.matches()) {
      return Optional.empty();
    }
    String wanted = groupVersion.group(1) != null ? "v1"
        : groupVersion.group(2) + "/" + groupVersion.group(3);
    List<APIResource> resources = new ArrayList<>();
    for (Kind kind : kinds) {
      if (kind.groupVersion().equals(wanted)) {
        resources.add(new APIResourceBuilder().withName(kind.plural())
            .withSingularName(kind.kind().toLowerCase(Locale.ROOT))
            .withKind(kind.kind()).withNamespaced(kind.namespaced()).withVerbs(VERBS)
            .withShortNames(kind.shortNames()).withCategories(kind.categories()).build());
        for (String subresource : kind.subresources()) {
          APIResourceBuilder resource = new APIResourceBuilder()
              .withName(kind.plural() + "/" + subresource).withSingularName("")
              .withNamespaced(kind.namespaced());
          if (subresource.equals("eviction")) {
            // kubectl drain evicts only when discovery names this (drain.CheckEvictionSupport)
            resource.withGroup("policy").withVersion("v1").withKind("Eviction")
                .withVerbs("create");
          } else {
            resource.withKind(subresource.equals("scale") ? "Scale" : kind.kind())
                .withVerbs("get", "patch", "update");
          }
          resources.add(resource.build());
        }
      }
    }
    if (resources.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Serialization.asJson(new APIResourceListBuilder().withGroupVersion(wanted)
        .withResources(resources).build()));
  }

  private static List<APIGroup> groups(List<Kind> kinds) {
    Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();
    for (Kind kind : kinds) {
      if (!kind.group().isEmpty()) {
        List<String> versions = versionsByGroup.computeIfAbsent(kind.group(),
            group -> new ArrayList<>());
        if (!versions.contains(kind.version())) {
          versions.add(kind.version());
        }
      }
    }
    List<APIGroup> groups = new ArrayList<>();
    versionsByGroup.forEach((group, versions) -> {
      List<GroupVersionForDiscovery> forDiscovery = versions.stream()
          .map(version -> new GroupVersionForDiscovery(group + "/" + version, version)).toList();
      groups.add(new APIGroupBuilder().withName(group).withVersions(forDiscovery)
          .withPreferredVersion(forDiscovery.get(0)).build());
    });
    return groups;
  }

  /** The served versions of a stored CRD, each a kind of its own. */
  static List<Kind> kindsOf(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(name -> shortNames.add(name.asText()));
    List<String> categories = new ArrayList<>();
    names.path("categories").forEach(name -> categories.add(name.asText()));
    List<Kind> kinds = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      List<String> subresources = new ArrayList<>();
      version.path("subresources").fieldNames().forEachRemaining(subresources::add);
      kinds.add(new Kind(spec.path("group").asText(), version.path("name").asText(),
          names.path("kind").asText(), names.path("plural").asText(),
          !"Cluster".equals(spec.path("scope").asText()), shortNames, subresources, categories));
    }
    return kinds;
  }
}
