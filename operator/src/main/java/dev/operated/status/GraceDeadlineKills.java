package dev.operated.status;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which containers of a terminating pod the kubelet killed at the end of the grace period: the
 * drain and shutdown budget did not cover what the container really needed.
 *
 * <p>The kubelet stops a container of a pod being deleted with the runtime's StopContainer and
 * the remaining grace period as its timeout; when the timeout passes, the runtime sends SIGKILL
 * (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go, killContainer). The
 * container then ends with exit code 128 + 9, and the pod has a deletionTimestamp. An OOM kill
 * also ends with 137 but says so in its reason, so it is not counted here.
 */
public final class GraceDeadlineKills {

  /** 128 + SIGKILL, as container runtimes report a container ended by signal 9. */
  static final int SIGKILL_EXIT_CODE = 137;
  static final String OOM_KILLED = "OOMKilled";

  private GraceDeadlineKills() {
  }

  /** The containers of this pod that were killed at its grace deadline; empty while running. */
  public static List<String> containers(Pod pod) {
    if (pod.getMetadata() == null || pod.getMetadata().getDeletionTimestamp() == null
        || pod.getStatus() == null) {
      return List.of();
    }
    return Stream.concat(
            Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of())
                .stream(),
            Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of())
                .stream())
        .filter(GraceDeadlineKills::killed)
        .map(ContainerStatus::getName)
        .toList();
  }

  private static boolean killed(ContainerStatus status) {
    ContainerStateTerminated terminated = status.getState() == null ? null
        : status.getState().getTerminated();
    return terminated != null && terminated.getExitCode() != null
        && terminated.getExitCode() == SIGKILL_EXIT_CODE
        && !OOM_KILLED.equals(terminated.getReason());
  }
}
