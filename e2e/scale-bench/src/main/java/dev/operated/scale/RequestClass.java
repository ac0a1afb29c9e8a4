package dev.operated.scale;

import dev.operated.cluster.ApiRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What the benchmark counts a request as: who sent it (the user agent, as a real server's audit
 * log tells clients apart), the verb as kube-apiserver's requestinfo names it (get, list, watch,
 * create, update, patch, delete) and the resource with its subresource. A path outside the
 * resource API ({@code /version}, discovery) is its own resource with the verb {@code get}.
 */
public record RequestClass(String userAgent, String verb, String resource, String subresource) {

  public static RequestClass of(ApiRequest request) {
    return of(request.userAgent() == null ? "" : request.userAgent(), request.method(),
        request.path());
  }

  static RequestClass of(String userAgent, String method, String pathAndQuery) {
    int question = pathAndQuery.indexOf('?');
    String path = question < 0 ? pathAndQuery : pathAndQuery.substring(0, question);
    String query = question < 0 ? "" : pathAndQuery.substring(question + 1);
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    int prefix = segments.isEmpty() ? 0 : switch (segments.get(0)) {
      case "api" -> 2;
      case "apis" -> 3;
      default -> 0;
    };
    if (prefix == 0 || segments.size() <= prefix) {
      return new RequestClass(userAgent, "GET".equals(method) ? "get" : method.toLowerCase(),
          path, null);
    }
    List<String> rest = segments.subList(prefix, segments.size());
    if ("namespaces".equals(rest.get(0)) && rest.size() >= 3) {
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    boolean named = rest.size() >= 2;
    String subresource = rest.size() >= 3 ? rest.get(2) : null;
    String verb = switch (method) {
      case "GET" -> named ? "get" : watch(query) ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> method.toLowerCase();
    };
    return new RequestClass(userAgent, verb, resource, subresource);
  }

  private static boolean watch(String query) {
    for (String parameter : query.split("&")) {
      if (parameter.equals("watch") || parameter.equals("watch=true")
          || parameter.equals("watch=1")) {
        return true;
      }
    }
    return false;
  }

  public boolean mutating() {
    return switch (verb) {
      case "create", "update", "patch", "delete" -> true;
      default -> false;
    };
  }

  /** A read of one object, not a list or a watch: what a reconcile should find in a cache. */
  public boolean namedRead() {
    return "get".equals(verb) && subresource == null;
  }
}
