package dev.operated.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the pods of a service and says which container holds it back. Pure: pods in, at most one
 * finding out, the most actionable one (a broken image before a slow probe).
 *
 * <p>Containers are told apart by position and restartPolicy, not by name, so an Istio or Linkerd
 * proxy injected under any name is still seen as a sidecar. Pods being deleted are left out: the
 * exit codes of sidecars stopped during termination are not failures.
 */
public final class PodDiagnosis {

  public static final String UNSCHEDULABLE = "Unschedulable";
  public static final String IMAGE_PULL_FAILING = "ImagePullFailing";
  public static final String CRASH_LOOP = "CrashLoop";
  public static final String SIDECAR_NOT_STARTED = "SidecarNotStarted";
  public static final String SIDECAR_NOT_READY = "SidecarNotReady";
  public static final String PROBE_FAILING = "ProbeFailing";
  public static final String APP_NOT_READY = "AppNotReady";

  /** Most actionable first: it decides which finding a service with several reports. */
  private static final List<String> PRIORITY = List.of(UNSCHEDULABLE, IMAGE_PULL_FAILING,
      CRASH_LOOP, SIDECAR_NOT_STARTED, SIDECAR_NOT_READY, PROBE_FAILING, APP_NOT_READY);

  /**
   * Kubernetes' defaults for a probe that leaves them out (SetDefaults_Probe in
   * pkg/apis/core/v1/defaults.go): the pods the operator generates always set both.
   */
  static final int DEFAULT_PROBE_PERIOD_SECONDS = 10;
  static final int DEFAULT_PROBE_FAILURE_THRESHOLD = 3;
  /** The termination message can be 4 KiB of logs; a condition message should stay readable. */
  static final int MAX_DETAIL = 512;
  public static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> IMAGE_PULL_REASONS = Set.of("ErrImagePull", "ImagePullBackOff",
      "InvalidImageName", "ErrImageNeverPull");

  private PodDiagnosis() {
  }

  /** What one pod says; grouped over pods into a {@link PodFinding}. */
  private record Observed(String reason, String container, ContainerRole role, String since,
      String detail) {
  }

  private record Key(String reason, String container, ContainerRole role) {
  }

  public static Optional<PodFinding> diagnose(List<Pod> pods, Instant now) {
    List<Pod> live = pods.stream().filter(PodDiagnosis::isLive)
        .sorted(Comparator.comparing(pod -> pod.getMetadata().getName())).toList();
    Map<Key, List<Observed>> byKey = live.stream().filter(pod -> !isReady(pod))
        .map(pod -> examine(pod, now)).flatMap(Optional::stream)
        .collect(Collectors.groupingBy(o -> new Key(o.reason(), o.container(), o.role())));
    return byKey.entrySet().stream()
        .min(Comparator.<Map.Entry<Key, List<Observed>>>comparingInt(
                entry -> PRIORITY.indexOf(entry.getKey().reason()))
            .thenComparing(entry -> -entry.getValue().size())
            .thenComparing(entry -> String.valueOf(entry.getKey().container())))
        .map(entry -> {
          List<Observed> observed = entry.getValue();
          String since = observed.stream().map(Observed::since).filter(Objects::nonNull)
              .min(Comparator.naturalOrder()).orElse(null);
          Key key = entry.getKey();
          return new PodFinding(key.reason(), key.container(), key.role(), observed.size(),
              live.size(), since, observed.get(0).detail());
        });
  }

