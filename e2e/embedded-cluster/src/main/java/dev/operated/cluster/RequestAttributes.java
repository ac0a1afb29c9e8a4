package dev.operated.cluster;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What the authorizer decides on (k8s.io/apiserver {@code authorizer.Attributes}): the user and,
 * for a resource request, verb, API group and version, namespace, resource, subresource and name;
 * for any other path, the path and the HTTP method as verb.
 *
 * <p>{@link #of} is a port of {@code RequestInfoFactory.NewRequestInfo}
 * (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): POST is create, GET and
 * HEAD get, PUT update, PATCH patch, DELETE delete; a GET without a name is list, or watch with
 * {@code watch=true} (or the legacy {@code /watch/} prefix); a DELETE without a name is
 * deletecollection; a list or watch whose field selector requires {@code metadata.name=X} is
 * authorized with name X, which is what lets a rule with {@code resourceNames} allow an informer
 * on one object; {@code /namespaces/X} requests carry namespace X, and {@code status} and
 * {@code finalize} under a namespace are its subresources.
 */
public record RequestAttributes(User user, String verb, boolean resourceRequest, String path,
    String apiGroup, String apiVersion, String namespace, String resource, String subresource,
    String name) {

  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** A resource request, as a SubjectAccessReview's resourceAttributes describe one. */
  public static RequestAttributes resource(User user, String verb, String apiGroup,
      String namespace, String resource, String subresource, String name) {
    return new RequestAttributes(user, verb, true, "", nullToEmpty(apiGroup), "",
        nullToEmpty(namespace), nullToEmpty(resource), nullToEmpty(subresource),
        nullToEmpty(name));
  }

  /** A request for a path that names no resource ({@code /version}, {@code /apis}, ...). */
  public static RequestAttributes nonResource(User user, String verb, String path) {
    return new RequestAttributes(user, verb, false, path, "", "", "", "", "", "");
  }

  /** The attributes of an HTTP request, as kube-apiserver's request-info filter derives them. */
  public static RequestAttributes of(User user, String method, String rawPath) {
    int question = rawPath.indexOf('?');
    String path = question < 0 ? rawPath : rawPath.substring(0, question);
    String query = question < 0 ? "" : rawPath.substring(question + 1);
    String nonResourceVerb = method.toLowerCase(java.util.Locale.ROOT);
    List<String> parts = new ArrayList<>(Arrays.asList(path.replaceAll("^/+|/+$", "").split("/")));
    if (parts.isEmpty() || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
      return nonResource(user, nonResourceVerb, path);
    }
    String group = "";
    if (parts.get(0).equals("apis")) {
      if (parts.size() < 3) {
        return nonResource(user, nonResourceVerb, path); // /apis, /apis/{group}
      }
      group = parts.get(1);
      parts = parts.subList(2, parts.size());
    } else {
      parts = parts.subList(1, parts.size());
    }
    if (parts.size() < 2) {
      return nonResource(user, nonResourceVerb, path); // /api, /api/v1, /apis/{group}/{version}
    }
    String version = parts.get(0);
    parts = parts.subList(1, parts.size());
    String verb = switch (method) {
      case "POST" -> "create";
      case "GET", "HEAD" -> "get";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> "";
    };
    if (parts.get(0).equals("watch")) {
      verb = "watch";
      parts = parts.subList(1, parts.size());
      if (parts.isEmpty()) {
        return nonResource(user, nonResourceVerb, path);
      }
    }
    String namespace = "";
    if (parts.get(0).equals("namespaces")) {
      if (parts.size() > 1) {
        namespace = parts.get(1);
        if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
          parts = parts.subList(2, parts.size());
        }
      }
    }
    String resource = parts.get(0);
    String name = parts.size() > 1 ? parts.get(1) : "";
    String subresource = parts.size() > 2 ? parts.get(2) : "";
    if (name.isEmpty() && verb.equals("get")) {
      verb = queryTrue(query, "watch") ? "watch" : "list";
    }
    if (name.isEmpty() && (verb.equals("list") || verb.equals("watch"))) {
      name = nameRequiredBy(queryValue(query, "fieldSelector"));
    }
    if (name.isEmpty() && verb.equals("delete")) {
      verb = "deletecollection";
    }
    return new RequestAttributes(user, verb, true, path, group, version, namespace, resource,
        subresource, name);
  }

  /** {@code fields.Selector.RequiresExactMatch("metadata.name")}: "metadata.name=X" or "==X". */
  private static String nameRequiredBy(String fieldSelector) {
    if (fieldSelector == null) {
      return "";
    }
    for (String term : fieldSelector.split(",")) {
      String trimmed = term.trim();
      for (String operator : List.of("==", "=")) {
        String prefix = "metadata.name" + operator;
        if (trimmed.startsWith(prefix) && !trimmed.startsWith("metadata.name!=")) {
          return trimmed.substring(prefix.length());
        }
      }
    }
    return "";
  }

  /**
   * How a boolean list option is decoded (apimachinery runtime.Convert_Slice_string_To_bool):
   * present and neither "0" nor "false" is true, so a bare {@code ?watch} watches.
   */
  private static boolean queryTrue(String query, String key) {
    String value = queryValue(query, key);
    return value != null && !value.equals("0") && !value.equalsIgnoreCase("false");
  }

  private static String queryValue(String query, String key) {
    for (String pair : query.split("&")) {
      int equals = pair.indexOf('=');
      String pairKey = equals < 0 ? pair : pair.substring(0, equals);
      if (URLDecoder.decode(pairKey, StandardCharsets.UTF_8).equals(key)) {
        return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1),
            StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }

  /** {@code apierrors.NewForbidden}'s qualified resource: {@code deployments.apps}. */
  String qualifiedResource() {
    return apiGroup.isEmpty() ? resource : resource + "." + apiGroup;
  }
}
