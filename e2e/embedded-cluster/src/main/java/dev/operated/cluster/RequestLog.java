package dev.operated.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every request the server answered, in the order they arrived, each with its answer (status
 * code, resulting resourceVersion, whether a write changed anything): tests budget writes and
 * count conflicts here.
 */
public final class RequestLog {

  private final List<ApiRequest> requests = new ArrayList<>();

  synchronized void record(ApiRequest request) {
    requests.add(request);
  }

  /** Puts the answer on a recorded request (found from the end: it is a recent one). */
  synchronized void answered(ApiRequest received, ApiRequest answered) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (requests.get(i) == received) {
        requests.set(i, answered);
        return;
      }
    }
    // cleared while it was served: it belongs to no test any more
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

  /** Writes matching the filter that stored something (a new resourceVersion or a deletion). */
  public List<ApiRequest> changingWrites(Predicate<ApiRequest> filter) {
    return writes(filter.and(ApiRequest::changed));
  }

  /** Requests matching the filter answered 409 Conflict. */
  public synchronized List<ApiRequest> conflicts(Predicate<ApiRequest> filter) {
    return requests.stream().filter(ApiRequest::conflict).filter(filter).toList();
  }

  /**
   * How many writes matching the filter each client sent, by {@link ApiRequest#client()}, in the
   * order the clients first wrote.
   */
  public Map<String, Long> writesPerClient(Predicate<ApiRequest> filter) {
    return countPerClient(writes(filter));
  }

  /** How many writes matching the filter changed something, per client. */
  public Map<String, Long> changingWritesPerClient(Predicate<ApiRequest> filter) {
    return countPerClient(changingWrites(filter));
  }

  /** How many requests matching the filter were answered 409, per client. */
  public Map<String, Long> conflictsPerClient(Predicate<ApiRequest> filter) {
    return countPerClient(conflicts(filter));
  }

  private static Map<String, Long> countPerClient(List<ApiRequest> requests) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (ApiRequest request : requests) {
      counts.merge(request.client(), 1L, Long::sum);
    }
    return counts;
  }
}
