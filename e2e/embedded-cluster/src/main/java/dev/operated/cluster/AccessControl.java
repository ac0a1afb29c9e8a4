package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Optional;

/**
 * The authentication and authorization stages, in front of admission and storage: who sent the
 * request ({@link Authentication}), whether they may ({@link Authorizer}), and the answers a real
 * API server gives when not: 401 {@code Unauthorized} for credentials that do not authenticate,
 * 403 {@code Forbidden} with kube-apiserver's message otherwise. Access reviews
 * ({@code authorization.k8s.io}) are answered by the same authorizer.
 */
final class AccessControl {

  private static final String APPLY_PATCH = "application/apply-patch+yaml";

  /** Who sent a request, and the answer when it may not go further. */
  record Verdict(User user, Optional<MockResponse> refusal) {
  }

  final Authentication authentication;
  private final Storage api;
  private volatile Authorizer authorizer = Authorizer.ALWAYS_ALLOW;
  private volatile Authorizer.Mode mode = Authorizer.Mode.ALWAYS_ALLOW;
  private final List<AccessRefusal> refusals = new java.util.concurrent.CopyOnWriteArrayList<>();

  AccessControl(Storage api) {
    this.api = api;
    this.authentication = new Authentication(api::get);
  }

  void mode(Authorizer.Mode newMode) {
    this.mode = newMode;
    this.authorizer = newMode == Authorizer.Mode.RBAC
        ? new RbacAuthorizer(new StoredRbacObjects(api)) : Authorizer.ALWAYS_ALLOW;
  }

  Authorizer.Mode mode() {
    return mode;
  }

  Authorizer authorizer() {
    return authorizer;
  }

  /** Every request refused so far, oldest first. */
  List<AccessRefusal> refusals() {
    return List.copyOf(refusals);
  }

  /** Authenticates, then authorizes, as kube-apiserver's WithAuthentication/WithAuthorization. */
  Verdict check(RecordedRequest request) {
    Optional<User> user = authentication.authenticate(request.getHeader("Authorization"));
    if (user.isEmpty()) {
      // filters.WithAuthentication: apierrors.NewUnauthorized("Unauthorized")
      return refuse(request, User.anonymous(), new StatusBuilder().withStatus("Failure")
          .withCode(401).withReason("Unauthorized").withMessage("Unauthorized").build());
    }
    if (mode == Authorizer.Mode.ALWAYS_ALLOW) {
      // kube-apiserver would have turned anonymous auth off here (options/authentication.go
      // ApplyAuthorization); it stays on so clients configured without a token keep working
      return new Verdict(user.get(), Optional.empty());
    }
    RequestAttributes attributes = RequestAttributes.of(user.get(), request.getMethod(),
        request.getPath());
    Authorizer.Decision decision = authorizer.authorize(attributes);
    if (!decision.allowed()) {
      return refuse(request, user.get(), forbidden(attributes, decision.reason()));
    }
    Optional<Status> createRefused = applyCreating(request, attributes);
    return createRefused.isPresent() ? refuse(request, user.get(), createRefused.get())
        : new Verdict(user.get(), Optional.empty());
  }

  private Verdict refuse(RecordedRequest request, User user, Status status) {
    refusals.add(new AccessRefusal(request.getMethod(), request.getPath(), user.name(),
        status.getCode(), status.getMessage()));
    return new Verdict(user, Optional.of(status(status)));
  }

  /**
   * An apply that creates its object is authorized as a create too (the patch handler's
   * {@code withAuthorization} around create validation, handlers/patch.go and update.go), with
   * {@code apierrors.NewForbidden(resource, name, reason)} when refused.
   */
  private Optional<Status> applyCreating(RecordedRequest request,
      RequestAttributes attributes) {
    String contentType = String.valueOf(request.getHeader("Content-Type"));
    if (!attributes.resourceRequest() || !"patch".equals(attributes.verb())
        || !contentType.startsWith(APPLY_PATCH) || attributes.name().isEmpty()
        || !attributes.subresource().isEmpty()) {
      return Optional.empty();
    }
    ApiTarget target = ApiTarget.parse(request.getPath());
    if (target == null || api.get(target.object()) != null) {
      return Optional.empty();
    }
    RequestAttributes create = new RequestAttributes(attributes.user(), "create", true,
        attributes.path(), attributes.apiGroup(), attributes.apiVersion(),
        attributes.namespace(), attributes.resource(), "", attributes.name());
    Authorizer.Decision decision = authorizer.authorize(create);
    if (decision.allowed()) {
      return Optional.empty();
    }
    return Optional.of(forbiddenStatus(create, decision.reason()).build());
  }

  /**
   * responsewriters.Forbidden: {@code apierrors.NewForbidden} of the request's group, resource
   * and name, with {@code forbiddenMessage} (and the authorizer's reason, when it gives one).
   */
  static Status forbidden(RequestAttributes attributes, String reason) {
    String message = forbiddenMessage(attributes) + (reason.isEmpty() ? "" : ": " + reason);
    return forbiddenStatus(attributes, message).build();
  }

