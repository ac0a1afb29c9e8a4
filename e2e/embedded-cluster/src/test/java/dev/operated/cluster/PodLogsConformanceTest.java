package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pods/log as "kubectl logs" reads it (https://kubernetes.io/docs/reference/kubectl/generated/
 * kubectl_logs/): the container's output from the node's file, --tail, -c, -f.
 */
class PodLogsConformanceTest {

  @TempDir
  Path logs;
  private EmbeddedCluster cluster;
  private KubernetesClient client;

  /** The default node, keeping each container's output in a file of the temporary folder. */
  private final class FileLogNode implements Node {
    private final ReadyNode ready = new ReadyNode();

    @Override
    public void podAdded(Pod pod, PodReporter reporter) {
      ready.podAdded(pod, reporter);
    }

    @Override
    public void podDeleted(Pod pod, PodReporter reporter) {
      ready.podDeleted(pod, reporter);
    }

    @Override
    public Optional<Path> containerLog(Pod pod, String container) {
      return Optional.of(logs.resolve(pod.getMetadata().getName() + "_" + container + ".log"));
    }
  }

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().node(new FileLogNode()).start();
    client = cluster.newClient();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private void pod(String name, String... containers) {
    PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().endSpec();
    for (String container : containers) {
      pod.editSpec().addNewContainer().withName(container).withImage("x:1").endContainer()
          .endSpec();
    }
    client.pods().resource(pod.build()).create();
  }

  @Test
  void theContainersFileIsTheLogAndTailLinesCutsIt() throws Exception {
    pod("one", "app");
    Files.writeString(logs.resolve("one_app.log"), "first\nsecond\nthird\n");
    assertThat(client.pods().withName("one").getLog()).isEqualTo("first\nsecond\nthird\n");
    assertThat(client.pods().withName("one").tailingLines(2).getLog())
        .isEqualTo("second\nthird\n");
  }

  /** kubectl exec opens a stream into a container, which the node's local process is not. */
  @Test
  void kubectlExecIsRefusedSayingWhatToUseInstead(@TempDir Path temp) throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    pod("shell", "app");

    Kubectl.Result exec = Kubectl.against(cluster, executable, temp, temp)
        .run("exec", "shell", "--", "ls");

    assertThat(exec.exitCode()).isNotZero();
    assertThat(exec.output()).contains("pods/exec is not served by the embedded cluster")
        .contains("kubectl logs");
  }

  @Test
  void aPodOfSeveralContainersNeedsOneNamedAndAnUnknownOneIsRefused() throws Exception {
    pod("two", "app", "side");
    Files.writeString(logs.resolve("two_side.log"), "from the sidecar\n");
    assertThat(client.pods().withName("two").inContainer("side").getLog())
        .isEqualTo("from the sidecar\n");
    assertThat(client.pods().withName("two").inContainer("app").getLog()).isEmpty();
    assertThatThrownBy(() -> client.pods().withName("two").getLog())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("a container name must be specified for pod two, choose one of: "
            + "[app, side]");
    assertThatThrownBy(() -> client.pods().withName("two").inContainer("nope").getLog())
        .hasMessageContaining("container nope is not valid for pod two");
  }

  @Test
  void followStreamsWhatIsAppendedUntilThePodIsGone() throws Exception {
    pod("three", "app");
    Path file = logs.resolve("three_app.log");
    Files.writeString(file, "before\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LogWatch watch = client.pods().withName("three").watchLog(out)) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> out.toString(StandardCharsets.UTF_8).equals("before\n"));
      Files.writeString(file, "after\n", StandardOpenOption.APPEND);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> out.toString(StandardCharsets.UTF_8).equals("before\nafter\n"));
    }
  }
}
