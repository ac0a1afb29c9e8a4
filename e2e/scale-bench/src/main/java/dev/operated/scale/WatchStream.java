package dev.operated.scale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One kind watched over chunked HTTP ({@code ?watch=true}, as client-go opens a watch), reading
 * of each event only the fields the benchmark times: an object's name, a Deployment's replicas,
 * the conditions that are True. The benchmark is the instrument, not the subject: with fabric8
 * informers, which decode every event into a whole object and keep it, its watches took a third
 * of the two cores while the operator was being measured (docs/benchmarks.md, "the ninth round").
 * The stream is opened again from the last resourceVersion when it ends, and from now when the
 * server says that version is gone.
 */
final class WatchStream implements AutoCloseable {

  /** What one event says of its object. */
  record Observed(String type, String namespace, String name, String resourceVersion,
      int replicas, int availableReplicas, Set<String> trueConditions) {

    private static final Observed NOTHING = new Observed(null, null, null, null, 1, 0, Set.of());

    Observed withType(String eventType) {
      return new Observed(eventType, namespace, name, resourceVersion, replicas, availableReplicas,
          trueConditions);
    }
  }

  /** Why the stream could not be read, how often in a row, and the last time. */
  record Failing(String kind, int attempts, String lastError, Instant since) {
    @Override
    public String toString() {
      return "the " + kind + " watch failed " + attempts + " times in a row since " + since
          + ", the last time with: " + lastError;
    }
  }

  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> SECTIONS_READ = Set.of("metadata", "spec", "status");

  private final HttpClient http;
  private final ClusterWatch.Kind kind;
  private final String collection;
  private final Consumer<Observed> events;
  private final Thread reader;
  private volatile boolean closed;
  private volatile InputStream open;
  /** Null while the stream reads; a watch that keeps failing would leave a wait to time out. */
  private volatile Failing failing;

  WatchStream(KubernetesClient client, ClusterWatch.Kind kind, Consumer<Observed> events) {
    this.http = client.getHttpClient();
    this.kind = kind;
    this.collection = client.getMasterUrl().toString().replaceAll("/$", "")
        + (kind.apiVersion().contains("/") ? "/apis/" : "/api/") + kind.apiVersion() + "/"
        + plural(client, kind);
    this.events = events;
    this.reader = new Thread(this::readUntilClosed, "watch-" + kind.kind());
    reader.setDaemon(true);
    reader.start();
  }

  private static String plural(KubernetesClient client, ClusterWatch.Kind kind) {
    return client.getApiResources(kind.apiVersion()).getResources().stream()
        .filter(resource -> kind.kind().equals(resource.getKind())
            && !resource.getName().contains("/"))
        .map(APIResource::getName)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the server does not serve " + kind));
  }

  private void readUntilClosed() {
    String resourceVersion = null;
    while (!closed) {
      String url = collection + "?watch=true" + (resourceVersion == null ? ""
          : "&resourceVersion=" + URLEncoder.encode(resourceVersion, StandardCharsets.UTF_8));
      try {
        HttpResponse<InputStream> response = http.sendAsync(
            http.newHttpRequestBuilder().uri(url).build(), InputStream.class).get();
        if (response.code() != 200) {
          throw new IOException("watch " + url + " answered " + response.code());
        }
        try (InputStream body = response.body(); JsonParser parser = JSON.createParser(body)) {
          open = body;
          failing = null;
          for (JsonToken token = parser.nextToken(); token != null && !closed;
              token = parser.nextToken()) {
            Observed observed = event(parser);
            if ("ERROR".equals(observed.type())) {
              resourceVersion = null; // 410 Gone: from now, every object ADDED again
            } else {
              if (observed.resourceVersion() != null) {
                resourceVersion = observed.resourceVersion();
              }
              events.accept(observed);
            }
          }
        }
      } catch (Exception e) {
        if (closed) {
          return;
        }
        Failing before = failing;
        failing = new Failing(kind.kind(), before == null ? 1 : before.attempts() + 1, e.toString(),
            before == null ? Instant.now() : before.since());
        try {
          OperatorProcess.pause(Duration.ofMillis(200));
        } catch (IllegalStateException interrupted) {
          return;
        }
      }
    }
  }

  /** Why the stream is not being read, or empty while it is. */
  Optional<Failing> failing() {
    return Optional.ofNullable(failing);
  }

  /** One event, the parser on its opening brace; everything not named here is skipped. */
  static Observed event(JsonParser parser) throws IOException {
    String type = null;
    Observed object = Observed.NOTHING;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      parser.nextToken();
      switch (field) {
        case "type" -> type = parser.getText();
        case "object" -> object = object(parser);
        default -> parser.skipChildren();
      }
    }
    return object.withType(type);
  }

  private static Observed object(JsonParser parser) throws IOException {
    String namespace = null;
    String name = null;
    String resourceVersion = null;
    int replicas = 1; // a Deployment's default
    int available = 0;
    Set<String> trueConditions = new HashSet<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String section = parser.currentName();
      parser.nextToken();
      if (!parser.currentToken().isStructStart() || !SECTIONS_READ.contains(section)) {
        parser.skipChildren();
        continue;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = section + "." + parser.currentName();
        parser.nextToken();
        switch (field) {
          case "metadata.namespace" -> namespace = parser.getText();
          case "metadata.name" -> name = parser.getText();
          case "metadata.resourceVersion" -> resourceVersion = parser.getText();
          case "spec.replicas" -> replicas = parser.getIntValue();
          case "status.availableReplicas" -> available = parser.getIntValue();
          case "status.conditions" -> conditions(parser, trueConditions);
          default -> parser.skipChildren();
        }
      }
    }
    return new Observed(null, namespace, name, resourceVersion, replicas, available,
        trueConditions);
  }

  private static void conditions(JsonParser parser, Set<String> trueConditions)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      String type = null;
      String status = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "type" -> type = parser.getText();
          case "status" -> status = parser.getText();
          default -> parser.skipChildren();
        }
      }
      if ("True".equals(status) && type != null) {
        trueConditions.add(type);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    InputStream body = open;
    if (body != null) {
      try {
        body.close();
      } catch (IOException e) {
        // closing a watch the server may already have ended
      }
    }
    reader.interrupt();
  }
}
