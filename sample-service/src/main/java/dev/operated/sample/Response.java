package dev.operated.sample;

import java.nio.charset.StandardCharsets;

/** A complete response: handlers build one, the dispatcher writes it. */
record Response(int status, String contentType, byte[] body) {

  static final String JSON = "application/json";

  static Response json(int status, String json) {
    return new Response(status, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  static Response text(int status, String contentType, String text) {
    return new Response(status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }

  /** {"error": message}; messages are fixed strings or validated input, so no escaping beyond quotes. */
  static Response error(int status, String message) {
    return json(status, "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"}");
  }
}
