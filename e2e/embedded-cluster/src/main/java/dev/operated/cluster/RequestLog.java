package dev.operated.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Every request the server answered, in order; tests count writes here. */
public final class RequestLog {

  private final List<ApiRequest> requests = new ArrayList<>();

  synchronized void record(ApiRequest request) {
    requests.add(request);
  }

  public synchronized void clear() {
    requests.clear();
  }

  public synchronized List<ApiRequest> all() {
    return List.copyOf(requests);
  }

  /** Writes (POST, PUT, PATCH, DELETE), optionally only those matching the filter. */
  public synchronized List<ApiRequest> writes(Predicate<ApiRequest> filter) {
    List<ApiRequest> writes = new ArrayList<>();
    for (ApiRequest request : requests) {
      if (request.mutating() && filter.test(request)) {
        writes.add(request);
      }
    }
    return writes;
  }

  /** Writes by clients other than this server's own controllers. */
  public List<ApiRequest> clientWrites() {
    return writes(request -> !EmbeddedCluster.CONTROLLER_MANAGERS.contains(request.fieldManager()));
  }
}