  private static Optional<Observed> examine(Pod pod, Instant now) {
    String since = notReadySince(pod);
    Optional<PodCondition> unschedulable = condition(pod, "PodScheduled")
        .filter(c -> "False".equals(c.getStatus()));
    if (unschedulable.isPresent()) {
      return Optional.of(new Observed(UNSCHEDULABLE, null, null, since,
          unschedulable.get().getMessage()));
    }
    Map<String, ContainerRole> roles = roles(pod);
    List<ContainerStatus> statuses = new ArrayList<>(pod.getStatus().getInitContainerStatuses());
    statuses.addAll(pod.getStatus().getContainerStatuses());
    for (ContainerStatus status : statuses) {
      ContainerState state = status.getState();
      if (state != null && state.getWaiting() != null
          && IMAGE_PULL_REASONS.contains(state.getWaiting().getReason())) {
        return observed(IMAGE_PULL_FAILING, status, roles, since, state.getWaiting().getMessage());
      }
    }
    for (ContainerStatus status : statuses) {
      if (isCrashLooping(status)) {
        return observed(CRASH_LOOP, status, roles, since, crashDetail(status));
      }
    }
    for (ContainerStatus status : statuses) {
      if (roles.get(status.getName()) == ContainerRole.SIDECAR && !hasStarted(status)) {
        return observed(SIDECAR_NOT_STARTED, status, roles, since, waitingDetail(status));
      }
    }
    for (ContainerStatus status : statuses) {
      if (roles.get(status.getName()) == ContainerRole.SIDECAR
          && !Boolean.TRUE.equals(status.getReady())) {
        return observed(SIDECAR_NOT_READY, status, roles, since, null);
      }
    }
    for (ContainerStatus status : statuses) {
      if (roles.get(status.getName()) == ContainerRole.APP
          && !Boolean.TRUE.equals(status.getReady())) {
        return Optional.of(appNotReady(pod, status, since, now));
      }
    }
    return Optional.empty();
  }

  private static Observed appNotReady(Pod pod, ContainerStatus status, String since,
      Instant now) {
    ContainerState state = status.getState();
    boolean running = state != null && state.getRunning() != null;
    if (!running) {
      return new Observed(APP_NOT_READY, status.getName(), ContainerRole.APP, since,
          waitingDetail(status));
    }
    if (!Boolean.TRUE.equals(status.getStarted())) {
      return new Observed(APP_NOT_READY, status.getName(), ContainerRole.APP, since,
          "its startup probe has not passed yet");
    }
    boolean failing = probeFailingFrom(pod, status).filter(from -> !from.isAfter(now))
        .isPresent();
    return new Observed(failing ? PROBE_FAILING : APP_NOT_READY, status.getName(),
        ContainerRole.APP, since, null);
  }

  /**
   * When a started, unready app stops counting as warming up and starts counting as failing its
   * readiness probe: once the probe had time to fail as often as it is allowed to, by the
   * period and failure threshold of the probe in the pod itself (the one the operator generated).
   */
  private static Optional<Instant> probeFailingFrom(Pod pod, ContainerStatus status) {
    Optional<Instant> startedAt = Optional.ofNullable(status.getState())
        .map(ContainerState::getRunning).flatMap(running -> instant(running.getStartedAt()));
    return startedAt.map(started -> started.plus(readinessBudget(pod, status.getName())));
  }

  static Duration readinessBudget(Pod pod, String container) {
    Optional<Probe> probe = pod.getSpec().getContainers().stream()
        .filter(c -> container.equals(c.getName())).findFirst()
        .map(Container::getReadinessProbe);
    int period = probe.map(Probe::getPeriodSeconds).orElse(DEFAULT_PROBE_PERIOD_SECONDS);
    int failures = probe.map(Probe::getFailureThreshold)
        .orElse(DEFAULT_PROBE_FAILURE_THRESHOLD);
    return Duration.ofSeconds((long) period * failures);
  }

  /**
   * The first moment after {@code now} at which diagnosing the same pods gives another answer
   * although nothing in the cluster changed: an unready app crossing its readiness budget. No
   * event announces that moment, so the reconciler has to come back for it by itself.
   */
  public static Optional<Instant> nextChange(List<Pod> pods, Instant now) {
    return pods.stream().filter(PodDiagnosis::isLive).filter(pod -> !isReady(pod))
        .flatMap(pod -> {
          Map<String, ContainerRole> roles = roles(pod);
          return pod.getStatus().getContainerStatuses().stream()
              .filter(status -> roles.get(status.getName()) == ContainerRole.APP)
              .filter(status -> Boolean.TRUE.equals(status.getStarted())
                  && !Boolean.TRUE.equals(status.getReady()))
              .map(status -> probeFailingFrom(pod, status)).flatMap(Optional::stream);
        })
        .filter(moment -> moment.isAfter(now))
        .min(Comparator.naturalOrder());
  }

