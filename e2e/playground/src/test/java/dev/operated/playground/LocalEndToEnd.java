package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the end-to-end tests share: a local cluster running the real sample-service jar, the
 * example manifest, and the questions the tests ask of the cluster.
 */
final class LocalEndToEnd implements AutoCloseable {

  static final Path REPO = Path.of(System.getProperty("operated.repoRoot", "../..")).toAbsolutePath()
      .normalize();
  static final Path SAMPLE_JAR = REPO.resolve("sample-service/target/sample-service.jar");
  /** The operator image's stand-in on the local node (its dependencies in target/lib). */
  static final Path OPERATOR_JAR = REPO.resolve("operator/target/operated.jar");
  static final Path EXAMPLE = REPO.resolve("sample-service/deploy/operatedservice.yaml");
  static final String NS = "shop";
  static final String NAME = "sample-service";
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  final LocalCluster cluster;
  final Path logs;

  LocalEndToEnd(Path logs, String kubernetesVersion) {
    this(logs, kubernetesVersion, PodAddressing.chosen());
  }

  LocalEndToEnd(Path logs, String kubernetesVersion, PodAddressing addressing) {
    this(logs, kubernetesVersion, settings -> settings.withAddressing(addressing));
  }

  /** With the node's settings changed, e.g. to run stand-ins for the sidecars' images. */
  LocalEndToEnd(Path logs, String kubernetesVersion, UnaryOperator<LocalNodeSettings> node) {
    if (!Files.isRegularFile(SAMPLE_JAR)) {
      throw new IllegalStateException(SAMPLE_JAR + " is missing: build with ./mvnw -B verify "
          + "(the reactor packages sample-service before the e2e modules)");
    }
    this.logs = logs;
    this.cluster = LocalCluster.start(REPO,
        node.apply(LocalNodeSettings.forSampleService(SAMPLE_JAR, logs)), kubernetesVersion);
    cluster.createNamespace(NS);
  }

  OperatedService applyExample(UnaryOperator<OperatedService> change) throws IOException {
    OperatedService resource;
    try (var in = Files.newInputStream(EXAMPLE)) {
      resource = cluster.client().resources(OperatedService.class).load(in).item();
    }
    return cluster.apply(change.apply(resource), NS);
  }

  OperatedService current() {
    return cluster.client().resources(OperatedService.class).inNamespace(NS).withName(NAME).get();
  }

  Condition condition(String type) {
    OperatedService resource = current();
    return resource == null || resource.getStatus() == null ? null
        : resource.getStatus().condition(type).orElse(null);
  }

  void awaitReady(int replicas) {
    await("OperatedService Ready with " + replicas + " replicas").atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
          Condition ready = condition("Ready");
          assertThat(ready).isNotNull();
          assertThat(ready.getStatus()).as(ready.getReason() + ": " + ready.getMessage())
              .isEqualTo("True");
          assertThat(current().getStatus().ready()).isEqualTo(replicas + "/" + replicas);
        });
  }

  List<Pod> pods() {
    return cluster.client().pods().inNamespace(NS).withLabel("app.kubernetes.io/instance", NAME)
        .list().getItems();
  }

  /** Ready and not terminating: the pods a Service would send traffic to. */
  long servingPods() {
    return pods().stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null && pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))).count();
  }

  String log(Pod pod, String container) throws IOException {
    Path file = cluster.node().logOf(pod, container);
    return Files.exists(file) ? Files.readString(file) : "";
  }

  /** The status of GET url, or -1 when nothing answers there. */
  static int httpStatus(String url) throws InterruptedException {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    cluster.close();
  }
}
