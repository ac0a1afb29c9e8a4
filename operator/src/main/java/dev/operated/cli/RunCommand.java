package dev.operated.cli;

import dev.operated.reconciler.OperatedOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** Runs the operator against the current kubeconfig context, or in-cluster configuration. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the operator against the current kubeconfig context (or the in-cluster "
        + "service account).")
public final class RunCommand implements Callable<Integer> {

  @Override
  public Integer call() throws InterruptedException {
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = OperatedOperator.create(client, Clock.systemUTC(), overrides -> { });
    operator.installShutdownHook(Duration.ofSeconds(10));
    operator.start();
    new CountDownLatch(1).await();
    return 0;
  }
}
