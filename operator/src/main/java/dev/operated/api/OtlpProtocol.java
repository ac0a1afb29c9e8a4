package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** OTLP transport, as OTEL_EXPORTER_OTLP_PROTOCOL spells it. */
public enum OtlpProtocol {
  @JsonProperty("grpc")
  GRPC("grpc", 4317),
  @JsonProperty("http/protobuf")
  HTTP_PROTOBUF("http/protobuf", 4318);

  private final String value;
  private final int standardPort;

  OtlpProtocol(String value, int standardPort) {
    this.value = value;
    this.standardPort = standardPort;
  }

  /** The port collectors listen on for this protocol (4317 gRPC, 4318 HTTP). */
  public int standardPort() {
    return standardPort;
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
