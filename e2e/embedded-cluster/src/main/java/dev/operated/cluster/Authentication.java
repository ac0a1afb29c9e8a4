package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The authentication stage: a bearer token names a user. Two kinds of tokens exist, as on a
 * cluster set up by kubeadm: the admin user's (in the kubeconfig, group {@code system:masters})
 * and ServiceAccount tokens the cluster issues ({@link EmbeddedCluster#serviceAccountToken}).
 *
 * <p>Follows kube-apiserver's authenticator chain (pkg/kubeapiserver/authenticator/config.go,
 * {@code Config.New}): the token authenticators in a union, wrapped by
 * {@code group.NewAuthenticatedGroupAdder} (every authenticated user is in
 * {@code system:authenticated}), then {@code union.NewFailOnError(..., anonymous)}: a request
 * without credentials is {@code system:anonymous} in {@code system:unauthenticated} (anonymous
 * auth is on by default), while a token that does not authenticate is refused with 401, never
 * treated as anonymous. A ServiceAccount token stops working when its ServiceAccount is deleted
 * or replaced (pkg/serviceaccount/claims.go, {@code validator.Validate} checks the account's
 * UID). Tokens are opaque random strings, not signed JWTs: nothing here reads their content.
 */
public final class Authentication {

  /** The admin user kubeadm writes into admin.conf is {@code kubernetes-admin}; ours is named for us. */
  public static final User ADMIN = new User("operated-admin", List.of(User.MASTERS,
      User.AUTHENTICATED));

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A token's user, and for a ServiceAccount token the account it stays bound to. */
  private record Issued(User user, Optional<ServiceAccountRef> account) {
  }

  private record ServiceAccountRef(String namespace, String name, String uid) {
  }

  private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
  private final String adminToken;
  /** The stored ServiceAccount (namespace, name), or null. */
  private final Function<ApiTarget, ObjectNode> store;

  Authentication(Function<ApiTarget, ObjectNode> store) {
    this.store = store;
    this.adminToken = newToken();
    tokens.put(adminToken, new Issued(ADMIN, Optional.empty()));
  }

  /** The admin user's bearer token (what {@link EmbeddedCluster#config()} and kubeconfigs carry). */
  public String adminToken() {
    return adminToken;
  }

  /**
   * A token for the ServiceAccount, as the TokenRequest API issues one; the account must exist
   * (TokenRequest answers 404 otherwise) and the token dies with it.
   */
  String issueServiceAccountToken(String namespace, String name) {
    ObjectNode account = store.apply(serviceAccount(namespace, name));
    if (account == null) {
      throw new IllegalArgumentException("serviceaccounts \"" + name + "\" not found in namespace "
          + "\"" + namespace + "\": create the ServiceAccount before asking for its token");
    }
    String token = newToken();
    tokens.put(token, new Issued(User.serviceAccount(namespace, name), Optional.of(
        new ServiceAccountRef(namespace, name, uidOf(account)))));
    return token;
  }

  /**
   * The user of a request with this {@code Authorization} header (null: no credentials), or
   * empty when it carries credentials that do not authenticate (401).
   */
  Optional<User> authenticate(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      return Optional.of(User.anonymous());
    }
    String[] parts = authorizationHeader.trim().split("\\s+", 2);
    if (parts.length != 2 || !"bearer".equalsIgnoreCase(parts[0])) {
      return Optional.empty();
    }
    Issued issued = tokens.get(parts[1]);
    if (issued == null) {
      return Optional.empty();
    }
    if (issued.account().isPresent()) {
      ServiceAccountRef ref = issued.account().get();
      ObjectNode account = store.apply(serviceAccount(ref.namespace(), ref.name()));
      if (account == null || !ref.uid().equals(uidOf(account))) {
        return Optional.empty();
      }
    }
    return Optional.of(issued.user());
  }

  private static ApiTarget serviceAccount(String namespace, String name) {
    return new ApiTarget("", "v1", namespace, "serviceaccounts", name, null, Map.of());
  }

  private static String uidOf(ObjectNode object) {
    return object.path("metadata").path("uid").asText();
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
