package dev.operated.cluster;

import java.util.List;

/**
 * Who sent a request, as the API server's authenticators name it (k8s.io/apiserver
 * {@code user.Info}): a name and the groups RBAC bindings refer to.
 */
public record User(String name, List<String> groups) {

  /** kube-apiserver's {@code user.SystemPrivilegedGroup}: allowed everything, before RBAC. */
  public static final String MASTERS = "system:masters";
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String ANONYMOUS = "system:anonymous";
  public static final String SERVICE_ACCOUNTS = "system:serviceaccounts";
  public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  public User {
    groups = List.copyOf(groups);
  }

  /** What the anonymous authenticator returns for a request without credentials. */
  public static User anonymous() {
    return new User(ANONYMOUS, List.of(UNAUTHENTICATED));
  }

  /**
   * A ServiceAccount's user, as {@code serviceaccount.UserInfo} names it: the account's name and
   * the groups of all accounts and of the accounts of its namespace.
   */
  public static User serviceAccount(String namespace, String name) {
    return new User(SERVICE_ACCOUNT_PREFIX + namespace + ":" + name,
        List.of(SERVICE_ACCOUNTS, SERVICE_ACCOUNTS + ":" + namespace, AUTHENTICATED));
  }

  boolean inGroup(String group) {
    return groups.contains(group);
  }
}
