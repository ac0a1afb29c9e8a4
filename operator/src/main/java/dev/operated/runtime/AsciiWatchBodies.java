package dev.operated.runtime;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands fabric8's HTTP watches their events whole, each as ASCII and, when it is ASCII already,
 * without its object's {@code metadata.managedFields}.
 *
 * <p>Every character outside ASCII becomes its JSON escape ({@code \u00fc}), which the JSON
 * parser reads back as the same character.
 *
 * <p>fabric8 7.5.2's {@code WatchHTTPManager} turns each chunk of a watch into characters with
 * {@code UTF_8.decode(chunk).array()}, the decoder's whole backing array: a chunk holding a
 * multi-byte character leaves NUL characters after its line, so the next event cannot be parsed
 * and the informer stops for good; a character split between two chunks becomes U+FFFD. Over
 * ASCII the decoded text is exactly as long as the bytes, so neither can happen
 * ({@code NonAsciiWatchEventsTest}). Outside a JSON string a watch has no byte beyond ASCII, and
 * inside one an escape means the character itself, so the events are unchanged.
 *
 * <p>The managedFields go here rather than only when the event is decoded
 * ({@link OperatorSerialization}), because fabric8's watch splits its stream into events by
 * appending each character to a {@code StringBuffer}, one synchronized call per character: 8 %
 * of the operator's CPU while a thousand services were applied, half of it on managedFields,
 * which nothing in the operator reads (docs/benchmarks.md, "the thirteenth round"). An event
 * with bytes beyond ASCII keeps them, for the decoding to cut: the cut walks text, and reading
 * the bytes as text would take the escaper's place.
 */
final class AsciiWatchBodies implements Interceptor {

  static final String NAME = "operated-ascii-watch-bodies";

  @Override
  public AsyncBody.Consumer<List<ByteBuffer>> consumer(
      AsyncBody.Consumer<List<ByteBuffer>> consumer, HttpRequest request) {
    return isWatch(request) ? new WholeAsciiEvents(consumer) : consumer;
  }

  static boolean isWatch(HttpRequest request) {
    String query = request.uri().getRawQuery();
    if (query == null) {
      return false;
    }
    for (String parameter : query.split("&")) {
      if (parameter.equals("watch=true") || parameter.equals("watch=1")) {
        return true;
      }
    }
    return false;
  }

  /**
   * One watch's consumer: the bytes of an event that has not ended yet wait for the chunk that
   * ends it (a newline), as fabric8's own consumer waits for it before it reads the event.
   */
  private static final class WholeAsciiEvents implements AsyncBody.Consumer<List<ByteBuffer>> {
    /** What a larger event leaves behind is let go, not kept for the life of the watch. */
    private static final int KEPT_CAPACITY = 64 * 1024;
    private final AsyncBody.Consumer<List<ByteBuffer>> delegate;
    private final JsonAsciiEscaper escaper = new JsonAsciiEscaper();
    private ByteArrayOutputStream unfinished = new ByteArrayOutputStream();

    WholeAsciiEvents(AsyncBody.Consumer<List<ByteBuffer>> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void consume(List<ByteBuffer> buffers, AsyncBody body) throws Exception {
      List<ByteBuffer> events = new ArrayList<>();
      for (ByteBuffer buffer : buffers) {
        // copied out whole: the HTTP client's buffers may be read-only (no array() to read),
        // and a loop over an array is cheaper than one over ByteBuffer.get(int)
        byte[] chunk = new byte[buffer.remaining()];
        buffer.duplicate().get(chunk);
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
          if (chunk[i] == '\n') {
            unfinished.write(chunk, start, i + 1 - start);
            byte[] event = unfinished.toByteArray();
            // each byte looked at once: an ASCII event is cut and needs no escaping
            events.addAll(isAscii(event) ? List.of(ByteBuffer.wrap(withoutManagedFields(event)))
                : escaper.escape(List.of(ByteBuffer.wrap(event))));
            if (unfinished.size() > KEPT_CAPACITY) {
              unfinished = new ByteArrayOutputStream();
            } else {
              unfinished.reset();
            }
            start = i + 1;
          }
        }
        unfinished.write(chunk, start, chunk.length - start);
      }
      // with no event ended yet, an empty list: fabric8's consumer then asks for the next chunk
      delegate.consume(events, body);
    }

    @Override
    public <U> U unwrap(Class<U> type) {
      return type.isInstance(this) ? type.cast(this) : delegate.unwrap(type);
    }
  }

  /** An ASCII event without its object's managedFields. */
  static byte[] withoutManagedFields(byte[] asciiEvent) {
    // ISO-8859-1 maps ASCII bytes to the same characters and back
    return ManagedFieldsCut.cut(new String(asciiEvent, StandardCharsets.ISO_8859_1))
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }
}
