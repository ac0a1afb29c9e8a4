package dev.operated.reconciler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Deployment's {@code spec.replicas} handed over when the user leaves scaling to an HPA (the
 * spec's replicas removed). Dropped from the operator's apply while the operator alone owned it,
 * server-side apply removes the field and the Deployment's defaulting makes it 1: every pod but
 * one terminated until the HPA scaled back. Kubernetes' HPA walkthrough ("Migrating Deployments
 * and StatefulSets to horizontal autoscaling") prescribes the handover done here: the live count
 * is applied first by a second field manager, which then owns the field with the operator, so
 * the operator's next apply leaves it (and the HPA's scale takes it from there).
 *
 * <p>The operator reads no managedFields through its client (they are cut from every object it
 * decodes), so who owns the field is read here with a plain GET, once per Deployment and process
 * and only while the spec leaves replicas out and the Deployment has some. The handover carries
 * the resourceVersion it was read at: against a newer Deployment (an HPA's scale since) it is a
 * 409 and the reconcile's retry reads again, never writing back an older count.
 */
final class ReplicasHandover {

  static final String MANAGER = "operated-replicas-handover";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Deployments (by uid) whose replicas the operator is known not to own alone any more. */
  private final Set<String> handedOver = ConcurrentHashMap.newKeySet();

  /** Before an apply of a Deployment without replicas over {@code actual}. */
  void beforeApplyingWithout(KubernetesClient client, Deployment actual) {
    String uid = actual.getMetadata().getUid();
    if (actual.getSpec().getReplicas() == null || handedOver.contains(uid)) {
      return;
    }
    if (operatorOwnsReplicas(client, actual)) {
      client.apps().deployments().inNamespace(actual.getMetadata().getNamespace())
          .resource(new DeploymentBuilder()
              .withNewMetadata()
                .withName(actual.getMetadata().getName())
                .withNamespace(actual.getMetadata().getNamespace())
                .withResourceVersion(actual.getMetadata().getResourceVersion())
              .endMetadata()
              .withNewSpec().withReplicas(actual.getSpec().getReplicas()).endSpec()
              .build())
          .fieldManager(MANAGER).serverSideApply();
    }
    handedOver.add(uid);
  }

  /** Applied with replicas again, the operator owns them again: a later removal hands over. */
  void takenBack(Deployment actual) {
    handedOver.remove(actual.getMetadata().getUid());
  }

  private static boolean operatorOwnsReplicas(KubernetesClient client, Deployment actual) {
    String path = URLUtils.join(client.getMasterUrl().toString(), "apis/apps/v1/namespaces",
        actual.getMetadata().getNamespace(), "deployments", actual.getMetadata().getName());
    String stored = client.raw(path);
    if (stored == null) {
      return false; // gone: the apply creates it
    }
    try {
      for (JsonNode entry : JSON.readTree(stored).path("metadata").path("managedFields")) {
        if (OperatedServiceReconciler.FIELD_MANAGER.equals(entry.path("manager").asText())
            && "Apply".equals(entry.path("operation").asText())
            && entry.path("fieldsV1").path("f:spec").has("f:replicas")) {
          return true;
        }
      }
      return false;
    } catch (JsonProcessingException unreadable) {
      throw new IllegalStateException("the Deployment " + actual.getMetadata().getNamespace()
          + "/" + actual.getMetadata().getName() + " could not be read to hand its replicas "
          + "over: " + unreadable.getOriginalMessage(), unreadable);
    }
  }
}
