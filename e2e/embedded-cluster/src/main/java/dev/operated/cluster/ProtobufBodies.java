package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Admissionregistration;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Authentication;
import io.kubernetes.client.proto.V1Authorization;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Certificates;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Scheduling;
import io.kubernetes.client.proto.V1Storage;
import io.kubernetes.client.proto.V2beta2Autoscaling;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}),
 * turned into the JSON the rest of the server reads. client-go's typed clients send built-in kinds
 * this way: kubectl's generators ({@code kubectl create deployment|job|serviceaccount|role...}),
 * {@code kubectl auth can-i}, and Helm, which stores its releases in Secrets and deletes them with
 * protobuf DeleteOptions. A real server decodes every built-in kind into its Go type; here each is
 * read by the message of Kubernetes' own {@code generated.proto} (the descriptors of
 * {@code io.kubernetes:client-java-proto}) and written as the Go type's JSON would be.
 *
 * <p>The envelope is apimachinery's {@code runtime/serializer/protobuf}: the 4-byte prefix
 * {@code k8s\0} and a {@code runtime.Unknown} whose typeMeta names the kind and whose raw bytes
 * are the object. Proto field names are the JSON names ({@code go-to-protobuf} takes them from the
 * json tags); the messages with a JSON form of their own (IntOrString, Quantity, Time, MicroTime,
 * RawExtension, FieldsV1) are written in it. A field the schema here does not know is refused
 * with 415 rather than dropped: silently losing part of a user's object is worse than asking for
 * JSON.
 */
final class ProtobufBodies {

  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  private static final String SCHEMA = "io.kubernetes:client-java-proto";

  private static final String AUTOSCALING_V2 = "k8s.io.api.autoscaling.v2.";

  /**
   * Every message of the built-in groups by full name ({@code k8s.io.api.apps.v1.Deployment});
   * autoscaling/v2's are v2beta2's, which client-java-proto has where it has no v2: v2 was made
   * from v2beta2 and kept its messages and field numbers (k8s.io/api autoscaling/v2
   * generated.proto), which is all a decoder reads.
   */
  private static final Map<String, Descriptor> MESSAGES = Stream.concat(Stream.of(
          V1.getDescriptor(), V1Apps.getDescriptor(), V1Batch.getDescriptor(),
          V1Autoscaling.getDescriptor(), V1Policy.getDescriptor(), V1Rbac.getDescriptor(),
          V1Networking.getDescriptor(), V1Scheduling.getDescriptor(), V1Storage.getDescriptor(),
          V1Authorization.getDescriptor(), V1Authentication.getDescriptor(),
          V1Certificates.getDescriptor(), V1Admissionregistration.getDescriptor(),
          Meta.getDescriptor())
      .map(FileDescriptor::getMessageTypes).flatMap(List::stream)
      .map(type -> Map.entry(type.getFullName(), type)),
          V2beta2Autoscaling.getDescriptor().getMessageTypes().stream()
      .map(type -> Map.entry(AUTOSCALING_V2 + type.getName(), type)))
      .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

  /**
   * The fields that are embedded structs in the Go types ({@code json:",inline"} in k8s.io/api's
   * types.go): proto numbers them as fields named after the type, JSON writes their fields into
   * the enclosing object.
   */
  private static final Set<String> INLINE = Set.of(
      "k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference",
      "k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference",
      "k8s.io.api.core.v1.ConfigMapProjection.localObjectReference",
      "k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference",
      "k8s.io.api.core.v1.SecretEnvSource.localObjectReference",
      "k8s.io.api.core.v1.SecretKeySelector.localObjectReference",
      "k8s.io.api.core.v1.SecretProjection.localObjectReference",
      "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
      "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
      "k8s.io.api.core.v1.Probe.handler",
      "k8s.io.api.core.v1.Volume.volumeSource",
      "k8s.io.api.networking.v1.IngressRule.ingressRuleValue",
      "k8s.io.api.admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations",
      "k8s.io.api.admissionregistration.v1.RuleWithOperations.rule");

