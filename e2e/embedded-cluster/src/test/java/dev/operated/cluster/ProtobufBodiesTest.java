package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.kubernetes.client.proto.IntStr.IntOrString;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Meta.ObjectMeta;
import io.kubernetes.client.proto.Resource.Quantity;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes' protobuf envelope (apimachinery runtime/serializer/protobuf: "k8s\0" and a
 * runtime.Unknown) around objects encoded by Kubernetes' own generated messages. Helm's release
 * Secrets in protobuf are covered end to end by {@link HelmConformanceTest}, kubectl's generators
 * by {@link KubectlCommandsTest}.
 */
class ProtobufBodiesTest {

  @Test
  void aSecretIsReadAsJson() {
    V1.Secret secret = V1.Secret.newBuilder()
        .setMetadata(ObjectMeta.newBuilder().setName("sh.helm.release.v1.x.v1")
            .putLabels("owner", "helm"))
        .putData("release", ByteString.copyFromUtf8("hi"))
        .setType("helm.sh/release.v1").build();

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
        Meta.DeleteOptions.newBuilder().setPropagationPolicy("Background").build()));

    assertThat(json.path("propagationPolicy").asText()).isEqualTo("Background");
    assertThat(json.has("kind")).isFalse();
  }

  /**
   * What {@code kubectl create deployment} sends, with the forms Go's encoder gives: empty strings
   * for unset string fields, a zero Time for the creation timestamp, zeros that are values.
   */
  @Test
  void aDeploymentIsReadAsTheGoTypesJson() {
    V1.Container container = V1.Container.newBuilder().setName("web").setImage("nginx:1.27")
        .setTerminationMessagePath("").setStdin(false)
        .setResources(V1.ResourceRequirements.newBuilder()
            .putLimits("memory", Quantity.newBuilder().setString("64Mi").build()))
        .addPorts(V1.ContainerPort.newBuilder().setContainerPort(80))
        .setReadinessProbe(V1.Probe.newBuilder().setHandler(V1.ProbeHandler.newBuilder()
            .setHttpGet(V1.HTTPGetAction.newBuilder().setPath("/")
                .setPort(IntOrString.newBuilder().setType(1).setStrVal("http")))))
        .addEnv(V1.EnvVar.newBuilder().setName("TOKEN").setValueFrom(V1.EnvVarSource.newBuilder()
            .setSecretKeyRef(V1.SecretKeySelector.newBuilder().setKey("token")
                .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("api")))))
        .build();
    V1.Volume config = V1.Volume.newBuilder().setName("config").setVolumeSource(
        V1.VolumeSource.newBuilder().setConfigMap(V1.ConfigMapVolumeSource.newBuilder()
            .setLocalObjectReference(V1.LocalObjectReference.newBuilder().setName("web")))).build();
    V1Apps.Deployment deployment = V1Apps.Deployment.newBuilder()
        .setMetadata(ObjectMeta.newBuilder().setName("web").setNamespace("")
            .setCreationTimestamp(Meta.Time.newBuilder()).putLabels("app", "web")
            .putLabels("tier", ""))
        .setSpec(V1Apps.DeploymentSpec.newBuilder().setReplicas(0)
            .setSelector(Meta.LabelSelector.newBuilder().putMatchLabels("app", "web"))
            .setStrategy(V1Apps.DeploymentStrategy.newBuilder().setRollingUpdate(
                V1Apps.RollingUpdateDeployment.newBuilder()
                    .setMaxSurge(IntOrString.newBuilder().setType(1).setStrVal("25%"))
                    .setMaxUnavailable(IntOrString.newBuilder().setType(0).setIntVal(0))))
            .setTemplate(V1.PodTemplateSpec.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().putLabels("app", "web"))
                .setSpec(V1.PodSpec.newBuilder().addContainers(container).addVolumes(config)
                    .setTerminationGracePeriodSeconds(0))))
        .build();

    ObjectNode json = ProtobufBodies.decode(envelope("apps/v1", "Deployment", deployment));

    assertThat(json.path("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(json.path("metadata").has("namespace")).as("unset string").isFalse();
    assertThat(json.path("metadata").has("creationTimestamp")).as("zero Time").isFalse();
    assertThat(json.path("metadata").path("labels").path("tier").isTextual())
        .as("an empty label value is a value").isTrue();
    assertThat(json.path("spec").path("replicas").isInt()).as("replicas: 0 is a value").isTrue();
    assertThat(json.path("spec").path("replicas").asInt()).isZero();
    var rolling = json.path("spec").path("strategy").path("rollingUpdate");
    assertThat(rolling.path("maxSurge").asText()).isEqualTo("25%");
    assertThat(rolling.path("maxUnavailable").isInt()).isTrue();
    var web = json.path("spec").path("template").path("spec").path("containers").path(0);
    assertThat(web.path("image").asText()).isEqualTo("nginx:1.27");
    assertThat(web.path("resources").path("limits").path("memory").asText()).isEqualTo("64Mi");
    assertThat(web.path("ports").path(0).path("containerPort").asInt()).isEqualTo(80);
    assertThat(web.path("readinessProbe").path("httpGet").path("port").asText())
        .isEqualTo("http");
    assertThat(web.has("terminationMessagePath")).isFalse();
    // Go writes a non-pointer field's zero as it writes a pointer's: the first means unset
    assertThat(web.has("stdin")).as("bool stdin, false: unset").isFalse();
    assertThat(json.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds")
        .isIntegralNumber()).as("*int64, 0: a value").isTrue();
    // embedded Go structs (json:",inline") are written into the enclosing object
    assertThat(web.path("readinessProbe").has("handler")).isFalse();
    assertThat(web.path("env").path(0).path("valueFrom").path("secretKeyRef").toString())
        .isEqualTo("{\"name\":\"api\",\"key\":\"token\"}");
    assertThat(json.path("spec").path("template").path("spec").path("volumes").path(0)
        .toString()).isEqualTo("{\"name\":\"config\",\"configMap\":{\"name\":\"web\"}}");
  }

  @Test
  void aTimeIsWrittenAsRfc3339() {
    ObjectNode json = ProtobufBodies.decode(envelope("v1", "Namespace", V1.Namespace.newBuilder()
        .setMetadata(ObjectMeta.newBuilder().setName("shop")
            .setCreationTimestamp(Meta.Time.newBuilder().setSeconds(1_764_000_000L)))
        .build()));

    assertThat(json.path("metadata").path("creationTimestamp").asText())
        .isEqualTo("2025-11-24T16:00:00Z");
  }

  /** A field newer than the schema here would be lost in the JSON: the body is refused instead. */
  @Test
  void aFieldTheSchemaDoesNotKnowIsRefusedNamingWhereItIs() {
    V1.PodSpec newer = V1.PodSpec.newBuilder()
        .addContainers(V1.Container.newBuilder().setName("app").setImage("app:1"))
        .setUnknownFields(UnknownFieldSet.newBuilder().addField(99,
            UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())
        .build();
    V1.Pod pod = V1.Pod.newBuilder().setMetadata(ObjectMeta.newBuilder().setName("p"))
        .setSpec(newer).build();

    assertThatThrownBy(() -> ProtobufBodies.decode(envelope("v1", "Pod", pod)))
        .isInstanceOfSatisfying(ApiErrors.ApiException.class,
            refused -> assertThat(refused.code).isEqualTo(415))
        .hasMessageContaining("Pod.spec (PodSpec) has field [99]")
        .hasMessageContaining("application/json");
  }

  /** Go writes a newer client's non-pointer fields unset as 0: nothing is lost by skipping it. */
  @Test
  void aNewerFieldHoldingItsZeroIsSkipped() {
    V1.PodSpec newer = V1.PodSpec.newBuilder()
        .addContainers(V1.Container.newBuilder().setName("app").setImage("app:1"))
        .setUnknownFields(UnknownFieldSet.newBuilder()
            .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(0).build())
            .addField(98, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.EMPTY).build()).build())
        .build();

    ObjectNode json = ProtobufBodies.decode(envelope("v1", "Pod", V1.Pod.newBuilder()
        .setMetadata(ObjectMeta.newBuilder().setName("p")).setSpec(newer).build()));

    assertThat(json.path("spec").path("containers").path(0).path("image").asText())
        .isEqualTo("app:1");
  }

  @Test
  void aKindThatIsNotBuiltInIsRefusedNamingIt() {
    assertThatThrownBy(() -> ProtobufBodies.decode(envelope("operated.dev/v1alpha1",
        "OperatedService", V1.Namespace.getDefaultInstance())))
        .isInstanceOfSatisfying(ApiErrors.ApiException.class,
            refused -> assertThat(refused.code).isEqualTo(415))
        .hasMessageContaining("not operated.dev/v1alpha1 OperatedService")
        .hasMessageContaining("application/json");
  }

  @Test
  void aBodyWithoutThePrefixIsABadRequest() {
    assertThatThrownBy(() -> ProtobufBodies.decode("{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(ApiErrors.ApiException.class,
            refused -> assertThat(refused.code).isEqualTo(400));
  }

  @Test
  void aTruncatedBodyIsABadRequest() {
    byte[] whole = envelope("v1", "Namespace", V1.Namespace.newBuilder()
        .setMetadata(ObjectMeta.newBuilder().setName("shop")).build());
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);

    assertThatThrownBy(() -> ProtobufBodies.decode(cut))
        .isInstanceOfSatisfying(ApiErrors.ApiException.class,
            refused -> assertThat(refused.code).isEqualTo(400))
        .hasMessageContaining("malformed");
  }

  private static byte[] envelope(String apiVersion, String kind, Message object) {
    Runtime.Unknown unknown = Runtime.Unknown.newBuilder()
        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
        .setRaw(object.toByteString()).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'k', '8', 's', 0});
    out.writeBytes(unknown.toByteArray());
    return out.toByteArray();
  }
}