  /**
   * The app is the container kubectl would pick (the operator sets the annotation, so injected
   * proxies placed before it change nothing), else the first one. Init containers that keep
   * running (restartPolicy Always) are native sidecars; every other regular container is one too.
   */
  static Map<String, ContainerRole> roles(Pod pod) {
    Map<String, ContainerRole> roles = new HashMap<>();
    for (Container init : pod.getSpec().getInitContainers()) {
      roles.put(init.getName(), "Always".equals(init.getRestartPolicy())
          ? ContainerRole.SIDECAR : ContainerRole.INIT);
    }
    List<Container> containers = pod.getSpec().getContainers();
    String declared = pod.getMetadata().getAnnotations() == null ? null
        : pod.getMetadata().getAnnotations().get(DEFAULT_CONTAINER_ANNOTATION);
    String app = containers.stream().map(Container::getName).filter(n -> n.equals(declared))
        .findFirst().orElse(containers.isEmpty() ? null : containers.get(0).getName());
    for (Container container : containers) {
      roles.put(container.getName(), container.getName().equals(app)
          ? ContainerRole.APP : ContainerRole.SIDECAR);
    }
    return roles;
  }

  private static boolean isCrashLooping(ContainerStatus status) {
    ContainerState state = status.getState();
    if (state != null && state.getWaiting() != null
        && "CrashLoopBackOff".equals(state.getWaiting().getReason())) {
      return true;
    }
    ContainerStateTerminated last = lastTermination(status);
    return last != null && last.getExitCode() != null && last.getExitCode() != 0
        && status.getRestartCount() != null && status.getRestartCount() > 0
        && !Boolean.TRUE.equals(status.getReady());
  }

  private static String crashDetail(ContainerStatus status) {
    ContainerStateTerminated last = lastTermination(status);
    StringBuilder detail = new StringBuilder("restarted ").append(status.getRestartCount())
        .append(" times");
    if (last != null) {
      detail.append(", last exit code ").append(last.getExitCode());
      if (last.getReason() != null) {
        detail.append(" (").append(last.getReason()).append(')');
      }
      lastLine(last.getMessage()).ifPresent(line -> detail.append(": ").append(line));
    }
    return detail.toString();
  }

  /**
   * The last line a crashed container wrote: for the sample-service, its panic event. A JSON log
   * line is shown by its message, which is what a human reads first.
   */
  private static Optional<String> lastLine(String message) {
    if (message == null) {
      return Optional.empty();
    }
    List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    String line = lines.get(lines.size() - 1);
    String shown = jsonMessage(line).orElse(line);
    return Optional.of(shown.length() > MAX_DETAIL ? shown.substring(0, MAX_DETAIL) + "..."
        : shown);
  }

  private static Optional<String> jsonMessage(String line) {
    if (!line.startsWith("{")) {
      return Optional.empty();
    }
    try {
      JsonNode event = JSON.readTree(line);
      return event.path("message").isTextual() ? Optional.of(event.path("message").asText())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // cut off at the front by the kubelet's 2 KiB: show it raw
    }
  }

  private static ContainerStateTerminated lastTermination(ContainerStatus status) {
    if (status.getLastState() != null && status.getLastState().getTerminated() != null) {
      return status.getLastState().getTerminated();
    }
    return status.getState() == null ? null : status.getState().getTerminated();
  }

  /** A native sidecar reports started once its startup probe passed; a legacy one when running. */
  private static boolean hasStarted(ContainerStatus status) {
    if (status.getStarted() != null) {
      return status.getStarted();
    }
    return status.getState() != null && status.getState().getRunning() != null;
  }

  private static String waitingDetail(ContainerStatus status) {
    ContainerState state = status.getState();
    if (state == null || state.getWaiting() == null) {
      return null;
    }
    String reason = state.getWaiting().getReason();
    String message = state.getWaiting().getMessage();
    return message == null || message.isBlank() ? reason : reason + ": " + message;
  }

  private static Optional<Observed> observed(String reason, ContainerStatus status,
      Map<String, ContainerRole> roles, String since, String detail) {
    return Optional.of(new Observed(reason, status.getName(),
        roles.getOrDefault(status.getName(), ContainerRole.SIDECAR), since, detail));
  }

  private static boolean isLive(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
        && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  private static boolean isReady(Pod pod) {
    return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static String notReadySince(Pod pod) {
    return condition(pod, "Ready").map(PodCondition::getLastTransitionTime)
        .or(() -> Optional.ofNullable(pod.getStatus().getStartTime()))
        .orElse(pod.getMetadata().getCreationTimestamp());
  }

  private static Optional<PodCondition> condition(Pod pod, String type) {
    return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  private static Optional<Instant> instant(String timestamp) {
    try {
      return Optional.ofNullable(timestamp).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