  /**
   * The numbers, booleans and strings that are pointers in the Go types ({@code *int32},
   * {@code *bool}, {@code *string} in k8s.io/api's types.go), where a zero is a value. Go's encoder
   * writes every non-pointer field whether set or not, and its zero means unset (JSON's
   * {@code omitempty} leaves it out, and the pod-template-hash never sees it), so such a zero is
   * left out here; a pointer's zero is kept ({@code --replicas=0}, {@code gracePeriodSeconds: 0}).
   */
  private static final Set<String> POINTERS = Stream.concat(Stream.of(
      "core.v1.CSIVolumeSource.readOnly", "core.v1.ClientIPConfig.timeoutSeconds",
      "core.v1.ConfigMap.immutable", "core.v1.ConfigMapEnvSource.optional",
      "core.v1.ConfigMapKeySelector.optional", "core.v1.ConfigMapProjection.optional",
      "core.v1.ConfigMapVolumeSource.defaultMode", "core.v1.ConfigMapVolumeSource.optional",
      "core.v1.DownwardAPIVolumeFile.mode", "core.v1.KeyToPath.mode",
      "core.v1.PodSecurityContext.runAsUser", "core.v1.PodSecurityContext.runAsGroup",
      "core.v1.PodSecurityContext.runAsNonRoot", "core.v1.PodSecurityContext.fsGroup",
      "core.v1.PodSpec.terminationGracePeriodSeconds", "core.v1.PodSpec.activeDeadlineSeconds",
      "core.v1.PodSpec.automountServiceAccountToken", "core.v1.PodSpec.shareProcessNamespace",
      "core.v1.PodSpec.priority", "core.v1.PodSpec.enableServiceLinks",
      "core.v1.PodSpec.setHostnameAsFQDN", "core.v1.PodSpec.hostUsers",
      "core.v1.Probe.terminationGracePeriodSeconds", "core.v1.ProjectedVolumeSource.defaultMode",
      "core.v1.Secret.immutable", "core.v1.SecretEnvSource.optional",
      "core.v1.SecretKeySelector.optional", "core.v1.SecretProjection.optional",
      "core.v1.SecretVolumeSource.defaultMode", "core.v1.SecretVolumeSource.optional",
      "core.v1.SecurityContext.privileged", "core.v1.SecurityContext.runAsUser",
      "core.v1.SecurityContext.runAsGroup", "core.v1.SecurityContext.runAsNonRoot",
      "core.v1.SecurityContext.readOnlyRootFilesystem",
      "core.v1.SecurityContext.allowPrivilegeEscalation",
      "core.v1.WindowsSecurityContextOptions.hostProcess",
      "core.v1.ServiceAccount.automountServiceAccountToken",
      "core.v1.ServiceAccountTokenProjection.expirationSeconds",
      "core.v1.ServiceSpec.allocateLoadBalancerNodePorts", "core.v1.Toleration.tolerationSeconds",
      "core.v1.TopologySpreadConstraint.minDomains",
      "core.v1.PersistentVolumeClaimSpec.storageClassName",
      "apps.v1.DaemonSetSpec.revisionHistoryLimit", "apps.v1.DeploymentSpec.replicas",
      "apps.v1.DeploymentSpec.revisionHistoryLimit",
      "apps.v1.DeploymentSpec.progressDeadlineSeconds",
      "apps.v1.ReplicaSetSpec.replicas", "apps.v1.RollingUpdateStatefulSetStrategy.partition",
      "apps.v1.StatefulSetSpec.replicas", "apps.v1.StatefulSetSpec.revisionHistoryLimit",
      "batch.v1.CronJobSpec.startingDeadlineSeconds", "batch.v1.CronJobSpec.suspend",
      "batch.v1.CronJobSpec.successfulJobsHistoryLimit",
      "batch.v1.CronJobSpec.failedJobsHistoryLimit", "batch.v1.JobSpec.parallelism",
      "batch.v1.JobSpec.completions", "batch.v1.JobSpec.activeDeadlineSeconds",
      "batch.v1.JobSpec.backoffLimit", "batch.v1.JobSpec.backoffLimitPerIndex",
      "batch.v1.JobSpec.maxFailedIndexes", "batch.v1.JobSpec.manualSelector",
      "batch.v1.JobSpec.ttlSecondsAfterFinished", "batch.v1.JobSpec.suspend",
      "autoscaling.v1.HorizontalPodAutoscalerSpec.minReplicas",
      "autoscaling.v1.HorizontalPodAutoscalerSpec.targetCPUUtilizationPercentage",
      // autoscaling/v2's, by the names of the v2beta2 messages that decode them
      "autoscaling.v2beta2.HorizontalPodAutoscalerSpec.minReplicas",
      "autoscaling.v2beta2.MetricTarget.averageUtilization",
      "autoscaling.v2beta2.HPAScalingRules.stabilizationWindowSeconds",
      "autoscaling.v2beta2.HPAScalingRules.selectPolicy",
      "networking.v1.NetworkPolicyPort.endPort", "storage.v1.CSIDriverSpec.attachRequired",
      "storage.v1.CSIDriverSpec.podInfoOnMount", "storage.v1.CSIDriverSpec.storageCapacity",
      "storage.v1.CSIDriverSpec.requiresRepublish", "storage.v1.CSIDriverSpec.seLinuxMount",
      "storage.v1.StorageClass.allowVolumeExpansion",
      "authentication.v1.TokenRequestSpec.expirationSeconds",
      "admissionregistration.v1.MutatingWebhook.timeoutSeconds",
      "admissionregistration.v1.ValidatingWebhook.timeoutSeconds")
      .map(field -> "k8s.io.api." + field), Stream.of("DeleteOptions.gracePeriodSeconds",
          "DeleteOptions.orphanDependents", "ObjectMeta.deletionGracePeriodSeconds")
      .map(field -> META + field))
      .collect(Collectors.toUnmodifiableSet());

