package dev.operated.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import io.fabric8.kubernetes.api.model.Status;

/**
 * Why applying the desired state failed, in words a service owner can act on: which object, the
 * API server's answer (its code and its message, which for a 422 names the field), and not the
 * client's stack trace. JOSDK reports the dependents that failed together; each is listed.
 */
final class ApplyFailure {

  /** {@code v1.NamespaceTerminatingCause}. */
  private static final String NAMESPACE_TERMINATING = "NamespaceTerminating";

  private ApplyFailure() {
  }

  /**
   * The workflow's failure: an object the API server refused or could not take. Only this is
   * reported as ApplyFailed; a reconcile that fails elsewhere (its status patch refused, a read)
   * applied nothing wrong, and saying otherwise would flip a Ready service to Degraded and back
   * with an Event each way.
   */
  static final class ApplyFailed extends RuntimeException {
    ApplyFailed(RuntimeException workflowFailure) {
      super(workflowFailure.getMessage(), workflowFailure);
    }

    RuntimeException workflowFailure() {
      return (RuntimeException) getCause();
    }
  }

  /**
   * The apply's failure in what reached JOSDK's error handler, if it is one. It may come wrapped:
   * JOSDK's Micrometer metrics time the reconcile and rethrow its exception inside an
   * {@code OperatorException}, as the installed operator's log showed.
   */
  static Optional<ApplyFailed> of(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof ApplyFailed applyFailed) {
        return Optional.of(applyFailed);
      }
    }
    return Optional.empty();
  }

  /** Runs the workflow, its failure marked as the apply's unless the operator is stopping. */
  static <T> T marking(Supplier<T> workflow) {
    try {
      return workflow.get();
    } catch (RuntimeException failure) {
      throw stopping(failure) ? failure : new ApplyFailed(failure);
    }
  }

  /**
   * A workflow whose executor was shut down under it: the operator is stopping, and its nodes
   * never reached the API server (JOSDK stops the executors while reconciles are in flight).
   */
  private static boolean stopping(RuntimeException failure) {
    return each(failure).stream().anyMatch(ApplyFailure::rejected);
  }

  /** The dependents' failures JOSDK reports together, or the one failure. */
  private static List<Exception> each(RuntimeException failure) {
    return failure instanceof AggregatedOperatorException aggregated
        ? List.copyOf(aggregated.getAggregatedExceptions().values()) : List.of(failure);
  }

  private static boolean rejected(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof RejectedExecutionException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every object of the failed apply was refused for being created in a namespace that
   * is being deleted (the NamespaceLifecycle admission plugin's 403, cause NamespaceTerminating).
   */
  static boolean namespaceTerminating(ApplyFailed applyFailed) {
    List<Exception> failures = each(applyFailed.workflowFailure());
    return !failures.isEmpty() && failures.stream().allMatch(each -> apiError(each)
        .map(KubernetesClientException::getStatus).map(Status::getDetails)
        .map(details -> details.getCauses() != null && details.getCauses().stream()
            .anyMatch(cause -> NAMESPACE_TERMINATING.equals(cause.getReason())))
        .orElse(false));
  }

  /** @param service the OperatedService, "namespace/name", whose objects were being applied */
  static String describe(Exception failure, String service) {
    List<String> lines = new ArrayList<>();
    if (failure instanceof AggregatedOperatorException aggregated) {
      for (Map.Entry<String, Exception> entry : aggregated.getAggregatedExceptions().entrySet()) {
        lines.add(object(entry.getValue()).orElse("the " + entry.getKey() + " of " + service)
            + ": " + answer(entry.getValue()));
      }
    } else {
      lines.add(object(failure).orElse(service) + ": " + answer(failure));
    }
    return String.join("; ", lines);
  }

  /** The object the API server refused, as its Status names it (kind and name). */
  private static Optional<String> object(Throwable failure) {
    return apiError(failure).map(KubernetesClientException::getStatus)
        .map(Status::getDetails)
        .filter(details -> details.getKind() != null && details.getName() != null)
        .map(details -> details.getKind() + " " + details.getName());
  }

  private static Optional<KubernetesClientException> apiError(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof KubernetesClientException api && api.getCode() > 0) {
        return Optional.of(api);
      }
    }
    return Optional.empty();
  }

  private static String answer(Throwable failure) {
    Optional<KubernetesClientException> api = apiError(failure);
    if (api.isPresent()) {
      Status status = api.get().getStatus();
      String message = status != null && status.getMessage() != null ? status.getMessage()
          : api.get().getMessage();
      return "the API server answered " + api.get().getCode() + ": " + message;
    }
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
