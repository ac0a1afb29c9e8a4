package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How Prometheus discovers the metrics endpoint. */
public enum ScrapeMode {
  @JsonProperty("auto")
  AUTO("auto"),
  @JsonProperty("serviceMonitor")
  SERVICE_MONITOR("serviceMonitor"),
  @JsonProperty("annotations")
  ANNOTATIONS("annotations"),
  @JsonProperty("none")
  NONE("none");

  private final String value;

  ScrapeMode(String value) {
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
