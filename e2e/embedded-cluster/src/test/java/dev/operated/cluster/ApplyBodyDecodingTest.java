package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * An apply body (application/apply-patch+yaml) is YAML, which JSON is: kube-apiserver decodes it
 * with sigs.k8s.io/yaml ({@code applyPatcher.applyPatchToCurrentObject},
 * staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go). A JSON object is read by the
 * JSON parser, which must give what the YAML one gives; anything else is the YAML parser's.
 */
class ApplyBodyDecodingTest {

  @Test
  void aJsonBodyDecodesAsTheSameYamlDoes() {
    String json = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\","
        + "\"labels\":{\"x\":\"1\"}},\"data\":{\"n\":\"2\"},\"extra\":[1,2.5,true,null]}";
    String yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
          labels:
            x: "1"
        data:
          n: "2"
        extra: [1, 2.5, true, null]
        """;
    assertThat(Storage.parseYaml(json)).isEqualTo(Storage.parseYaml(yaml));
    assertThat(Storage.parseYaml("  \n" + json)).isEqualTo(Storage.parseYaml(yaml));
  }

  @Test
  void aFlowMappingThatIsNotJsonIsReadAsYaml() {
    assertThat(Storage.parseYaml("{kind: ConfigMap, data: {n: '2'}}"))
        .isEqualTo(Storage.parseYaml("kind: ConfigMap\ndata:\n  n: '2'\n"));
  }
}
