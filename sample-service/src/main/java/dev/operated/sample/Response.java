package dev.operated.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A complete response: handlers build one, the dispatcher writes it. */
record Response(int status, String contentType, byte[] body) {

  static final String JSON = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The body serialized as JSON: a record or a map. */
  static Response json(int status, Object body) {
    try {
      return new Response(status, JSON, MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response bodies are plain records and maps", e);
    }
  }

  static Response text(int status, String contentType, String text) {
    return new Response(status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  static Response error(int status, String message) {
    return json(status, Map.of("error", message));
  }
}
