package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * SelfSubjectReview ({@code POST authentication.k8s.io/v1 selfsubjectreviews}, {@code kubectl
 * auth whoami}): the requester as the authenticators named it, answered and never stored, as
 * kube-apiserver's {@code selfsubjectreview.REST.Create}
 * (pkg/registry/authentication/selfsubjectreview/rest.go) does. The request's body carries
 * nothing the answer depends on, so it is not read; the users here have no UID and no extra
 * attributes, so the answer has neither.
 */
final class SelfSubjectReviews {

  static final String GROUP = "authentication.k8s.io";
  static final String PLURAL = "selfsubjectreviews";

  private SelfSubjectReviews() {
  }

  /**
   * Only v1: v1beta1 was never on by default (a beta API since 1.24 is not) and v1alpha1 is
   * off; kubectl tries v1 first and says the API is not enabled when every version is 404.
   */
  static boolean isReview(ApiTarget target, String method) {
    return GROUP.equals(target.group()) && "v1".equals(target.version())
        && PLURAL.equals(target.plural()) && "POST".equals(method);
  }

  static ObjectNode answer(User requester, Clock clock) {
    ObjectNode review = JsonNodeFactory.instance.objectNode();
    review.put("apiVersion", GROUP + "/v1");
    review.put("kind", "SelfSubjectReview");
    review.putObject("metadata").put("creationTimestamp",
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    ObjectNode userInfo = review.putObject("status").putObject("userInfo");
    userInfo.put("username", requester.name());
    if (!requester.groups().isEmpty()) { // UserInfo.Groups is omitempty
      requester.groups().forEach(userInfo.putArray("groups")::add);
    }
    return review;
  }
}
