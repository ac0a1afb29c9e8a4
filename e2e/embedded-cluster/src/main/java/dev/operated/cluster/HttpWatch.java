package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A watch over chunked HTTP, as client-go (kubectl get -w, rollout status) opens one:
 * {@code GET ...?watch=true} without a WebSocket upgrade, answered with one
 * {@code {"type":..,"object":..}} line per event (upstream {@code
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/watch.go}, serveWatch). fabric8's mock only
 * serves watches over WebSockets and refuses these with 400.
 *
 * <p>Where it starts: with no {@code resourceVersion} (or "0"), or with
 * {@code sendInitialEvents=true}, an ADDED event per current object first (then a BOOKMARK marked
 * {@code k8s.io/initial-events-end} when asked), then every change. With a resourceVersion the
 * store keeps no history, so the objects changed since that version are sent as MODIFIED, then
 * every change; a version with a delete since is answered 410 by {@link WatchControl} instead. An object that starts or stops
 * matching the selectors arrives as ADDED or DELETED, as from the real watch cache. The watch
 * ends after {@code timeoutSeconds} (30 minutes without it, the server's default range) or when
 * the client goes away.
 */
final class HttpWatch {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  private final Storage api;
  private final Clock clock;

  HttpWatch(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
  }

  static boolean isHttpWatch(ApiTarget target, String upgradeHeader) {
    String watch = target.query().get("watch");
    return ("true".equals(watch) || "1".equals(watch))
        && (upgradeHeader == null || !upgradeHeader.toLowerCase(java.util.Locale.ROOT)
            .contains("websocket"));
  }

  /**
   * @param render turns a watched object into what the event carries (itself, or a Table row)
   */
  StreamingResponse open(ApiTarget target, FieldSelectors.Selector fields,
      Function<JsonNode, JsonNode> render) {
    LabelSelector labels = LabelSelector.of(target.query().get("labelSelector"));
    String resourceVersion = target.query().getOrDefault("resourceVersion", "");
    boolean initialEvents = resourceVersion.isEmpty() || "0".equals(resourceVersion)
        || "true".equals(target.query().get("sendInitialEvents"));
    boolean bookmark = "true".equals(target.query().get("sendInitialEvents"));
    Duration timeout = target.query().containsKey("timeoutSeconds")
        ? Duration.ofSeconds(Long.parseLong(target.query().get("timeoutSeconds")))
        : DEFAULT_TIMEOUT;
    ApiTarget collection = new ApiTarget(target.group(), target.version(), target.namespace(),
        target.plural(), null, null, Map.of());
    String onlyName = target.name();
    return new StreamingResponse("application/json", sink -> {
      Instant deadline = clock.instant().plus(timeout);
      BlockingQueue<Storage.Change> changes = new LinkedBlockingQueue<>();
      Consumer<Storage.Change> listener = change -> {
        if (sameCollection(change.target(), collection)) {
          changes.add(change);
        }
      };
      api.addListener(listener);
      sink.onClose(() -> api.removeListener(listener));
      try {
        List<ObjectNode> current = api.list(collection.collectionPath());
        Map<String, String> versions = new HashMap<>();
        long after = initialEvents ? -1 : parseVersion(resourceVersion);
        for (ObjectNode object : current) {
          versions.put(key(object), resourceVersionOf(object));
          boolean selected = fields.matches(object) && labels.matches(object)
              && (onlyName == null || onlyName.equals(name(object)));
          if (selected && (initialEvents || parseVersion(resourceVersionOf(object)) > after)) {
            send(sink, initialEvents ? "ADDED" : "MODIFIED", render.apply(object));
          }
        }
        if (bookmark) {
          ObjectNode marker = JsonNodeFactory.instance.objectNode();
          marker.put("kind", kindOf(current)).put("apiVersion", collection.apiVersion());
          marker.putObject("metadata").put("resourceVersion", String.valueOf(current.stream()
                  .mapToLong(object -> parseVersion(resourceVersionOf(object))).max().orElse(0)))
              .putObject("annotations").put("k8s.io/initial-events-end", "true");
          send(sink, "BOOKMARK", marker);
        }
        while (sink.open()) {
          long left = Duration.between(clock.instant(), deadline).toMillis();
          if (left <= 0) {
            return;
          }
          Storage.Change change = changes.poll(Math.min(left, 500),
              TimeUnit.MILLISECONDS);
          if (change == null) {
            continue;
          }
          JsonNode now = change.object();
          JsonNode before = change.previous();
          String key = key(now != null ? now : before);
          if (now != null && resourceVersionOf(now).equals(versions.remove(key))) {
            continue; // already in the initial list
          }
          if (onlyName != null && !onlyName.equals(name(now != null ? now : before))) {
            continue;
          }
          boolean matchesNow = now != null && fields.matches(now) && labels.matches(now);
          boolean matchedBefore = before != null && fields.matches(before)
              && labels.matches(before);
          if (matchesNow) {
            send(sink, matchedBefore ? "MODIFIED" : "ADDED", render.apply(now));
          } else if (matchedBefore) {
            send(sink, "DELETED", render.apply(now != null ? now : before));
          }
        }
      } finally {
        api.removeListener(listener);
      }
    });
  }

  private static boolean sameCollection(ApiTarget changed, ApiTarget watched) {
    return changed.group().equals(watched.group()) && changed.plural().equals(watched.plural())
        && (watched.namespace() == null || watched.namespace().equals(changed.namespace()));
  }

  private static void send(StreamingResponse.Sink sink, String type, JsonNode object) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("type", type);
    event.set("object", object);
    sink.write(FieldPaths.write(event) + "\n");
  }

  private static String kindOf(List<ObjectNode> objects) {
    return objects.isEmpty() ? "Status" : objects.get(0).path("kind").asText();
  }

  private static String key(JsonNode object) {
    return object.path("metadata").path("namespace").asText("") + "/" + name(object);
  }

  private static String name(JsonNode object) {
    return object.path("metadata").path("name").asText();
  }

  private static String resourceVersionOf(JsonNode object) {
    return object.path("metadata").path("resourceVersion").asText("");
  }

  private static long parseVersion(String resourceVersion) {
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      throw new ApiErrors.ApiException(400, "BadRequest", "resourceVersion: Invalid value: "
          + "\"" + resourceVersion + "\": a resourceVersion is a number on this server");
    }
  }
}
