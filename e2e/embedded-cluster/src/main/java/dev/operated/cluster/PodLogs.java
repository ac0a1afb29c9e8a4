package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET .../pods/{name}/log}: what {@code kubectl logs} reads, from the file the
 * {@link Node} keeps for the container, as {@code text/plain} (kubectl asks for protobuf first;
 * a JSON list answered to that made it fail with "provided data does not appear to be a
 * protobuf message"). Parameters as upstream {@code PodLogOptions}: {@code container} (required
 * when the pod has more than one, as {@code pkg/registry/core/pod/strategy.go} LogLocation
 * refuses otherwise), {@code tailLines}, {@code limitBytes}, {@code follow} (streams what the
 * container appends until the pod is gone or the client leaves). {@code previous} is refused:
 * the local node appends every run of a container to one file.
 */
final class PodLogs {

  private static final Duration FOLLOW_POLL = Duration.ofMillis(200);

  private final Storage api;
  private final Node node;

  PodLogs(Storage api, Node node) {
    this.api = api;
    this.node = node;
  }

  MockResponse answer(ApiTarget target) {
    ApiTarget podTarget = target.object();
    JsonNode pod = api.get(podTarget);
    if (pod == null) {
      throw new ApiErrors.ApiException(404, "NotFound", "pods \"" + target.name()
          + "\" not found");
    }
    String container = containerOf(pod, target.query().get("container"));
    if ("true".equals(target.query().get("previous"))) {
      throw new ApiErrors.ApiException(400, "BadRequest", "previous terminated container \""
          + container + "\" in pod \"" + target.name() + "\" not found: the embedded cluster's "
          + "node keeps one log per container with every run appended; drop --previous");
    }
    Optional<Path> file = node.containerLog(StoredForm.typed(pod, Pod.class), container);
    Long tail = number(target, "tailLines");
    Long limit = number(target, "limitBytes");
    if (!"true".equals(target.query().get("follow"))) {
      String text = file.filter(Files::isRegularFile).map(path -> read(path, tail, limit))
          .orElse("");
      return new MockResponse().setResponseCode(200)
          .setHeader("Content-Type", "text/plain").setBody(text);
    }
    String uid = pod.path("metadata").path("uid").asText();
    return new StreamingResponse("text/plain", sink -> {
      long offset = 0;
      if (file.isPresent() && Files.isRegularFile(file.get())) {
        String start = read(file.get(), tail, null);
        sink.write(start);
        offset = Files.size(file.get());
      }
      while (sink.open()) {
        if (file.isPresent() && Files.isRegularFile(file.get())
            && Files.size(file.get()) > offset) {
          try (RandomAccessFile in = new RandomAccessFile(file.get().toFile(), "r")) {
            in.seek(offset);
            byte[] bytes = new byte[(int) Math.min(in.length() - offset, 1 << 20)];
            in.readFully(bytes);
            offset += bytes.length;
            sink.write(new String(bytes, StandardCharsets.UTF_8));
          }
          continue;
        }
        JsonNode current = api.get(podTarget);
        if (current == null || !uid.equals(current.path("metadata").path("uid").asText())) {
          return; // the pod is gone: a real kubelet ends the stream too
        }
        TimeUnit.MILLISECONDS.sleep(FOLLOW_POLL.toMillis());
      }
    });
  }

  private static String containerOf(JsonNode pod, String requested) {
    List<String> names = new ArrayList<>();
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      pod.path("spec").path(list).forEach(c -> names.add(c.path("name").asText()));
    }
    String name = pod.path("metadata").path("name").asText();
    if (requested == null || requested.isEmpty()) {
      JsonNode containers = pod.path("spec").path("containers");
      if (containers.size() == 1) {
        return containers.get(0).path("name").asText();
      }
      List<String> app = new ArrayList<>();
      containers.forEach(c -> app.add(c.path("name").asText()));
      throw new ApiErrors.ApiException(400, "BadRequest", "a container name must be "
          + "specified for pod " + name + ", choose one of: " + app);
    }
    if (!names.contains(requested)) {
      throw new ApiErrors.ApiException(400, "BadRequest", "container " + requested
          + " is not valid for pod " + name);
    }
    return requested;
  }

  private static Long number(ApiTarget target, String parameter) {
    String value = target.query().get(parameter);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new ApiErrors.ApiException(400, "BadRequest", parameter + ": Invalid value: \""
          + value + "\": must be a whole number");
    }
  }

  /** The last {@code tail} lines, then at most {@code limit} bytes of them. */
  private static String read(Path file, Long tail, Long limit) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (tail != null && tail >= 0) {
        Deque<String> lines = new ArrayDeque<>();
        for (String line : text.split("(?<=\n)")) {
          if (line.isEmpty()) {
            continue;
          }
          lines.addLast(line);
          if (lines.size() > tail) {
            lines.removeFirst();
          }
        }
        text = String.join("", lines);
      }
      if (limit != null && limit >= 0) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        text = new String(bytes, 0, (int) Math.min(bytes.length, limit), StandardCharsets.UTF_8);
      }
      return text;
    } catch (IOException e) {
      throw new ApiErrors.ApiException(500, "InternalError", "cannot read the log of the "
          + "container: " + e.getMessage());
    }
  }
}
