package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Service mesh the pod runs in. */
public enum MeshMode {
  @JsonProperty("auto")
  AUTO("auto"),
  @JsonProperty("istio")
  ISTIO("istio"),
  @JsonProperty("linkerd")
  LINKERD("linkerd"),
  @JsonProperty("none")
  NONE("none");

  private final String value;

  MeshMode(String value) {
    this.value = value;
  }

  /** The value as written in the manifest. */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