  private ProtobufBodies() {
  }

  /** The request with its protobuf body as JSON; any other request as it is. */
  static RecordedRequest asJson(RecordedRequest request) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith(MEDIA_TYPE)) {
      return request;
    }
    ObjectNode json = decode(request.getBody().getBytes());
    byte[] body = FieldPaths.write(json).getBytes(StandardCharsets.UTF_8);
    return new RecordedRequest(request.getHttpVersion(), HttpMethod.valueOf(request.getMethod()),
        request.getPath(), request.getHeaders().newBuilder()
            .set("Content-Type", "application/json").build(), new Buffer(body));
  }

  static ObjectNode decode(byte[] body) {
    if (body.length < MAGIC.length || body[0] != MAGIC[0] || body[1] != MAGIC[1]
        || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
      throw new ApiErrors.ApiException(400, "BadRequest", "the body is not in Kubernetes' "
          + "protobuf encoding (no k8s\\0 prefix)");
    }
    try {
      Runtime.Unknown unknown = Runtime.Unknown.parseFrom(
          ByteString.copyFrom(body, MAGIC.length, body.length - MAGIC.length));
      String apiVersion = unknown.getTypeMeta().getApiVersion();
      String kind = unknown.getTypeMeta().getKind();
      Descriptor type = MESSAGES.get(messageName(apiVersion, kind));
      if (type == null) {
        throw new ApiErrors.ApiException(415, "UnsupportedMediaType", "the embedded cluster "
            + "reads protobuf bodies of the kinds " + SCHEMA + " describes (the v1 kinds of "
            + "core, apps, batch, autoscaling, policy, rbac, networking, scheduling, storage, "
            + "authorization, authentication, certificates, admissionregistration, and "
            + "autoscaling/v2), not "
            + apiVersion + " " + kind + ": send it as application/json");
      }
      ObjectNode json = (ObjectNode) message(DynamicMessage.parseFrom(type, unknown.getRaw()),
          kind);
      if (!"DeleteOptions".equals(kind)) {
        json.put("apiVersion", apiVersion);
        json.put("kind", kind);
      }
      return json;
    } catch (InvalidProtocolBufferException e) {
      throw new ApiErrors.ApiException(400, "BadRequest", "the protobuf body is malformed: "
          + e.getMessage());
    }
  }

  /**
   * The generated.proto message of a kind: package {@code k8s.io.api.<group's first label or
   * core>.<version>}, as k8s.io/api lays its packages out; DeleteOptions is meta/v1's whatever
   * the apiVersion it is sent under.
   */
  private static String messageName(String apiVersion, String kind) {
    if ("DeleteOptions".equals(kind)) {
      return META + kind;
    }
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "core" : apiVersion.substring(0, slash).split("\\.", 2)[0];
    return "k8s.io.api." + group + "." + apiVersion.substring(slash + 1) + "." + kind;
  }

  /** A message as its Go type's JSON: only the fields the body carries, by their JSON names. */
  private static JsonNode message(Message message, String path) {
    Descriptor type = message.getDescriptorForType();
    JsonNode special = ownJsonForm(message, type, path);
    if (special != null) {
      return special;
    }
    List<Integer> unknown = message.getUnknownFields().asMap().entrySet().stream()
        .filter(field -> !unset(field.getValue())).map(Map.Entry::getKey).toList();
    if (!unknown.isEmpty()) {
      throw new ApiErrors.ApiException(415, "UnsupportedMediaType", path + " (" + type.getName()
          + ") has field " + unknown + ", which the protobuf schema the embedded cluster reads ("
          + SCHEMA + ", Kubernetes 1.30's) does not know: send the object as application/json "
          + "(kubectl create -f, kubectl apply -f)");
    }
    ObjectNode json = NODES.objectNode();
    message.getAllFields().forEach((field, value) -> {
      String at = path + "." + field.getName();
      if (field.isMapField()) {
        ObjectNode map = json.putObject(field.getName());
        for (Object entry : (List<?>) value) {
          Message pair = (Message) entry;
          Descriptor entryType = pair.getDescriptorForType();
          String key = (String) pair.getField(entryType.findFieldByName("key"));
          map.set(key, element(entryType.findFieldByName("value"),
              pair.getField(entryType.findFieldByName("value")), at + "[" + key + "]"));
        }
      } else if (field.isRepeated()) {
        ArrayNode list = json.putArray(field.getName());
        List<?> items = (List<?>) value;
        for (int i = 0; i < items.size(); i++) {
          list.add(element(field, items.get(i), at + "[" + i + "]"));
        }
      } else if (INLINE.contains(field.getFullName())) {
        json.setAll((ObjectNode) message((Message) value, path));
      } else if (POINTERS.contains(field.getFullName()) || !zero(value)) {
        JsonNode element = element(field, value, at);
        if (!element.isNull()) { // a zero Time: Go's JSON writes null, the server sets it
          json.set(field.getName(), element);
        }
      }
    });
    return json;
  }

  private static boolean zero(Object value) {
    return value instanceof String text ? text.isEmpty()
        : value instanceof Integer number ? number == 0
        : value instanceof Long number ? number == 0
        : value instanceof Boolean flag && !flag;
  }

  /**
   * A field newer than the schema, holding only its zero value: Go's encoder writes every
   * non-pointer field, set or not, so a newer client sends its new ones as 0, "" or empty, which
   * a server without them loses nothing by skipping (as proto decoding skips unknown fields).
   */
  private static boolean unset(UnknownFieldSet.Field field) {
    return field.getVarintList().stream().allMatch(value -> value == 0)
        && field.getFixed32List().stream().allMatch(value -> value == 0)
        && field.getFixed64List().stream().allMatch(value -> value == 0)
        && field.getLengthDelimitedList().stream().allMatch(ByteString::isEmpty)
        && field.getGroupList().isEmpty();
  }

  /** One value: the scalars as JSON writes them, bytes in base64. */
  private static JsonNode element(FieldDescriptor field, Object value, String path) {
    return switch (field.getJavaType()) {
      case MESSAGE -> message((Message) value, path);
      case STRING -> NODES.textNode((String) value);
      case INT -> NODES.numberNode((Integer) value);
      case LONG -> NODES.numberNode((Long) value);
      case BOOLEAN -> NODES.booleanNode((Boolean) value);
      case BYTE_STRING -> NODES.textNode(
          Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      default -> throw new ApiErrors.ApiException(415, "UnsupportedMediaType", path
          + " is a " + field.getType() + ", which no built-in kind has: send the object as "
          + "application/json");
    };
  }

  /**
   * The messages apimachinery gives a JSON form of their own (intstr, resource.Quantity,
   * metav1.Time and MicroTime, runtime.RawExtension, metav1.FieldsV1); null for the others. A
   * zero Time is null, as {@code metav1.Time.Unmarshal} makes seconds 0 and nanos 0 the zero time.
   */
  private static JsonNode ownJsonForm(Message message, Descriptor type, String path) {
    return switch (type.getFullName()) {
      case "k8s.io.apimachinery.pkg.util.intstr.IntOrString" ->
          ((Long) field(message, "type")) == 1L ? NODES.textNode((String) field(message, "strVal"))
              : NODES.numberNode((Integer) field(message, "intVal"));
      case "k8s.io.apimachinery.pkg.api.resource.Quantity" ->
          NODES.textNode((String) field(message, "string"));
      case META + "Time" -> time(message, DateTimeFormatter.ISO_INSTANT);
      case META + "MicroTime" -> time(message, StoredForm.MICRO_TIME);
      case "k8s.io.apimachinery.pkg.runtime.RawExtension" -> raw(message, "raw", path);
      case META + "FieldsV1" -> raw(message, "Raw", path);
      case META + "Duration" -> throw new ApiErrors.ApiException(415, "UnsupportedMediaType",
          path + " is a duration, which the embedded cluster does not read in protobuf: send "
              + "the object as application/json");
      default -> null;
    };
  }

  private static Object field(Message message, String name) {
    return message.getField(message.getDescriptorForType().findFieldByName(name));
  }

  private static JsonNode time(Message message, DateTimeFormatter format) {
    long seconds = (Long) field(message, "seconds");
    int nanos = (Integer) field(message, "nanos");
    if (seconds == 0 && nanos == 0) {
      return NODES.nullNode();
    }
    Instant instant = Instant.ofEpochSecond(seconds, nanos);
    return NODES.textNode(format.format(format == StoredForm.MICRO_TIME ? instant
        : instant.truncatedTo(ChronoUnit.SECONDS)));
  }

  private static JsonNode raw(Message message, String field, String path) {
    ByteString bytes = (ByteString) field(message, field);
    if (bytes.isEmpty()) {
      return NODES.nullNode();
    }
    try {
      return FieldPaths.JSON.readTree(bytes.toByteArray());
    } catch (java.io.IOException e) {
      throw new ApiErrors.ApiException(400, "BadRequest", path + " holds bytes that are not "
          + "JSON: the embedded cluster reads embedded objects in JSON only");
    }
  }
}
