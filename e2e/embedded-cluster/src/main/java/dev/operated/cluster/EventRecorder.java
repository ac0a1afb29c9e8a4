package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A controller's core/v1 Events, as client-go's recorder writes them (tools/record/event.go,
 * {@code makeEvent}: named after the object and the time, {@code source.component} the
 * controller): the same reason and message about the same object again counts on the Event it
 * first made ({@code EventCorrelator}'s {@code eventObserve}: count and lastTimestamp), so a
 * controller that fails every sync leaves one Event, not one per sync.
 */
final class EventRecorder {

  private static final ApiTarget EVENTS = ApiTarget.parse("/api/v1/namespaces/default/events");

  private final Storage api;
  private final String component;
  private final Clock clock;
  /** involved uid, type, reason and message → the Event's name. */
  private final Map<String, String> recorded = new ConcurrentHashMap<>();

  EventRecorder(Storage api, String component, Clock clock) {
    this.api = api;
    this.component = component;
    this.clock = clock;
  }

  void record(JsonNode involved, String type, String reason, String message) {
    JsonNode metadata = involved.path("metadata");
    String namespace = metadata.path("namespace").asText();
    String key = String.join("\n", metadata.path("uid").asText(), type, reason, message);
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    String existing = recorded.get(key);
    if (existing != null && api.updateInternal(EVENTS.withNamespace(namespace)
        .withName(existing), event -> {
          event.put("count", event.path("count").asInt(1) + 1);
          event.put("lastTimestamp", now);
          return event;
        }, DeploymentController.MANAGER) != null) {
      return;
    }
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("apiVersion", "v1");
    event.put("kind", "Event");
    String name = metadata.path("name").asText() + "."
        + Long.toHexString(Instant.now(clock).toEpochMilli() * 1_000_000 + recorded.size());
    event.putObject("metadata").put("name", name).put("namespace", namespace);
    ObjectNode reference = event.putObject("involvedObject");
    reference.put("kind", involved.path("kind").asText());
    reference.put("namespace", namespace);
    reference.put("name", metadata.path("name").asText());
    reference.put("uid", metadata.path("uid").asText());
    reference.put("apiVersion", involved.path("apiVersion").asText());
    reference.put("resourceVersion", metadata.path("resourceVersion").asText());
    event.put("reason", reason);
    event.put("message", message);
    event.putObject("source").put("component", component);
    event.put("firstTimestamp", now);
    event.put("lastTimestamp", now);
    event.put("count", 1);
    event.put("type", type);
    event.put("reportingComponent", component);
    event.put("reportingInstance", "");
    api.createInternal(EVENTS.withNamespace(namespace), event, DeploymentController.MANAGER);
    recorded.put(key, name);
  }
}