  private static StatusBuilder forbiddenStatus(RequestAttributes attributes, String error) {
    String message;
    if (!attributes.resourceRequest()) {
      message = "forbidden: " + error;
    } else if (attributes.name().isEmpty()) {
      message = attributes.qualifiedResource() + " is forbidden: " + error;
    } else {
      message = attributes.qualifiedResource() + " \"" + attributes.name() + "\" is forbidden: "
          + error;
    }
    StatusBuilder status = new StatusBuilder().withStatus("Failure").withCode(403)
        .withReason("Forbidden").withMessage(message);
    if (attributes.resourceRequest()) {
      status.withNewDetails().withGroup(emptyToNull(attributes.apiGroup()))
          .withKind(emptyToNull(attributes.resource())).withName(emptyToNull(attributes.name()))
          .endDetails();
    }
    return status;
  }

  /** responsewriters/errors.go {@code forbiddenMessage}. */
  static String forbiddenMessage(RequestAttributes attributes) {
    String user = attributes.user().name();
    if (!attributes.resourceRequest()) {
      return "User \"" + user + "\" cannot " + attributes.verb() + " path \"" + attributes.path()
          + "\"";
    }
    String resource = attributes.subresource().isEmpty() ? attributes.resource()
        : attributes.resource() + "/" + attributes.subresource();
    String what = "User \"" + user + "\" cannot " + attributes.verb() + " resource \"" + resource
        + "\" in API group \"" + attributes.apiGroup() + "\"";
    return attributes.namespace().isEmpty() ? what + " at the cluster scope"
        : what + " in the namespace \"" + attributes.namespace() + "\"";
  }

  /**
   * The answer to an access or rules review (pkg/registry/authorization: subjectaccessreview,
   * selfsubjectaccessreview, localsubjectaccessreview and selfsubjectrulesreview REST
   * {@code Create}): never stored, decided by the authorizer the requests meet.
   */
  ObjectNode review(ObjectNode review, ApiTarget target, User requester) {
    String kind = review.path("kind").asText(kindOf(target.plural()));
    JsonNode spec = review.path("spec");
    ObjectNode status = review.putObject("status");
    if (kind.endsWith("RulesReview")) {
      String namespace = spec.path("namespace").asText("");
      var resourceRules = status.putArray("resourceRules");
      var nonResourceRules = status.putArray("nonResourceRules");
      for (PolicyRule rule : authorizer.rulesFor(requester, namespace)) {
        if (rule.getResources() != null && !rule.getResources().isEmpty()) {
          ObjectNode resourceRule = resourceRules.addObject();
          resourceRule.set("verbs", array(rule.getVerbs()));
          resourceRule.set("apiGroups", array(rule.getApiGroups()));
          resourceRule.set("resources", array(rule.getResources()));
          if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
            resourceRule.set("resourceNames", array(rule.getResourceNames()));
          }
        }
        if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
          ObjectNode nonResourceRule = nonResourceRules.addObject();
          nonResourceRule.set("verbs", array(rule.getVerbs()));
          nonResourceRule.set("nonResourceURLs", array(rule.getNonResourceURLs()));
        }
      }
      status.put("incomplete", false);
      return review;
    }
    User subject = kind.startsWith("Self") ? requester : subjectOf(spec);
    RequestAttributes attributes;
    if (spec.has("nonResourceAttributes")) {
      JsonNode nonResource = spec.get("nonResourceAttributes");
      attributes = RequestAttributes.nonResource(subject, nonResource.path("verb").asText(""),
          nonResource.path("path").asText(""));
    } else {
      JsonNode resource = spec.path("resourceAttributes");
      String namespace = kind.startsWith("Local") ? target.namespace()
          : resource.path("namespace").asText("");
      attributes = RequestAttributes.resource(subject, resource.path("verb").asText(""),
          resource.path("group").asText(""), namespace, resource.path("resource").asText(""),
          resource.path("subresource").asText(""), resource.path("name").asText(""));
    }
    Authorizer.Decision decision = authorizer.authorize(attributes);
    status.put("allowed", decision.allowed());
    if (!decision.reason().isEmpty()) {
      status.put("reason", decision.reason());
    }
    return review;
  }

  private static User subjectOf(JsonNode spec) {
    List<String> groups = new java.util.ArrayList<>();
    spec.path("groups").forEach(group -> groups.add(group.asText()));
    return new User(spec.path("user").asText(""), groups);
  }

  private static String kindOf(String plural) {
    return switch (plural) {
      case "selfsubjectrulesreviews" -> "SelfSubjectRulesReview";
      case "selfsubjectaccessreviews" -> "SelfSubjectAccessReview";
      case "localsubjectaccessreviews" -> "LocalSubjectAccessReview";
      default -> "SubjectAccessReview";
    };
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode array(List<String> values) {
    var array = Storage.array();
    values.forEach(array::add);
    return array;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static MockResponse status(Status status) {
    return new MockResponse().setResponseCode(status.getCode())
        .setHeader("Content-Type", "application/json").setBody(Serialization.asJson(status));
  }
}
