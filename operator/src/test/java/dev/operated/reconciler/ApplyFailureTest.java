package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Which failures of a reconcile are the apply's, and so reported as ApplyFailed. */
class ApplyFailureTest {

  @Test
  void aFailureOfTheWorkflowIsMarkedAsTheApplysWithTheFailureItself() {
    KubernetesClientException refused = new KubernetesClientException("refused", 422, null);
    AggregatedOperatorException workflow = new AggregatedOperatorException("failed",
        Map.of("deployment", refused));

    Throwable thrown = catchThrowable(() -> ApplyFailure.marking(() -> {
      throw workflow;
    }));

    assertThat(thrown).isInstanceOfSatisfying(ApplyFailure.ApplyFailed.class,
        failed -> assertThat(failed.workflowFailure()).isSameAs(workflow));
  }

  /**
   * What reaches {@code updateErrorStatus} in the installed operator: JOSDK's Micrometer metrics
   * time the reconcile and rethrow its failure wrapped in an {@code OperatorException}.
   */
  @Test
  void anApplyFailureIsFoundInsideTheMetricsWrapper() {
    ApplyFailure.ApplyFailed failed = new ApplyFailure.ApplyFailed(
        new KubernetesClientException("forbidden", 403, null));

    assertThat(ApplyFailure.of(new OperatorException(failed))).containsSame(failed);
    assertThat(ApplyFailure.of(failed)).containsSame(failed);
    assertThat(ApplyFailure.of(new OperatorException(new KubernetesClientException("no", 403,
        null)))).isEmpty();
  }

  /**
   * JOSDK shuts its executors down while reconciles are in flight ({@code Operator.stop}); a
   * node it could not submit then never reached the API server, directly or from a worker.
   */
  @Test
  void aWorkflowStoppedWithTheOperatorIsNotAnApplyFailure() {
    RejectedExecutionException rejected = new RejectedExecutionException("executor shut down");
    AggregatedOperatorException fromAWorker = new AggregatedOperatorException("failed",
        Map.of("service", new IllegalStateException(rejected)));

    assertThat(catchThrowable(() -> ApplyFailure.marking(() -> {
      throw rejected;
    }))).isSameAs(rejected);
    assertThat(catchThrowable(() -> ApplyFailure.marking(() -> {
      throw fromAWorker;
    }))).isSameAs(fromAWorker);
  }

  @Test
  void aWorkflowThatSucceedsHandsItsResultOn() {
    assertThat(ApplyFailure.marking(() -> "applied")).isEqualTo("applied");
  }
}
