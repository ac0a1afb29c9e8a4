package dev.operated.cluster;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a request path names: a collection, an object, or an object's subresource. */
record ApiTarget(String group, String version, String namespace, String plural, String name,
    String subresource, Map<String, String> query) {

  private static final java.util.Set<String> NAMESPACE_SUBRESOURCES =
      java.util.Set.of("status", "finalize");

  /** @return null for paths that do not name resources (/version, discovery, ...) */
  static ApiTarget parse(String rawPath) {
    int question = rawPath.indexOf('?');
    String path = question < 0 ? rawPath : rawPath.substring(0, question);
    Map<String, String> query = new HashMap<>();
    if (question >= 0) {
      for (String pair : rawPath.substring(question + 1).split("&")) {
        int equals = pair.indexOf('=');
        if (equals > 0) {
          query.put(decode(pair.substring(0, equals)), decode(pair.substring(equals + 1)));
        }
      }
    }
    List<String> segments = List.of(path.replaceAll("^/+", "").split("/"));
    String group;
    String version;
    int rest;
    if (segments.size() >= 3 && "api".equals(segments.get(0))) {
      group = "";
      version = segments.get(1);
      rest = 2;
    } else if (segments.size() >= 4 && "apis".equals(segments.get(0))) {
      group = segments.get(1);
      version = segments.get(2);
      rest = 3;
    } else {
      return null;
    }
    List<String> tail = segments.subList(rest, segments.size());
    String namespace = null;
    // apiserver's RequestInfoFactory: /namespaces/{name}/status and /finalize are a namespace's
    // own subresources, anything else after a namespace's name is a resource in it.
    if (tail.size() >= 3 && "namespaces".equals(tail.get(0))
        && !NAMESPACE_SUBRESOURCES.contains(tail.get(2))) {
      namespace = tail.get(1);
      tail = tail.subList(2, tail.size());
    }
    String plural = tail.get(0);
    String name = tail.size() > 1 ? tail.get(1) : null;
    String subresource = tail.size() > 2 ? tail.get(2) : null;
    return new ApiTarget(group, version, namespace, plural, name, subresource, Map.copyOf(query));
  }

  private static String decode(String value) {
    return URLDecoder.decode(value, StandardCharsets.UTF_8);
  }

  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  String collectionPath() {
    return (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
        + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }

  String objectPath() {
    return collectionPath() + "/" + name;
  }

  ApiTarget withName(String newName) {
    return new ApiTarget(group, version, namespace, plural, newName, subresource, query);
  }

  /** The object itself: no subresource, no query. */
  ApiTarget object() {
    return new ApiTarget(group, version, namespace, plural, name, null, Map.of());
  }

  ApiTarget withSubresource(String newSubresource) {
    return new ApiTarget(group, version, namespace, plural, name, newSubresource, query);
  }

  ApiTarget withNamespace(String newNamespace) {
    return new ApiTarget(group, version, newNamespace, plural, name, subresource, query);
  }
}
