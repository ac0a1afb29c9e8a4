package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.status.ConditionTypes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on the OperatedService when its Ready condition changes. */
public final class ServiceEvents {

  static final String COMPONENT = "operated";
  private static final Logger LOG = LoggerFactory.getLogger(ServiceEvents.class);

  private final KubernetesClient client;
  private final Clock clock;

  public ServiceEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** One event per change of Ready's status or reason, so `kubectl describe` tells the story. */
  public void onTransition(OperatedService resource, OperatedServiceStatus next) {
    Optional<Condition> before = Optional.ofNullable(resource.getStatus())
        .flatMap(s -> s.condition(ConditionTypes.READY));
    Condition after = next.condition(ConditionTypes.READY).orElseThrow();
    boolean changed = before.map(b -> !Objects.equals(b.getStatus(), after.getStatus())
        || !Objects.equals(b.getReason(), after.getReason())).orElse(true);
    if (changed) {
      record(resource, "True".equals(after.getStatus()) || !isWarning(after.getReason())
          ? "Normal" : "Warning", after.getReason(), after.getMessage());
    }
  }

  private static boolean isWarning(String reason) {
    return switch (reason) {
      case "Creating", "RolloutInProgress" -> false;
      default -> true;
    };
  }

  void record(OperatedService resource, String type, String reason, String message) {
    String now = clock.instant().toString();
    try {
      client.v1().events().inNamespace(resource.getMetadata().getNamespace())
          .resource(new EventBuilder()
              .withNewMetadata()
                .withGenerateName(resource.getMetadata().getName() + ".")
                .withNamespace(resource.getMetadata().getNamespace())
              .endMetadata()
              .withInvolvedObject(new ObjectReferenceBuilder()
                  .withApiVersion(resource.getApiVersion())
                  .withKind(resource.getKind())
                  .withName(resource.getMetadata().getName())
                  .withNamespace(resource.getMetadata().getNamespace())
                  .withUid(resource.getMetadata().getUid())
                  .build())
              .withType(type)
              .withReason(reason)
              .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
              .withNewSource().withComponent(COMPONENT).endSource()
              .withReportingComponent(COMPONENT)
              .withFirstTimestamp(now)
              .withLastTimestamp(now)
              .withCount(1)
              .build())
          .create();
    } catch (KubernetesClientException e) {
      // An event is a courtesy; failing to write one must not fail the reconcile.
      LOG.warn("could not record event {} on {}: {}", reason, resource.getMetadata().getName(),
          e.getMessage());
    }
  }
}
