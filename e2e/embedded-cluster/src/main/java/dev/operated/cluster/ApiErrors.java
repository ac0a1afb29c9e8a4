package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every refusal this API server answers, as a {@code Status} in the shape and words of
 * k8s.io/apimachinery/pkg/api/errors/errors.go ({@code NewNotFound}, {@code NewAlreadyExists},
 * {@code NewConflict}, {@code NewInvalid}, {@code NewBadRequest}, {@code NewMethodNotSupported},
 * {@code NewForbidden}), so a client (kubectl, fabric8, client-go) reads and prints it as it would
 * a real server's.
 */
final class ApiErrors {

  private ApiErrors() {
  }

  /** A refused request: the Status to answer with, thrown from any stage. */
  static final class ApiException extends RuntimeException {
    final int code;
    final String reason;
    final ObjectNode details;

    ApiException(int code, String reason, String message) {
      this(code, reason, message, null);
    }

    ApiException(int code, String reason, String message, ObjectNode details) {
      super(message);
      this.code = code;
      this.reason = reason;
      this.details = details;
    }

    ObjectNode status() {
      ObjectNode status = JsonNodeFactory.instance.objectNode();
      status.put("kind", "Status");
      status.put("apiVersion", "v1");
      status.putObject("metadata");
      status.put("status", "Failure");
      status.put("message", getMessage());
      if (reason != null && !reason.isEmpty()) {
        status.put("reason", reason);
      }
      if (details != null) {
        status.set("details", details);
      }
      status.put("code", code);
      return status;
    }

    MockResponse response() {
      return new MockResponse().setResponseCode(code)
          .setHeader("Content-Type", "application/json").setBody(FieldPaths.write(status()));
    }
  }

  /** {@code group/resource}, as {@code schema.GroupResource.String()} prints it. */
  static String groupResource(ApiTarget target) {
    return target.group().isEmpty() ? target.plural() : target.plural() + "." + target.group();
  }

  private static ObjectNode details(String name, String group, String kind) {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    if (name != null) {
      details.put("name", name);
    }
    if (group != null && !group.isEmpty()) {
      details.put("group", group);
    }
    if (kind != null) {
      details.put("kind", kind);
    }
    return details;
  }

  /** errors.NewNotFound: {@code deployments.apps "x" not found}. */
  static ApiException notFound(ApiTarget target) {
    return new ApiException(404, "NotFound", groupResource(target) + " \"" + target.name()
        + "\" not found", details(target.name(), target.group(), target.plural()));
  }

  /** errors.NewAlreadyExists: {@code configmaps "x" already exists}. */
  static ApiException alreadyExists(ApiTarget target, String name) {
    return new ApiException(409, "AlreadyExists", groupResource(target) + " \"" + name
        + "\" already exists", details(name, target.group(), target.plural()));
  }

  /**
   * The registry's Create over an object being deleted: its AlreadyExists prefixed with
   * {@code object is being deleted: }, what {@code kubectl create namespace} prints while the
   * namespace is still Terminating.
   */
  static ApiException beingDeleted(ApiException alreadyExists) {
    return new ApiException(alreadyExists.code, alreadyExists.reason,
        "object is being deleted: " + alreadyExists.getMessage(), alreadyExists.details);
  }

  /**
   * errors.NewForbidden: {@code configmaps "late" is forbidden: <why>}, the name left out when
   * there is none, with the cause when one is given.
   */
  static ApiException forbidden(ApiTarget target, String name, String why, ObjectNode cause) {
    boolean named = name != null && !name.isEmpty();
    ObjectNode details = details(named ? name : null, target.group(), target.plural());
    if (cause != null) {
      details.putArray("causes").add(cause);
    }
    return new ApiException(403, "Forbidden", groupResource(target)
        + (named ? " \"" + name + "\"" : "") + " is forbidden: " + why, details);
  }

  /** errors.NewConflict with the storage layer's optimistic-concurrency text. */
  static ApiException conflict(ApiTarget target) {
    return conflict(target, "the object has been modified; please apply your changes to the "
        + "latest version and try again");
  }

  /** errors.NewConflict: {@code Operation cannot be fulfilled on <resource> "<name>": why}. */
  static ApiException conflict(ApiTarget target, String why) {
    return new ApiException(409, "Conflict", "Operation cannot be fulfilled on "
        + groupResource(target) + " \"" + target.name() + "\": " + why,
        details(target.name(), target.group(), target.plural()));
  }

  /**
   * The field manager's conflict (fieldmanager's {@code NewConflictError}): 409 Conflict, one
   * {@code FieldManagerConflict} cause per field.
   */
  static ApiException applyConflict(ApiTarget target, ApplyConflictException conflict) {
    ObjectNode details = details(target.name(), target.group(), target.plural());
    ArrayNode causes = details.putArray("causes");
    for (ApplyConflictException.Conflict each : conflict.conflicts()) {
      ObjectNode cause = causes.addObject();
      cause.put("reason", "FieldManagerConflict");
      cause.put("message", "conflict with \"" + each.manager() + "\"");
      cause.put("field", each.field());
    }
    return new ApiException(409, "Conflict", conflict.getMessage(), details);
  }

  /**
   * errors.NewInvalid: 422 with one cause per field error, and the message
   * {@code Kind.group "name" is invalid: <errs.ToAggregate()>} (one error as it is, more in
   * brackets, duplicates once).
   */
  static ApiException invalid(String kind, String group, String name, List<FieldError> errors) {
    ObjectNode details = details(name, group, kind);
    ArrayNode causes = details.putArray("causes");
    Set<String> messages = new LinkedHashSet<>();
    for (FieldError error : errors) {
      ObjectNode cause = causes.addObject();
      cause.put("reason", error.type().reason());
      cause.put("message", error.body());
      cause.put("field", error.field());
      messages.add(error.toString());
    }
    String aggregate = messages.size() == 1 ? messages.iterator().next()
        : "[" + String.join(", ", messages) + "]";
    String qualifiedKind = group == null || group.isEmpty() ? kind : kind + "." + group;
    return new ApiException(422, "Invalid", qualifiedKind + " \"" + name + "\" is invalid: "
        + aggregate, details);
  }

  /** errors.NewBadRequest: 400, the message only. */
  static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message, null);
  }

  /** errors.NewMethodNotSupported. */
  static ApiException methodNotSupported(ApiTarget target, String method) {
    return new ApiException(405, "MethodNotAllowed", method + " is not supported on resources "
        + "of kind \"" + groupResource(target) + "\"", details(null, target.group(),
            target.plural()));
  }

  /** What the handler answers for an unknown patch type (415, handlers/patch.go). */
  static ApiException unsupportedMediaType(String contentType) {
    return unsupportedMediaType(contentType, List.of("application/json-patch+json",
        "application/merge-patch+json", "application/apply-patch+yaml",
        "application/strategic-merge-patch+json"));
  }

  /** negotiation.NewUnsupportedMediaTypeError: the patch types the resource accepts. */
  static ApiException unsupportedMediaType(String contentType, List<String> accepted) {
    return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an "
        + "unknown format - accepted media types include: " + String.join(", ", accepted), null);
  }

  /** errors.NewGenericServerResponse(422, ...): what a JSON patch that cannot apply gets. */
  static ApiException unprocessable(String message) {
    return new ApiException(422, "Invalid", message, null);
  }

  /**
   * An error that is no Status (responsewriters' {@code ErrorToAPIStatus} of a plain Go error):
   * 500 and no reason, so kubectl prints {@code Error from server: <message>}.
   */
  static ApiException unknown(String message) {
    return new ApiException(500, "", message, null);
  }
}
