package dev.operated.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Routes by method and path template ({@code /items/{id}}). The template, not the path, is what
 * metrics and span names carry.
 */
final class Router {

  /** What the dispatcher does with a request. */
  @FunctionalInterface
  interface Handler {
    Response handle(Request request) throws Exception;
  }

  /**
   * One route. {@code application} is false for the probes and the scrape endpoint: they are not
   * traced (noise in traces) and never wait for a worker that application requests hold.
   */
  record Route(String method, String template, Handler handler, boolean application) {
    String[] segments() {
      return template.split("/", -1);
    }
  }

  /**
   * The outcome of matching: a route and its path parameters, or no route (then
   * {@code allowedMethods} is non-empty when the path exists with other methods: 405, else 404).
   */
  record Match(Route route, Map<String, String> params, String template, String allowedMethods) {
    static final String NOT_FOUND = "NOT_FOUND";
  }

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String template, Handler handler, boolean application) {
    routes.add(new Route(method, template, handler, application));
    return this;
  }

  Match match(String method, String path) {
    String[] parts = path.split("/", -1);
    TreeSet<String> allowed = new TreeSet<>();
    String matchedTemplate = null;
    for (Route route : routes) {
      Map<String, String> params = bind(route.segments(), parts);
      if (params == null) {
        continue;
      }
      // HEAD is GET without the body (RFC 9110, 9.3.2): load balancers check health with it
      if (route.method().equals(method) || "HEAD".equals(method) && "GET".equals(route.method())) {
        return new Match(route, params, route.template(), "");
      }
      allowed.add(route.method());
      if ("GET".equals(route.method())) {
        allowed.add("HEAD");
      }
      matchedTemplate = route.template();
    }
    return new Match(null, Map.of(), matchedTemplate == null ? Match.NOT_FOUND : matchedTemplate,
        String.join(", ", allowed));
  }

  /** The path parameters if {@code parts} fits the template, else null. */
  private static Map<String, String> bind(String[] template, String[] parts) {
    if (template.length != parts.length) {
      return null;
    }
    Map<String, String> params = null;
    for (int i = 0; i < template.length; i++) {
      String segment = template[i];
      if (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}")) {
        if (parts[i].isEmpty()) {
          return null;
        }
        if (params == null) {
          params = new LinkedHashMap<>();
        }
        params.put(segment.substring(1, segment.length() - 1), parts[i]);
      } else if (!segment.equals(parts[i])) {
        return null;
      }
    }
    return params == null ? Map.of() : params;
  }
}
