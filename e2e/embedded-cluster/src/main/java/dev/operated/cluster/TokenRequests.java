package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The TokenRequest subresource ({@code POST serviceaccounts/NAME/token}, {@code kubectl create
 * token}): a token for the ServiceAccount, answered and never stored, as kube-apiserver's
 * {@code TokenREST.Create} (pkg/registry/core/serviceaccount/storage/token.go) does. The token is
 * one of {@link Authentication}'s opaque ones, so it authenticates as the account at once; it does
 * not expire, though the answer says when a cluster's would.
 */
final class TokenRequests {

  /** SetDefaults_TokenRequestSpec. */
  private static final long DEFAULT_SECONDS = 3600;
  /** ValidateTokenRequest's bounds: ten minutes, 2^32 seconds. */
  private static final long MIN_SECONDS = 600;
  private static final long MAX_SECONDS = 1L << 32;
  /** The API server's default --api-audiences, what a request without audiences is given. */
  private static final String AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  private TokenRequests() {
  }

  static ObjectNode answer(ApiTarget target, ObjectNode request, Authentication authentication,
      Clock clock) {
    ObjectNode answer = request.deepCopy();
    String name = answer.path("metadata").path("name").asText("");
    if (!name.isEmpty() && !name.equals(target.name())) {
      throw ApiErrors.badRequest("the TokenRequest is named " + name + " but is posted to "
          + "serviceaccount " + target.name() + ": leave its name out or make them the same");
    }
    ObjectNode spec = answer.with("spec");
    long seconds = spec.path("expirationSeconds").asLong(DEFAULT_SECONDS);
    if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
      throw ApiErrors.invalid("TokenRequest", "authentication.k8s.io", target.name(), List.of(
          new FieldError("spec.expirationSeconds", FieldError.Type.INVALID,
              spec.path("expirationSeconds"), seconds < MIN_SECONDS
                  ? "may not specify a duration less than 10 minutes"
                  : "may not specify a duration larger than 2^32 seconds")));
    }
    spec.put("expirationSeconds", seconds);
    JsonNode audiences = spec.path("audiences");
    if (!audiences.isArray() || audiences.isEmpty()) {
      spec.putArray("audiences").add(AUDIENCE);
    }
    String token;
    try {
      token = authentication.issueServiceAccountToken(target.namespace(), target.name());
    } catch (IllegalArgumentException absent) {
      throw ApiErrors.notFound(target.withSubresource(null));
    }
    ObjectNode metadata = Storage.metadataOf(answer);
    metadata.put("name", target.name());
    metadata.put("namespace", target.namespace());
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    metadata.put("creationTimestamp", DateTimeFormatter.ISO_INSTANT.format(now));
    answer.put("apiVersion", "authentication.k8s.io/v1");
    answer.put("kind", "TokenRequest");
    ObjectNode status = answer.putObject("status");
    status.put("token", token);
    status.put("expirationTimestamp",
        DateTimeFormatter.ISO_INSTANT.format(now.plusSeconds(seconds)));
    return answer;
  }
}
