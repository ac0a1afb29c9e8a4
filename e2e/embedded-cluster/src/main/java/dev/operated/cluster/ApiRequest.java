package dev.operated.cluster;

import java.time.Instant;

/**
 * A request the server received and how it was answered, as tests count them.
 *
 * @param fieldManager    the {@code fieldManager} parameter, else what the API server would derive
 *                        from the user agent
 * @param userAgent       tells clients apart (as the user does in a real server's audit log)
 * @param at              when it arrived, on the server's clock
 * @param fault           the fault a test injected instead of serving it, or null
 * @param code            the answer's HTTP status code; 0 while it is still being served
 * @param resourceVersion the object's {@code metadata.resourceVersion} in the answer to a write
 *                        (the stored object's, or the unchanged one's), else null
 * @param changed         whether a write stored anything: false for a write that changed nothing
 *                        (kube-apiserver then keeps the resourceVersion and sends no watch event),
 *                        for a refused one and for every read
 */
public record ApiRequest(String method, String path, String fieldManager, String userAgent,
    Instant at, RequestFaults.Fault fault, int code, String resourceVersion, boolean changed) {

  /** A request as it arrives, before it is answered. */
  public ApiRequest(String method, String path, String fieldManager, String userAgent,
      Instant at, RequestFaults.Fault fault) {
    this(method, path, fieldManager, userAgent, at, fault, 0, null, false);
  }

  ApiRequest injected(RequestFaults.Fault injected) {
    return new ApiRequest(method, path, fieldManager, userAgent, at, injected, injected.code(),
        null, false);
  }

  ApiRequest answered(int answerCode, String answerResourceVersion, boolean stored) {
    return new ApiRequest(method, path, fieldManager, userAgent, at, fault, answerCode,
        answerResourceVersion, stored);
  }

  public boolean mutating() {
    return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method);
  }

  /** A 409: a stale resourceVersion, an apply conflict, or a name that exists. */
  public boolean conflict() {
    return code == 409;
  }

  /** The client this came from: the user agent's product ({@code name/version} → name). */
  public String client() {
    if (userAgent == null || userAgent.isBlank()) {
      return "unknown";
    }
    int slash = userAgent.indexOf('/');
    return slash < 0 ? userAgent : userAgent.substring(0, slash);
  }

  @Override
  public String toString() {
    return method + " " + path + " (" + fieldManager + ")"
        + (fault == null ? "" : " answered " + fault.code() + " by fault injection")
        + (fault == null && code != 0 ? " → " + code
            + (resourceVersion == null ? "" : " rv " + resourceVersion)
            + (mutating() && code < 300 && !changed ? " unchanged" : "") : "");
  }
}
