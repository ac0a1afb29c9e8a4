package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes' protobuf envelope (apimachinery runtime/serializer/protobuf: "k8s\0" and a
 * runtime.Unknown) around objects numbered as in k8s.io/api's generated.proto. Helm's release
 * Secrets in protobuf are covered end to end by {@link HelmConformanceTest}.
 */
class ProtobufBodiesTest {

  @Test
  void aSecretIsReadAsJson() {
    byte[] metadata = message(field(1, "sh.helm.release.v1.x.v1"),
        field(11, message(field(1, "owner"), field(2, "helm"))));
    byte[] secret = message(field(1, metadata),
        field(2, message(field(1, "release"), field(2, "hi"))), field(3, "helm.sh/release.v1"));

    ObjectNode json = ProtobufBodies.decode(envelope("v1", "Secret", secret));

    assertThat(json.path("kind").asText()).isEqualTo("Secret");
    assertThat(json.path("metadata").path("name").asText()).isEqualTo("sh.helm.release.v1.x.v1");
    assertThat(json.path("metadata").path("labels").path("owner").asText()).isEqualTo("helm");
    assertThat(json.path("data").path("release").asText()).isEqualTo("aGk="); // base64 of "hi"
    assertThat(json.path("type").asText()).isEqualTo("helm.sh/release.v1");
  }

  @Test
  void deleteOptionsAreReadAsJson() {
    ObjectNode json = ProtobufBodies.decode(envelope("v1", "DeleteOptions",
        message(field(4, "Background"))));

    assertThat(json.path("propagationPolicy").asText()).isEqualTo("Background");
  }

  @Test
  void anotherKindIsRefusedNamingIt() {
    assertThatThrownBy(() -> ProtobufBodies.decode(envelope("v1", "Pod", new byte[0])))
        .isInstanceOfSatisfying(ApiErrors.ApiException.class,
            refused -> assertThat(refused.code).isEqualTo(415))
        .hasMessageContaining("not v1 Pod").hasMessageContaining("application/json");
  }

  @Test
  void aBodyWithoutThePrefixIsABadRequest() {
    assertThatThrownBy(() -> ProtobufBodies.decode("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiErrors.ApiException.class,
            refused -> assertThat(refused.code).isEqualTo(400));
  }

  private static byte[] envelope(String apiVersion, String kind, byte[] raw) {
    byte[] unknown = message(field(1, message(field(1, apiVersion), field(2, kind))),
        field(2, raw));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'k', '8', 's', 0});
    out.writeBytes(unknown);
    return out.toByteArray();
  }

  /** A length-delimited field (wire type 2). */
  private static byte[] field(int number, String value) {
    return field(number, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] field(int number, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, (number << 3) | 2);
    varint(out, value.length);
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static byte[] message(byte[]... fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] field : fields) {
      out.writeBytes(field);
    }
    return out.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }
}
