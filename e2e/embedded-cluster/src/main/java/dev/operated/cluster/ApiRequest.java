package dev.operated.cluster;

/**
 * A request the server received, as tests count them.
 *
 * @param fieldManager the {@code fieldManager} parameter, else what the API server would derive
 *                     from the user agent
 */
public record ApiRequest(String method, String path, String fieldManager, String userAgent) {

  public boolean mutating() {
    return !"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method);
  }

  @Override
  public String toString() {
    return method + " " + path + " (" + fieldManager + ")";
  }
}
