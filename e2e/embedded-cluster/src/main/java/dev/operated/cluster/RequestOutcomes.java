package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.charset.StandardCharsets;

/** What the request log keeps of an answer: its code and, for a write, the resourceVersion. */
final class RequestOutcomes {

  private RequestOutcomes() {
  }

  static ApiRequest answered(ApiRequest received, MockResponse response, boolean stored) {
    String resourceVersion = null;
    if (received.mutating() && response.code() < 300 && response.getBody() != null
        && response.getBody().size() > 0) {
      try {
        // getBytes, not readUtf8: reading would empty the body the client is still to get
        JsonNode metadata = Storage.parse(new String(response.getBody().getBytes(),
            StandardCharsets.UTF_8)).path("metadata");
        resourceVersion = metadata.hasNonNull("resourceVersion")
            ? metadata.get("resourceVersion").asText() : null;
      } catch (RuntimeException notJson) {
        // an answer that is no object (none the store writes) has no resourceVersion to log
      }
    }
    return received.answered(response.code(), resourceVersion, received.mutating() && stored);
  }
}
