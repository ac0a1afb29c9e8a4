package dev.operated.api;

import java.util.Optional;

/** Reads the parts of a container image reference the operator uses. */
public final class ImageReference {

  private ImageReference() {
  }

  /** The tag of {@code registry:5000/repo:tag@digest}, if any; a registry port is not a tag. */
  public static Optional<String> tag(String image) {
    String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int lastSlash = withoutDigest.lastIndexOf('/');
    int colon = withoutDigest.indexOf(':', lastSlash + 1);
    return colon < 0 ? Optional.empty() : Optional.of(withoutDigest.substring(colon + 1));
  }
}
