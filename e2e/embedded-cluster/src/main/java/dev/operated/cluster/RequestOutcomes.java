package dev.operated.cluster;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;

/** What the request log keeps of an answer: its code and, for a write, the resourceVersion. */
final class RequestOutcomes {

  private RequestOutcomes() {
  }

  static ApiRequest answered(ApiRequest received, MockResponse response, boolean stored) {
    String resourceVersion = null;
    if (received.mutating() && response.code() < 300 && response.getBody() != null
        && response.getBody().size() > 0) {
      // getBytes, not readUtf8: reading would empty the body the client is still to get
      resourceVersion = resourceVersionOf(response.getBody().getBytes());
    }
    return received.answered(response.code(), resourceVersion, received.mutating() && stored);
  }

  /**
   * {@code metadata.resourceVersion} of a JSON object, or null: read as a stream that skips
   * every other field unread. Parsing the whole answer into a tree, on every write, took 6 % of
   * the embedded server's CPU in the scale benchmark (docs/benchmarks.md, "the tenth round").
   */
  static String resourceVersionOf(byte[] json) {
    try (JsonParser parser = FieldPaths.JSON.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null; // an answer that is no object (none the store writes) has none
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        boolean metadata = "metadata".equals(parser.currentName());
        if (parser.nextToken() == JsonToken.START_OBJECT && metadata) {
          return versionIn(parser);
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException notJson) {
      return null;
    }
  }

  private static String versionIn(JsonParser metadata) throws IOException {
    while (metadata.nextToken() == JsonToken.FIELD_NAME) {
      boolean version = "resourceVersion".equals(metadata.currentName());
      JsonToken value = metadata.nextToken();
      if (version) {
        return value == JsonToken.VALUE_NULL ? null : metadata.getValueAsString();
      }
      metadata.skipChildren();
    }
    return null;
  }
}
