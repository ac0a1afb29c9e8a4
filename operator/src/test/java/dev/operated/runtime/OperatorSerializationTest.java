package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/**
 * Watch events decoded in one pass ({@link OperatorSerialization#watchEvent}) come out equal to
 * what fabric8 makes of them through a tree, in every shape the API server sends, and what is in
 * no such shape is left to fabric8.
 */
class OperatorSerializationTest {

  /** A pod as the kubelet reports it, with fields no model class has (fabric8 keeps them). */
  private static final String POD = """
      {"kind": "Pod", "apiVersion": "v1",
       "metadata": {"name": "shop-7d9f-x2x4q", "namespace": "team", "uid": "1f0c",
         "resourceVersion": "4711", "generation": 1,
         "creationTimestamp": "2026-12-02T17:00:00Z",
         "labels": {"app.kubernetes.io/instance": "shop", "pod-template-hash": "7d9f"},
         "annotations": {"note": "gr\\u00fc\\u00df"},
         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
           "name": "shop-7d9f", "uid": "9e1a", "controller": true, "blockOwnerDeletion": true}],
         "someFutureField": {"nested": [1, 2.5, "three", null, true]}},
       "spec": {"terminationGracePeriodSeconds": 45,
         "containers": [{"name": "app", "image": "shop:2",
           "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
           "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
           "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"},
             "periodSeconds": 5},
           "livenessProbe": {"httpGet": {"path": "/livez", "port": 8080}},
           "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}]},
       "status": {"phase": "Running", "podIP": "10.0.0.7",
         "conditions": [{"type": "Ready", "status": "True",
           "lastTransitionTime": "2026-12-02T17:00:05Z"}],
         "containerStatuses": [{"name": "app", "ready": true, "started": true,
           "restartCount": 0, "image": "shop:2", "imageID": "",
           "state": {"running": {"startedAt": "2026-12-02T17:00:02Z"}}}]}}
      """;

  private final OperatorSerialization serialization = OperatorSerialization.create();
  private final KubernetesSerialization fabric8 = new KubernetesSerialization();

  @Test
  void aPodEventIsReadInOnePassIntoWhatFabric8MakesOfIt() {
    String event = event("MODIFIED", POD);

    assertThat(serialization.watchEvent(event)).as("read in one pass").isPresent();
    WatchEvent read = serialization.unmarshal(event, WatchEvent.class);
    assertThat(read).isEqualTo(fabric8.unmarshal(event, WatchEvent.class));
    Pod pod = (Pod) read.getObject();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("note", "grüß");
    assertThat(pod.getMetadata().getAdditionalProperties()).containsKey("someFutureField");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
  }

  @Test
  void fieldsBeforeTheKindAreHeldBackAndReadIntoTheObjectToo() {
    String metadataFirst = """
        {"metadata": {"name": "shop", "namespace": "team", "labels": {"a": "b"}},
         "spec": {"containers": [{"name": "app", "image": "shop:2"}]},
         "kind": "Pod", "status": {"phase": "Pending"}, "apiVersion": "v1"}
        """;
    String event = event("ADDED", metadataFirst);

    assertThat(serialization.watchEvent(event)).isPresent();
    assertThat(serialization.unmarshal(event, WatchEvent.class))
        .isEqualTo(fabric8.unmarshal(event, WatchEvent.class));
  }

  @Test
  void theOperatorsOwnResourceIsReadIntoItsClassInOnePass() {
    // fabric8's reads it as a generic resource unless told its class
    fabric8.registerKubernetesResource(OperatedService.class);
    String event = event("ADDED", """
        {"apiVersion": "operated.dev/v1alpha1", "kind": "OperatedService",
         "metadata": {"name": "shop", "namespace": "team", "generation": 3},
         "spec": {"image": "shop:2", "replicas": 2},
         "status": {"ready": "False", "observedGeneration": 2}}
        """);

    assertThat(serialization.watchEvent(event)).isPresent();
    WatchEvent read = serialization.unmarshal(event, WatchEvent.class);
    assertThat(read.getObject()).isInstanceOf(OperatedService.class);
    assertThat(read).isEqualTo(fabric8.unmarshal(event, WatchEvent.class));
  }

  @Test
  void errorsAndBookmarksAreReadAsTheirObjects() {
    String error = event("ERROR", """
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": "too old resource version: 5 (4711)", "reason": "Expired", "code": 410}
        """);
    String bookmark = event("BOOKMARK", """
        {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "4712",
         "annotations": {"k8s.io/initial-events-end": "true"}}}
        """);

    for (String event : new String[] {error, bookmark}) {
      assertThat(serialization.watchEvent(event)).as(event).isPresent();
      assertThat(serialization.unmarshal(event, WatchEvent.class)).as(event)
          .isEqualTo(fabric8.unmarshal(event, WatchEvent.class));
    }
    assertThat(serialization.unmarshal(error, WatchEvent.class).getObject())
        .isInstanceOf(Status.class);
  }

  @Test
  void whatIsInNoShapeAWatchSendsIsLeftToFabric8() {
    String unregistered = event("ADDED", """
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
         "spec": {"size": 3}}
        """);
    String kindNotAString = event("ADDED", """
        {"apiVersion": "v1", "kind": 7, "metadata": {"name": "p"}}
        """);
    String extraField = event("ADDED", POD).replaceFirst("\\{", "{\"extra\": 1, ");

    for (String event : new String[] {unregistered, kindNotAString, extraField}) {
      assertThat(serialization.watchEvent(event)).as(event).isEmpty();
    }
    assertThat(serialization.unmarshal(unregistered, WatchEvent.class).getObject())
        .isInstanceOf(GenericKubernetesResource.class)
        .isEqualTo(fabric8.unmarshal(unregistered, WatchEvent.class).getObject());
    assertThat(serialization.unmarshal(extraField, WatchEvent.class))
        .isEqualTo(fabric8.unmarshal(extraField, WatchEvent.class));
  }

  @Test
  void anEventThatIsNotJsonFailsAsFabric8FailsOnIt() {
    String truncated = event("MODIFIED", POD).substring(0, 200);

    assertThat(serialization.watchEvent(truncated)).isEmpty();
    assertThatThrownBy(() -> serialization.unmarshal(truncated, WatchEvent.class))
        .isInstanceOf(KubernetesClientException.class)
        .rootCause().hasMessageContaining("Unexpected end-of-input");
  }

  @Test
  void objectsAreReadWithoutTheirManagedFieldsInEventsToo() {
    String event = event("MODIFIED", POD.replace("\"uid\": \"1f0c\",", """
        "uid": "1f0c", "managedFields": [{"manager": "kubelet", "operation": "Update",
          "apiVersion": "v1", "fieldsType": "FieldsV1", "subresource": "status",
          "fieldsV1": {"f:status": {"f:phase": {}}}}],"""));

    assertThat(serialization.watchEvent(event)).as("read in one pass").isPresent();
    Pod pod = (Pod) serialization.unmarshal(event, WatchEvent.class).getObject();
    Pod fabric8s = (Pod) fabric8.unmarshal(event, WatchEvent.class).getObject();

    assertThat(pod.getMetadata().getManagedFields()).isEmpty();
    assertThat(fabric8s.getMetadata().getManagedFields())
        .as("fabric8's own serialization reads them").hasSize(1);
    fabric8s.getMetadata().setManagedFields(pod.getMetadata().getManagedFields());
    assertThat(pod).as("everything else as fabric8 reads it").isEqualTo(fabric8s);
  }

  private static String event(String type, String object) {
    return """
        {"type": "%s", "object": %s}""".formatted(type, object.strip());
  }
}
