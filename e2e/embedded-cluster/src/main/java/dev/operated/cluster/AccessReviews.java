package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The answers of an API server running with authorization mode AlwaysAllow: every access review
 * is allowed and every rules review lists everything. Reviews are answered, never stored, as on a
 * real server; JOSDK asks one before it starts leader election.
 */
final class AccessReviews {

  private AccessReviews() {
  }

  static ObjectNode allowAll(ObjectNode review) {
    ObjectNode status = review.putObject("status");
    if (review.path("kind").asText().endsWith("RulesReview")) {
      ObjectNode rule = status.putArray("resourceRules").addObject();
      rule.putArray("verbs").add("*");
      rule.putArray("apiGroups").add("*");
      rule.putArray("resources").add("*");
      status.putArray("nonResourceRules").addObject().putArray("verbs").add("*");
      status.put("incomplete", false);
    } else {
      status.put("allowed", true);
      status.put("reason", "the embedded API server authorizes every request");
    }
    return review;
  }
}
