package dev.operated.sample;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A request as handlers see it: path parameters and query parameters, already matched. */
record Request(HttpExchange exchange, Map<String, String> params) {

  String param(String name) {
    return URLDecoder.decode(params.get(name), StandardCharsets.UTF_8);
  }

  /** The first value of a query parameter, or null. */
  String query(String name) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  String header(String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }
}
