package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where OpenTelemetry data is sent: nowhere, a collector or gateway address, the node's agent (through the host IP), or a collector sidecar the operator adds. */
public enum TelemetryMode {
  @JsonProperty("none")
  NONE("none"),
  @JsonProperty("endpoint")
  ENDPOINT("endpoint"),
  @JsonProperty("node")
  NODE("node"),
  @JsonProperty("sidecar")
  SIDECAR("sidecar");

  private final String value;

  TelemetryMode(String value) {
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
