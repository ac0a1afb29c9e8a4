package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What fabric8's HTTP watch is handed: whole events, each ASCII, the ASCII ones without their
 * object's managedFields, however the stream was cut into chunks.
 */
class AsciiWatchBodiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POD = """
      {"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"shop-1",\
      "namespace":"team","managedFields":[{"manager":"kubelet","operation":"Update",\
      "fieldsV1":{"f:status":{"f:phase":{}}}}],"labels":{"app":"shop"}},\
      "status":{"phase":"Running"}}}
      """;
  private static final String NON_ASCII_CONFIG_MAP = """
      {"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"grüße",\
      "managedFields":[{"manager":"kubectl"}]},"data":{"managedFields":"kept"}}}
      """;

  @Test
  void everyCutOfTheStreamHandsOnWholeEventsWithoutManagedFields() throws Exception {
    byte[] stream = (POD + NON_ASCII_CONFIG_MAP).getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= stream.length; cut++) {
      Recorder fabric8 = new Recorder();
      AsyncBody.Consumer<List<ByteBuffer>> watch = watchConsumer(fabric8);
      watch.consume(List.of(readOnly(Arrays.copyOfRange(stream, 0, cut))), fabric8.body);
      watch.consume(List.of(readOnly(Arrays.copyOfRange(stream, cut, stream.length))),
          fabric8.body);

      assertThat(fabric8.calls).as("cut at %d", cut).isEqualTo(2);
      assertThat(fabric8.chunks).as("cut at %d: each chunk ends an event or holds none", cut)
          .allMatch(chunk -> chunk.isEmpty() || chunk.endsWith("\n"));
      List<String> events = fabric8.text().lines().toList();
      assertThat(events).as("cut at %d", cut).hasSize(2);
      assertThat(events.get(0)).doesNotContain("managedFields");
      assertThat(JSON.readTree(events.get(0))).isEqualTo(withoutManagedFields(POD));
      // not ASCII: escaped, and left whole for the decoding to cut
      assertThat(events.get(1).chars()).allMatch(c -> c < 0x80);
      assertThat(JSON.readTree(events.get(1))).isEqualTo(JSON.readTree(NON_ASCII_CONFIG_MAP));
    }
  }

  @Test
  void aChunkThatEndsNoEventHandsOnNothingAndTheWatchAsksForMore() throws Exception {
    Recorder fabric8 = new Recorder();
    AsyncBody.Consumer<List<ByteBuffer>> watch = watchConsumer(fabric8);

    watch.consume(List.of(ByteBuffer.wrap("{\"type\":\"ADD".getBytes(StandardCharsets.US_ASCII))),
        fabric8.body);

    assertThat(fabric8.calls).isEqualTo(1);
    assertThat(fabric8.text()).isEmpty();
  }

  @Test
  void anEventWithoutManagedFieldsOrNotAnObjectIsHandedOnAsItCame() {
    for (String event : List.of("{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":"
        + "{\"resourceVersion\":\"7\"}}}\n", "not json\n", "\n")) {
      byte[] bytes = event.getBytes(StandardCharsets.US_ASCII);
      assertThat(new String(AsciiWatchBodies.withoutManagedFields(bytes),
          StandardCharsets.US_ASCII)).isEqualTo(event);
    }
  }

  private static AsyncBody.Consumer<List<ByteBuffer>> watchConsumer(Recorder fabric8) {
    return new AsciiWatchBodies().consumer(fabric8, new StandardHttpRequest.Builder()
        .uri("https://10.0.0.1:6443/api/v1/pods?watch=true").build());
  }

  private static JsonNode withoutManagedFields(String event) throws Exception {
    JsonNode tree = JSON.readTree(event);
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("object").path("metadata"))
        .remove("managedFields");
    return tree;
  }

  private static ByteBuffer readOnly(byte[] bytes) {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** fabric8's side: what it was handed, chunk by chunk. */
  private static final class Recorder implements AsyncBody.Consumer<List<ByteBuffer>> {
    final List<String> chunks = new ArrayList<>();
    int calls;
    final AsyncBody body = new AsyncBody() {
      @Override
      public void consume() {
      }

      @Override
      public CompletableFuture<Void> done() {
        return new CompletableFuture<>();
      }

      @Override
      public void cancel() {
      }
    };

    @Override
    public void consume(List<ByteBuffer> buffers, AsyncBody asyncBody) {
      calls++;
      StringBuilder chunk = new StringBuilder();
      for (ByteBuffer buffer : buffers) {
        chunk.append(StandardCharsets.ISO_8859_1.decode(buffer.duplicate()));
      }
      chunks.add(chunk.toString());
    }

    String text() {
      return String.join("", chunks);
    }
  }
}
