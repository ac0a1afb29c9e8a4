package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.desired.RecentlyUsed;
import dev.operated.status.ConditionTypes;
import dev.operated.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on the OperatedService when its Ready condition changes.
 *
 * <p>Written by a thread of their own, as client-go's event broadcaster writes them: a reconcile
 * hands the Event over and goes on, and a queue of at most {@link #MAX_QUEUED} Events drops what
 * does not fit ({@code maxQueuedEvents} = 1000 and {@code watch.DropIfChannelFull} in
 * tools/record/event.go). During a storm of a thousand new services the reconcile threads then
 * wait only on their applies and status patches, and the Events follow.
 */
public final class ServiceEvents {

  static final String COMPONENT = "operated";
  static final int MAX_QUEUED = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(ServiceEvents.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final EventBudget budget;
  /** The Events written, by what makes two of them the same; bounded as the budget's objects. */
  private final Map<String, WrittenEvent> writtenEvents =
      RecentlyUsed.synchronizedMap(EventBudget.REMEMBERED_OBJECTS);
  /** One thread, started when there is an Event to write and gone after a quiet half minute. */
  private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(MAX_QUEUED), runnable -> {
        Thread thread = new Thread(runnable, "operated-events");
        thread.setDaemon(true);
        return thread;
      }, (event, pool) -> dropped());
  private final AtomicLong droppedEvents = new AtomicLong();

  private record WrittenEvent(String name, int count) {
  }

  public ServiceEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.budget = new EventBudget(clock);
    writer.allowCoreThreadTimeOut(true);
  }

  /**
   * One event per change of Ready's status or reason, so `kubectl describe` tells the story,
   * and one when an HPA begins to contest the spec's replicas (Degraded, ReplicasContested).
   */
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
    // a contest over replicas leaves Ready as it is, so it is told on its own
    Optional<Condition> contested = next.condition(ConditionTypes.DEGRADED)
        .filter(degraded -> StatusAggregator.REPLICAS_CONTESTED.equals(degraded.getReason()));
    boolean contestedBefore = previous.flatMap(s -> s.condition(ConditionTypes.DEGRADED))
        .filter(degraded -> StatusAggregator.REPLICAS_CONTESTED.equals(degraded.getReason()))
        .isPresent();
    if (contested.isPresent() && !contestedBefore) {
      record(resource, "Warning", contested.get().getReason(), contested.get().getMessage());
    }
  }

  private static boolean isWarning(String reason) {
    return !StatusAggregator.PROGRESS_REASONS.contains(reason);
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
    ObjectReference about = new ObjectReferenceBuilder()
        .withApiVersion(resource.getApiVersion())
        .withKind(resource.getKind())
        .withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace())
        .withUid(resource.getMetadata().getUid())
        .build();
    String now = clock.instant().toString();
    writer.execute(() -> write(about, String.join("\u0000", objectKey, type, reason,
        shortMessage), type, reason, shortMessage, now));
  }

  /** Logged at the 1st, 2nd, 4th, 8th... drop: a storm's drops say so without a line each. */
  private void dropped() {
    long dropped = droppedEvents.incrementAndGet();
    if (Long.bitCount(dropped) == 1) {
      LOG.warn("{} Event(s) dropped so far: {} were waiting to be written", dropped, MAX_QUEUED);
    }
  }

  private void write(ObjectReference about, String eventKey, String type, String reason,
      String message, String now) {
    try {
      WrittenEvent written = writtenEvents.get(eventKey);
      Event event = written == null ? create(about, type, reason, message, now)
          : raiseCount(about, written, type, reason, message, now);
      writtenEvents.put(eventKey, new WrittenEvent(event.getMetadata().getName(),
          event.getCount() == null ? 1 : event.getCount()));
    } catch (RuntimeException e) {
      // An event is a courtesy; failing to write one must not fail anything else, and this thread
      // has no caller to tell: a refused write, or a client closed while the Event waited (the
      // operator stopping) ends here.
      LOG.warn("could not record event {} on {}: {}", reason, about.getName(), e.toString());
    }
  }

  private Event raiseCount(ObjectReference about, WrittenEvent written, String type,
      String reason, String message, String now) {
    Event countAndTime = new EventBuilder().withCount(written.count() + 1).withLastTimestamp(now)
        .build();
    try {
      return client.v1().events().inNamespace(about.getNamespace())
          .withName(written.name())
          .patch(PatchContext.of(PatchType.JSON_MERGE), countAndTime);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      // Events expire (an hour by default): a gone one is written anew, as client-go does.
      return create(about, type, reason, message, now);
    }
  }

  private Event create(ObjectReference about, String type, String reason, String message,
      String now) {
    return client.v1().events().inNamespace(about.getNamespace())
        .resource(new EventBuilder()
            .withNewMetadata()
              .withGenerateName(about.getName() + ".")
              .withNamespace(about.getNamespace())
            .endMetadata()
            .withInvolvedObject(about)
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
