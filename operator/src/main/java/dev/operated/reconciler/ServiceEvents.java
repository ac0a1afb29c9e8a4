package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.status.ConditionTypes;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
  private final EventBudget budget;
  /** The Events written, by what makes two of them the same; bounded as the budget's objects. */
  private final Map<String, WrittenEvent> writtenEvents = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, WrittenEvent> eldest) {
          return size() > EventBudget.REMEMBERED_OBJECTS;
        }
      });

  private record WrittenEvent(String name, int count) {
  }

  public ServiceEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.budget = new EventBudget(clock);
  }

  /** One event per change of Ready's status or reason, so `kubectl describe` tells the story. */
  public void onTransition(OperatedService resource, OperatedServiceStatus next) {
    onTransition(resource, Optional.ofNullable(resource.getStatus()), next);
  }

  /** As above, against the status the object had before, which the caller knows best. */
  public void onTransition(OperatedService resource, Optional<OperatedServiceStatus> previous,
      OperatedServiceStatus next) {
    Optional<Condition> before = previous.flatMap(s -> s.condition(ConditionTypes.READY));
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

  /**
   * Writes an Event as client-go's EventCorrelator does: within the budget of
   * {@link EventBudget}, and an Event already written about this object with the same type,
   * reason and message gets its count raised instead of a new Event beside it ({@code
   * eventLogger.eventObserve} in tools/record/events_cache.go).
   */
  void record(OperatedService resource, String type, String reason, String message) {
    String shortMessage = message.length() > 1024 ? message.substring(0, 1021) + "..." : message;
    String objectKey = String.join("/", resource.getKind(), resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(), resource.getMetadata().getUid());
    if (!budget.tryTake(objectKey)) {
      LOG.debug("event {} on {} dropped: over its budget", reason, objectKey);
      return;
    }
    String eventKey = String.join("\u0000", objectKey, type, reason, shortMessage);
    String now = clock.instant().toString();
    try {
      WrittenEvent written = writtenEvents.get(eventKey);
      Event event = written == null ? create(resource, type, reason, shortMessage, now)
          : raiseCount(resource, written, type, reason, shortMessage, now);
      writtenEvents.put(eventKey, new WrittenEvent(event.getMetadata().getName(),
          event.getCount() == null ? 1 : event.getCount()));
    } catch (KubernetesClientException e) {
      // An event is a courtesy; failing to write one must not fail the reconcile.
      LOG.warn("could not record event {} on {}: {}", reason, resource.getMetadata().getName(),
          e.getMessage());
    }
  }

  private Event raiseCount(OperatedService resource, WrittenEvent written, String type,
      String reason, String message, String now) {
    Event countAndTime = new EventBuilder().withCount(written.count() + 1).withLastTimestamp(now)
        .build();
    try {
      return client.v1().events().inNamespace(resource.getMetadata().getNamespace())
          .withName(written.name())
          .patch(PatchContext.of(PatchType.JSON_MERGE), countAndTime);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      // Events expire (an hour by default): a gone one is written anew, as client-go does.
      return create(resource, type, reason, message, now);
    }
  }

  private Event create(OperatedService resource, String type, String reason, String message,
      String now) {
    return client.v1().events().inNamespace(resource.getMetadata().getNamespace())
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
            .withMessage(message)
            .withNewSource().withComponent(COMPONENT).endSource()
            .withReportingComponent(COMPONENT)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build())
        .create();
  }
}
