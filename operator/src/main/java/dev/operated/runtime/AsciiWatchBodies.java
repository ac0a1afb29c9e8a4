package dev.operated.runtime;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Hands fabric8's HTTP watches their bytes as ASCII: every character outside ASCII becomes its
 * JSON escape ({@code \u00fc}), which the JSON parser reads back as the same character.
 *
 * <p>fabric8 7.5.2's {@code WatchHTTPManager} turns each chunk of a watch into characters with
 * {@code UTF_8.decode(chunk).array()}, the decoder's whole backing array: a chunk holding a
 * multi-byte character leaves NUL characters after its line, so the next event cannot be parsed
 * and the informer stops for good; a character split between two chunks becomes U+FFFD. Over
 * ASCII the decoded text is exactly as long as the bytes, so neither can happen
 * ({@code NonAsciiWatchEventsTest}). Outside a JSON string a watch has no byte beyond ASCII, and
 * inside one an escape means the character itself, so the events are unchanged.
 */
final class AsciiWatchBodies implements Interceptor {

  static final String NAME = "operated-ascii-watch-bodies";

  @Override
  public AsyncBody.Consumer<List<ByteBuffer>> consumer(
      AsyncBody.Consumer<List<ByteBuffer>> consumer, HttpRequest request) {
    return isWatch(request) ? new Escaping(consumer) : consumer;
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

  /** One watch's consumer: its escaper keeps a character split between chunks. */
  private static final class Escaping implements AsyncBody.Consumer<List<ByteBuffer>> {
    private final AsyncBody.Consumer<List<ByteBuffer>> delegate;
    private final JsonAsciiEscaper escaper = new JsonAsciiEscaper();

    Escaping(AsyncBody.Consumer<List<ByteBuffer>> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void consume(List<ByteBuffer> buffers, AsyncBody body) throws Exception {
      delegate.consume(escaper.escape(buffers), body);
    }

    @Override
    public <U> U unwrap(Class<U> type) {
      return type.isInstance(this) ? type.cast(this) : delegate.unwrap(type);
    }
  }
}
