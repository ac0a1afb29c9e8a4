package dev.operated.cluster;

import java.time.Instant;

/**
 * A request the server received, as tests count them.
 *
 * @param fieldManager the {@code fieldManager} parameter, else what the API server would derive
 *                     from the user agent
 * @param userAgent    tells clients apart (as the user does in a real server's audit log)
 * @param at           when it arrived, on the server's clock
 * @param fault        the fault a test injected instead of serving it, or null
 */
public record ApiRequest(String method, String path, String fieldManager, String userAgent,
    Instant at, RequestFaults.Fault fault) {

  ApiRequest injected(RequestFaults.Fault injected) {
    return new ApiRequest(method, path, fieldManager, userAgent, at, injected);
  }

  public boolean mutating() {
    return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method);
  }

  @Override
  public String toString() {
    return method + " " + path + " (" + fieldManager + ")"
        + (fault == null ? "" : " answered " + fault.code() + " by fault injection");
  }
}
