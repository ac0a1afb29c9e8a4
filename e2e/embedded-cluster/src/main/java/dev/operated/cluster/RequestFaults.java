package dev.operated.cluster;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Fault injection, the stage in front of everything else: requests a test chooses are answered
 * with an error the way a real API server (or the load balancer in front of it) answers them, a
 * number of times or for a time window, instead of being served. Off until a test adds a rule;
 * every injected fault is marked in the request log.
 */
public final class RequestFaults {

  /** Which requests a rule answers. */
  public static Predicate<ApiRequest> writesBy(String fieldManager) {
    return request -> request.mutating() && fieldManager.equals(request.fieldManager());
  }

  public static Predicate<ApiRequest> requests(String method, String pathPrefix) {
    return request -> request.method().equals(method) && request.path().startsWith(pathPrefix);
  }

  /** What a rule answers with: a Status as kube-apiserver writes it. */
  public record Fault(int code, String reason, String message, Optional<Duration> retryAfter,
      List<StatusCause> causes) {

    /** The header {@link ApiHttpServer} reads as "close the connection instead of answering". */
    static final String RESET_MARKER = "X-Operated-Fault-Reset";

    public Fault(int code, String reason, String message, Optional<Duration> retryAfter) {
      this(code, reason, message, retryAfter, List.of());
    }

    /** The API server down behind its load balancer, or restarting. */
    public static Fault unavailable() {
      return new Fault(503, "ServiceUnavailable", "the server is currently unable to handle the "
          + "request", Optional.empty());
    }

    /** API Priority and Fairness rejecting a request, telling the client when to come back. */
    public static Fault tooManyRequests(Duration retryAfter) {
      return new Fault(429, "TooManyRequests", "Too many requests, please try again later.",
          Optional.of(retryAfter));
    }

    /** RBAC's answer (rbac.go's authorizer reason, as kube-apiserver formats it). */
    public static Fault forbidden(String message) {
      return new Fault(403, "Forbidden", message, Optional.empty());
    }

    public static Fault internalError(String message) {
      return new Fault(500, "InternalError", message, Optional.empty());
    }

    /**
     * An optimistic-concurrency conflict, worded as the registry's store words it
     * ({@code errors.NewConflict} with {@code OptimisticLockErrorMsg}).
     */
    public static Fault conflict(String kind, String name) {
      return new Fault(409, "Conflict", "Operation cannot be fulfilled on " + kind + " \""
          + name + "\": the object has been modified; please apply your changes to the latest "
          + "version and try again", Optional.empty());
    }

    /**
     * A refusal by validation with its causes, worded as apimachinery's {@code errors.NewInvalid}
     * words it: {@code The Kind "name" is invalid: field: message}.
     */
    public static Fault invalid(String kind, String name, Map<String, String> messageByField) {
      List<StatusCause> causes = new ArrayList<>();
      List<String> parts = new ArrayList<>();
      messageByField.forEach((field, message) -> {
        causes.add(new StatusCauseBuilder().withReason("FieldValueInvalid").withField(field)
            .withMessage(message).build());
        parts.add(field + ": " + message);
      });
      String summary = parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
      return new Fault(422, "Invalid", "The " + kind + " \"" + name + "\" is invalid: " + summary,
          Optional.empty(), List.copyOf(causes));
    }

    /**
     * No answer at all: the connection is closed under the request, as a crashed API server
     * instance or a load balancer resetting it does (over HTTP/2, the request's stream is reset
     * and the connection's other streams go on). The client sees an I/O error, not a Status.
     */
    public static Fault connectionReset() {
      return new Fault(0, "ConnectionReset", "the connection was closed with no answer",
          Optional.empty());
    }

    MockResponse response() {
      if (code == 0) {
        return new MockResponse().setResponseCode(500).setHeader(RESET_MARKER, "true");
      }
      Status status = new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
          .withMessage(message).build();
      if (!causes.isEmpty()) {
        status.setDetails(new StatusDetailsBuilder().withCauses(causes).build());
      }
      MockResponse response = new MockResponse().setResponseCode(code)
          .setHeader("Content-Type", "application/json").setBody(Serialization.asJson(status));
      retryAfter.ifPresent(after -> response.setHeader("Retry-After",
          Long.toString(after.toSeconds())));
      return response;
    }
  }

  /** One rule: which requests, what answer, how many times or until when. */
  public static final class Rule {
    private final Predicate<ApiRequest> matches;
    private final Fault fault;
    private final AtomicInteger remaining;
    private final Instant until;

    private Rule(Predicate<ApiRequest> matches, Fault fault, int times, Instant until) {
      this.matches = matches;
      this.fault = fault;
      this.remaining = new AtomicInteger(times);
      this.until = until;
    }

    /** Ends the rule now (an outage that is over). */
    public void lift() {
      remaining.set(0);
    }

    private boolean applies(ApiRequest request, Instant now) {
      return now.isBefore(until) && matches.test(request) && remaining.getAndDecrement() > 0;
    }
  }

  private final Clock clock;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();

  RequestFaults(Clock clock) {
    this.clock = clock;
  }

  /** Answers the next {@code times} matching requests with the fault. */
  public Rule times(int times, Predicate<ApiRequest> matches, Fault fault) {
    return add(new Rule(matches, fault, times, Instant.MAX));
  }

  /** Answers every matching request with the fault for this long from now. */
  public Rule during(Duration window, Predicate<ApiRequest> matches, Fault fault) {
    return add(new Rule(matches, fault, Integer.MAX_VALUE, clock.instant().plus(window)));
  }

  /**
   * A crash point (Sieve's intermediate states): the client's first {@code writes} writes are
   * served, then it is cut off, every later request of it answered 503, as if its process died
   * right after its last write landed. A test then stops it and starts a fresh instance.
   *
   * @param client which requests are the crashing process's (tell clients apart by user agent)
   */
  public Rule cutOffAfter(int writes, Predicate<ApiRequest> client) {
    return cutOffAfter(writes, client, client);
  }

  /**
   * A crash point after the {@code writes}-th write matching {@code counted} (say, the client's
   * writes in one namespace, not its access reviews): from then on everything {@code client}
   * sends is answered 503.
   */
  public Rule cutOffAfter(int writes, Predicate<ApiRequest> counted,
      Predicate<ApiRequest> client) {
    AtomicInteger served = new AtomicInteger();
    return add(new Rule(request -> {
      if (!client.test(request)) {
        return false;
      }
      if (served.get() >= writes) {
        return true;
      }
      if (request.mutating() && counted.test(request)) {
        served.incrementAndGet();
      }
      return false;
    }, Fault.unavailable(), Integer.MAX_VALUE, Instant.MAX));
  }

  /** Requests of the client with this user agent. */
  public static Predicate<ApiRequest> from(String userAgent) {
    return request -> userAgent.equals(request.userAgent());
  }

  private Rule add(Rule rule) {
    rules.add(rule);
    return rule;
  }

  /** The injected answer to this request, if a rule takes it. */
  Optional<Fault> answer(ApiRequest request) {
    Instant now = clock.instant();
    return rules.stream().filter(rule -> rule.applies(request, now)).findFirst()
        .map(rule -> rule.fault);
  }
}
