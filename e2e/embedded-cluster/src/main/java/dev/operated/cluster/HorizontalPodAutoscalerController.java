package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's horizontal pod autoscaler (pkg/controller/podautoscaler/horizontal.go,
 * {@code reconcileAutoscaler}) on a cluster without a metrics API, as one without metrics-server:
 * it reads the target's scale, brings a count outside {@code minReplicas..maxReplicas} back to
 * the nearest bound through the scale subresource ({@code SuccessfulRescale}), leaves a count at
 * zero alone ({@code ScalingDisabled}), and inside the bounds can compute nothing: its metrics
 * fail as they do when {@code metrics.k8s.io} is not served ({@code ScalingActive} False,
 * {@code FailedGetResourceMetric}), so it never scales on load. What an operator meets of an HPA
 * is all here: its minimum taking the Deployment's replicas back whenever an apply sets fewer.
 *
 * <p>Every HPA is synced every sync period ({@link #SYNC_PERIOD} unless the cluster is built
 * with another, as the controller's {@code --horizontal-pod-autoscaler-sync-period}); a new HPA,
 * or one whose spec changed, at once, where the real controller's rate-limited queue waits up to that period. Events are
 * recorded as client-go's recorder does, a repeat counted on the same Event.
 */
final class HorizontalPodAutoscalerController implements AutoCloseable {

  static final Duration SYNC_PERIOD = Duration.ofSeconds(15);

  private static final Logger LOG = LoggerFactory.getLogger(
      HorizontalPodAutoscalerController.class);
  private static final ApiTarget AUTOSCALERS = ApiTarget.parse(
      "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers");
  private static final String COMPONENT = "horizontal-pod-autoscaler";
  /** What a client of a group the server does not serve hears (here metrics.k8s.io). */
  private static final String NOT_SERVED = "the server could not find the requested resource";

  /** An Event one sync records. */
  private record Event(String type, String reason, String message) {
  }

  /** What one sync decided: the status to write, and the Events that say so. */
  private record Outcome(ObjectNode status, List<Event> events) {
  }

  private final Storage api;
  private final Clock clock;
  private final Duration syncPeriod;
  private final EventRecorder events;
  private final WorkQueue queue;
  /** "namespace/name" → when the autoscaler is synced again without a change. */
  private final Map<String, Instant> nextSync = new ConcurrentHashMap<>();

  HorizontalPodAutoscalerController(Storage api, Clock clock, Duration syncPeriod) {
    this.api = api;
    this.clock = clock;
    this.syncPeriod = syncPeriod;
    this.events = new EventRecorder(api, COMPONENT, clock);
    this.queue = new WorkQueue("embedded-cluster-hpa-controller", this::sync, this::resync, LOG);
    api.addListener(this::changed);
    queue.start();
  }

  private void changed(Storage.Change change) {
    if (!"horizontalpodautoscalers".equals(change.target().plural())) {
      return;
    }
    String key = change.target().namespace() + "/" + change.target().name();
    if (change.object() == null) {
      nextSync.remove(key);
    } else if (change.previous() == null
        || !change.previous().path("spec").equals(change.object().path("spec"))) {
      nextSync.put(key, Instant.now(clock));
      queue.enqueue(change.target().namespace(), change.target().name());
    }
  }

  private void resync() {
    Instant now = Instant.now(clock);
    nextSync.forEach((key, due) -> {
      if (!due.isAfter(now)) {
        int slash = key.indexOf('/');
        queue.enqueue(key.substring(0, slash), key.substring(slash + 1));
      }
    });
  }

  private void sync(String namespace, String name) {
    ApiTarget target = AUTOSCALERS.withNamespace(namespace).withName(name);
    ObjectNode autoscaler = api.get(target);
    if (autoscaler == null) {
      return;
    }
    nextSync.put(namespace + "/" + name, Instant.now(clock).plus(syncPeriod));
    Outcome outcome = reconcile(autoscaler);
    // updateStatusIfNeeded: a sync that changed nothing writes nothing
    if (!outcome.status().equals(autoscaler.path("status"))) {
      api.updateInternal(target.withSubresource("status"), stored -> {
        stored.set("status", outcome.status());
        return stored;
      }, DeploymentController.MANAGER);
    }
    outcome.events().forEach(event ->
        events.record(autoscaler, event.type(), event.reason(), event.message()));
  }

  /** reconcileAutoscaler, from the autoscaler as stored to the status it should have. */
  private Outcome reconcile(ObjectNode autoscaler) {
    JsonNode spec = autoscaler.path("spec");
    ObjectNode status = autoscaler.path("status").isObject()
        ? ((ObjectNode) autoscaler.get("status")).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    // what the status always carries (no omitempty in v2's type): desiredReplicas, and
    // currentMetrics, null until a metric is read
    status.put("desiredReplicas", status.path("desiredReplicas").asInt(0));
    if (!status.has("currentMetrics")) {
      status.putNull("currentMetrics");
    }
    JsonNode reference = spec.path("scaleTargetRef");
    String namespace = autoscaler.path("metadata").path("namespace").asText();
    Optional<ApiTarget> scalable = scalable(reference, namespace);
    ObjectNode scaled = scalable.map(api::get).orElse(null);
    if (scaled == null) {
      String failure = scalable.isEmpty()
          ? "no matches for kind \"" + reference.path("kind").asText() + "\" in group \""
              + group(reference) + "\""
          : scalable.get().plural() + "." + scalable.get().group() + " \""
              + reference.path("name").asText() + "\" not found";
      setCondition(status, "AbleToScale", false, "FailedGetScale",
          "the HPA controller was unable to get the target's current scale: " + failure);
      return new Outcome(status, List.of(new Event("Warning", "FailedGetScale", failure)));
    }
    setCondition(status, "AbleToScale", true, "SucceededGetScale",
        "the HPA controller was able to get the target's current scale");
    int current = scaled.path("spec").path("replicas").asInt(1);
    int minimum = spec.path("minReplicas").asInt(1);
    int maximum = spec.path("maxReplicas").asInt();

    String rescaleReason;
    int desired;
    if (current == 0 && minimum != 0) {
      setCondition(status, "ScalingActive", false, "ScalingDisabled",
          "scaling is disabled since the replica count of the target is zero");
      return new Outcome(withReplicas(status, current, 0, false), List.of());
    } else if (current > maximum) {
      rescaleReason = "Current number of replicas above Spec.MaxReplicas";
      desired = maximum;
    } else if (current < minimum) {
      rescaleReason = "Current number of replicas below Spec.MinReplicas";
      desired = minimum;
    } else {
      // computeReplicasForMetrics: every metric fails (getUnableComputeReplicaCountCondition
      // records each), and the first one's failure is the condition
      JsonNode metrics = spec.path("metrics");
      List<Event> failures = new ArrayList<>();
      metrics.forEach(metric -> {
        MetricFailure failure = MetricFailure.of(metric);
        failures.add(new Event("Warning", failure.reason(), failure.message()));
      });
      MetricFailure first = MetricFailure.of(metrics.path(0));
      setCondition(status, "ScalingActive", false, first.reason(),
          "the HPA was unable to compute the replica count: " + first.message());
      failures.add(new Event("Warning", "FailedComputeMetricsReplicas", "invalid metrics ("
          + metrics.size() + " invalid out of " + metrics.size() + "), first error is: "
          + first.valueMessage()));
      // setCurrentReplicasInStatus: the desired count and current metrics as they were
      status.put("currentReplicas", current);
      return new Outcome(status, failures);
    }
    scalable.ifPresent(scale -> api.updateInternal(scale.withSubresource("scale"), object -> {
      object.with("spec").put("replicas", desired);
      return object;
    }, DeploymentController.MANAGER));
    setCondition(status, "AbleToScale", true, "SucceededRescale",
        "the HPA controller was able to update the target scale to " + desired);
    return new Outcome(withReplicas(status, current, desired, true), List.of(new Event("Normal",
        "SuccessfulRescale", "New size: " + desired + "; reason: " + rescaleReason)));
  }

  /**
   * Why a metric cannot be read without a metrics API: the Resource metrics' wording is
   * computeStatusForResourceMetricGeneric's over GetResourceReplicas's over the resource metrics
   * client's; the custom and external metrics name their API the same way. {@code valueMessage}
   * is what computeReplicasForMetric wraps it in.
   */
  private record MetricFailure(String reason, String message, String valuePrefix) {

    String valueMessage() {
      return valuePrefix + message;
    }

    static MetricFailure of(JsonNode metric) {
      String type = metric.path("type").asText("Resource");
      return switch (type) {
        case "Resource", "ContainerResource" -> {
          JsonNode source = metric.path("Resource".equals(type) ? "resource"
              : "containerResource");
          String resource = source.path("name").asText();
          String measured = source.path("target").hasNonNull("averageValue") ? "usage"
              : "utilization";
          yield new MetricFailure("FailedGet" + type + "Metric", "failed to get " + resource
              + " " + measured + ": unable to get metrics for resource " + resource
              + ": unable to fetch metrics from resource metrics API: " + NOT_SERVED
              + " (get pods.metrics.k8s.io)", "failed to get " + resource + " "
              + ("Resource".equals(type) ? "resource" : "container") + " metric value: ");
        }
        case "External" -> new MetricFailure("FailedGetExternalMetric", "unable to get "
            + "external metric " + metric.path("external").path("metric").path("name").asText()
            + ": unable to fetch metrics from external metrics API: " + NOT_SERVED,
            "failed to get external metric value: ");
        default -> new MetricFailure("FailedGet" + type + "Metric", "unable to get metric "
            + metric.path(type.toLowerCase()).path("metric").path("name").asText()
            + ": unable to fetch metrics from custom metrics API: " + NOT_SERVED,
            "failed to get " + type.toLowerCase() + " metric value: ");
      };
    }
  }

  /** A built-in kind with a scale subresource, as the controller's RESTMapper finds it. */
  private static Optional<ApiTarget> scalable(JsonNode reference, String namespace) {
    String apiVersion = reference.path("apiVersion").asText();
    return Discovery.BUILT_IN.stream()
        .filter(kind -> kind.groupVersion().equals(apiVersion)
            && kind.kind().equals(reference.path("kind").asText())
            && kind.subresources().contains("scale"))
        .findFirst()
        .map(kind -> ApiTarget.parse("/apis/" + kind.groupVersion() + "/namespaces/"
            + namespace + "/" + kind.plural() + "/" + reference.path("name").asText()));
  }

  private static String group(JsonNode reference) {
    String apiVersion = reference.path("apiVersion").asText();
    return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
  }

  /** setStatus: the counts, no current metrics, and the time of a rescale. */
  private ObjectNode withReplicas(ObjectNode status, int current, int desired, boolean rescaled) {
    status.put("currentReplicas", current);
    status.put("desiredReplicas", desired);
    status.putNull("currentMetrics");
    if (rescaled) {
      status.put("lastScaleTime", now());
    }
    return status;
  }

  /** setConditionInList: the transition time moves only when the status does. */
  private void setCondition(ObjectNode status, String type, boolean value, String reason,
      String message) {
    ArrayNode conditions = status.withArray("conditions");
    ObjectNode condition = null;
    for (JsonNode existing : conditions) {
      if (type.equals(existing.path("type").asText())) {
        condition = (ObjectNode) existing;
      }
    }
    String statusValue = value ? "True" : "False";
    if (condition == null) {
      condition = conditions.addObject().put("type", type);
    }
    if (!statusValue.equals(condition.path("status").asText())) {
      condition.put("lastTransitionTime", now());
    }
    condition.put("status", statusValue);
    condition.put("reason", reason);
    condition.put("message", message);
  }

  private String now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
