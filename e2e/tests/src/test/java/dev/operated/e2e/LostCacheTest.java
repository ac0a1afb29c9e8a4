package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.cluster.WatchAction;
import dev.operated.cluster.WatchControl;
import dev.operated.cluster.WatchRequest;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchTransport;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An informer that stops for good leaves a cache that no longer follows the cluster, and
 * nothing the operator decides from it can be trusted: the runtime exits 1 so that the kubelet
 * starts it again with fresh caches (OperatorRuntime's lost-cache exit, StoppedInformers). Seen
 * in CI once, when a Deployment watch event reached the operator's client unreadable; here the
 * embedded API server sends one cut short ({@link WatchControl#cutNextEventShort}).
 */
class LostCacheTest {

  private static final String NS = "shop";
  private static final String OPERATOR = "lost-cache";

  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private KubernetesClient operatorClient;
  private OperatorRuntime runtime;
  private final List<Integer> exits = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    cluster = TestClusters.withCrds().start();
    client = cluster.newClient();
    TestClusters.createNamespaces(client, NS);
  }

  private void startOperator(WatchTransport watches) {
    operatorClient = OperatorClient.forConfig(new ConfigBuilder(cluster.config())
        .withUserAgent(OPERATOR + "/e2e").build(), watches);
    OperatorSettings settings = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of(NS), "127.0.0.1", 0, "INFO", false, "unused", OPERATOR, false,
        Duration.ofSeconds(10), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
    runtime = OperatorRuntime.start(settings, operatorClient, Clock.systemUTC(), exits::add,
        overrides -> { });
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.shutdown();
      operatorClient.close();
    }
    client.close();
    cluster.close();
  }

  /**
   * Over a WebSocket the half event is a frame of its own and fails at once; over HTTP (the
   * default) the watch is one byte stream, so the half waits for the rest of its line and the
   * next event makes the line unreadable. Either way the informer stops and the runtime exits.
   */
  @ParameterizedTest
  @EnumSource(WatchTransport.class)
  void aDeploymentEventTheClientCannotReadMakesTheOperatorExitToRestart(WatchTransport watches) {
    startOperator(watches);
    Examples.apply(client, Examples.SAMPLE, NS);
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      OperatedService service = client.resources(OperatedService.class).inNamespace(NS)
          .withName("sample-service").get();
      return service.getStatus() != null && "2/2".equals(service.getStatus().ready());
    });
    assertThat(exits).as("no exit while every cache follows the cluster").isEmpty();
    Predicate<WatchRequest> operatorsDeploymentWatch = WatchControl.watchesOf("deployments")
        .and(WatchControl.watchesBy(OPERATOR + "/e2e"));
    assertThat(cluster.watches().cutNextEventShort(operatorsDeploymentWatch)).isEqualTo(1);

    // any change to the Deployment is an event on that watch
    touchTheDeployment("once");
    touchTheDeployment("twice");

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(exits)
        .as("the runtime's exit code").containsExactly(1));
    assertThat(cluster.watches().log()).extracting(WatchAction::type)
        .contains(WatchAction.Type.CUT_SHORT);
  }

  /**
   * A merge patch carries no resourceVersion, like `kubectl annotate`: a read-modify-write
   * (`edit`) lost the race to the Deployment controller's status write once in CI (409).
   */
  private void touchTheDeployment(String value) {
    client.apps().deployments().inNamespace(NS).withName("sample-service").patch(
        PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("metadata",
            Map.of("annotations", Map.of("e2e.operated.dev/touched", value)))));
  }
}
