package dev.operated.cluster;

import java.time.Instant;

/**
 * A request the server received, as tests count them.
 *
 * @param fieldManager the {@code fieldManager} parameter, else what the API server would derive
 *                     from the user agent
 * @param userAgent    tells clients apart (as the user does in a real server's audit log)
 * @param at           when it arrived, on the server's clock
 */
public record ApiRequest(String method, String path, String fieldManager, String userAgent,
    Instant at) {

  public boolean mutating() {
    return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method);
  }

  @Override
  public String toString() {
    return method + " " + path + " (" + fieldManager + ")";
  }
}
