package dev.operated.scale;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the server process said of itself at one moment: its CPU time and every request it had
 * answered, counted by class. Two reports taken around a phase give that phase's requests.
 */
public record ServerReport(long cpuNanos, Map<RequestClass, Long> requests) {

  public ServerReport {
    requests = Map.copyOf(requests);
  }

  static ServerReport parse(JsonNode json) {
    Map<RequestClass, Long> requests = new HashMap<>();
    for (JsonNode entry : json.path("requests")) {
      requests.put(new RequestClass(entry.path("userAgent").asText(), entry.path("verb").asText(),
          entry.path("resource").asText(), entry.path("subresource").isNull() ? null
              : entry.path("subresource").asText()), entry.path("count").asLong());
    }
    return new ServerReport(json.path("cpuNanos").asLong(), requests);
  }

  /** What happened between {@code earlier} and this report. */
  public ServerReport since(ServerReport earlier) {
    Map<RequestClass, Long> difference = new HashMap<>(requests);
    earlier.requests.forEach((kind, count) -> difference.merge(kind, -count, Long::sum));
    difference.values().removeIf(count -> count == 0);
    return new ServerReport(cpuNanos - earlier.cpuNanos, difference);
  }

  public long count(Predicate<RequestClass> filter) {
    return requests.entrySet().stream().filter(entry -> filter.test(entry.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** Requests of one client, by the start of its user agent. */
  public ServerReport of(Predicate<String> userAgent) {
    Map<RequestClass, Long> mine = new HashMap<>();
    requests.forEach((kind, count) -> {
      if (userAgent.test(kind.userAgent())) {
        mine.put(kind, count);
      }
    });
    return new ServerReport(cpuNanos, mine);
  }
}
