package dev.operated.cluster;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Optional;

/**
 * This server reads JSON and YAML only. kubectl's typed generators ({@code kubectl create
 * deployment}, {@code create namespace}, ...) send built-in kinds as protobuf; they get
 * 415 Unsupported Media Type with what to do instead, not a JSON parse error (kubectl 1.32 does
 * not retry in JSON). Manifests ({@code create -f}, {@code apply -f}) are sent as JSON.
 */
final class Protobuf {

  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

  private Protobuf() {
  }

  /** The refusal of a protobuf body, when the request has one. */
  static Optional<ApiErrors.ApiException> refusal(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith(MEDIA_TYPE)) {
      return Optional.empty();
    }
    return Optional.of(new ApiErrors.ApiException(415, "UnsupportedMediaType",
        "the embedded API server reads no protobuf (Content-Type " + contentType + "); "
            + "accepted media types: application/json, application/yaml, "
            + "application/apply-patch+yaml, application/json-patch+json, "
            + "application/merge-patch+json, application/strategic-merge-patch+json. "
            + "Write the object as a manifest and use kubectl create -f or apply -f"));
  }
}
