package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import dev.operated.runtime.OperatorClient;
import dev.operated.runtime.OperatorRuntime;
import dev.operated.runtime.OperatorSettings;
import dev.operated.runtime.WatchTransport;
import dev.operated.runtime.WatchedNamespaces;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Text outside ASCII in a watched object (an env value, an annotation, a pod's termination
 * message) reaches the operator's cache as written, and so does the next event after it, over
 * either transport of the operator's client.
 *
 * <p>fabric8 7.5.2's own HTTP watch does not manage it: it turns each chunk of bytes into
 * characters with {@code UTF_8.decode(chunk).array()}, the whole backing array, so a chunk with
 * a multi-byte character leaves NUL characters after its line, the next event cannot be parsed
 * and the informer stops for good (the operator would exit and restart on every such change).
 * The operator's client hands that watch ASCII ({@code AsciiWatchBodies}).
 */
class NonAsciiWatchEventsTest {

  private static final String NS = "shop";
  private static final String TEXT = "Grüße aus Köln 🚀";
  private static final String OPERATORS = "operators";

  private EmbeddedCluster cluster;
  private KubernetesClient admin;

  @BeforeEach
  void start() {
    cluster = TestClusters.withCrds().start();
    admin = cluster.newClient();
    TestClusters.createNamespaces(admin, NS, OPERATORS);
  }

  @AfterEach
  void stop() {
    admin.close();
    cluster.close();
  }

  @ParameterizedTest
  @EnumSource(WatchTransport.class)
  void theTextAndTheEventAfterItReachTheOperatorsCache(WatchTransport watches) {
    try (KubernetesClient operators = OperatorClient.forConfig(cluster.config(), watches)) {
      SharedIndexInformer<ConfigMap> informer = operators.configMaps().inNamespace(NS).inform();
      try {
        changeTheTextTwice(informer);
        await().atMost(Duration.ofSeconds(10)).until(() -> "plain".equals(cached(informer)));
        assertThat(informer.isRunning()).isTrue();
      } finally {
        informer.close();
      }
    }
  }

  /**
   * The operator as it runs, with and without leader election (whose fence builds a client of
   * its own, which review found without the escaping): a service whose env carries the text, then
   * a change after it, both reach the Deployment, and the operator never exits for a lost cache.
   */
  @ParameterizedTest(name = "leader election {0}")
  @ValueSource(booleans = {false, true})
  void theOperatorReconcilesTextBeyondAsciiAndTheChangeAfterIt(boolean leaderElection) {
    List<Integer> exits = new CopyOnWriteArrayList<>();
    OperatorSettings settings = new OperatorSettings(new WatchedNamespaces.All(),
        Optional.of(OPERATORS), "127.0.0.1", 0, "INFO", leaderElection, "operated-lease",
        "replica-a", false, Duration.ofSeconds(10), Optional.empty(), Optional.empty(),
        OperatorSettings.LeaseTimings.STANDARD);
    try (KubernetesClient operators = OperatorClient.forConfig(cluster.config(),
        OperatorSettings.DEFAULT_WATCH_TRANSPORT)) {
      OperatorRuntime runtime = OperatorRuntime.start(settings, operators, Clock.systemUTC(),
          exits::add, overrides -> { });
      try {
        Examples.apply(admin, Examples.SAMPLE, NS,
            service -> withGreeting(service, TEXT));
        await().atMost(Duration.ofSeconds(60)).until(() -> TEXT.equals(greetingDeployed()));
        Examples.apply(admin, Examples.SAMPLE, NS, service -> withGreeting(service, "plain"));
        await().atMost(Duration.ofSeconds(60)).until(() -> "plain".equals(greetingDeployed()));
        assertThat(exits).as("exits for a lost cache").isEmpty();
      } finally {
        runtime.shutdown();
      }
    }
  }

  private static OperatedService withGreeting(OperatedService service, String greeting) {
    service.setSpec(service.getSpec().withEnv(List.of(
        new EnvVarBuilder().withName("GREETING").withValue(greeting).build())));
    return service;
  }

  private String greetingDeployed() {
    Deployment deployment = admin.apps().deployments().inNamespace(NS).withName("sample-service")
        .get();
    return deployment == null ? null : deployment.getSpec().getTemplate().getSpec()
        .getContainers().get(0).getEnv().stream()
        .filter(env -> env.getName().equals("GREETING")).map(EnvVar::getValue)
        .findFirst().orElse(null);
  }

  /**
   * The premise, pinned: the day a fabric8 upgrade fixes its HTTP watch, this fails, and
   * {@code AsciiWatchBodies} can go.
   */
  @Test
  void fabric8sOwnHttpWatchStopsAtTheEventAfterTheText() {
    try (KubernetesClient plain = TestClusters.fabric8HttpWatchClient(cluster)) {
      SharedIndexInformer<ConfigMap> informer = plain.configMaps().inNamespace(NS).inform();
      try {
        changeTheTextTwice(informer);
        await().atMost(Duration.ofSeconds(10)).until(() -> !informer.isRunning());
        assertThat(cached(informer)).as("the change after the text never arrived")
            .isNotEqualTo("plain");
      } finally {
        informer.close();
      }
    }
  }

  /** Creates the object with the text, waits for it in the cache, then writes plain text. */
  private void changeTheTextTwice(SharedIndexInformer<ConfigMap> informer) {
    await().atMost(Duration.ofSeconds(10)).until(informer::hasSynced);
    admin.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("greeting").endMetadata().withData(Map.of("text", TEXT)).build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> cached(informer) != null);
    assertThat(cached(informer)).isEqualTo(TEXT);
    admin.configMaps().inNamespace(NS).withName("greeting").edit(configMap -> {
      configMap.setData(Map.of("text", "plain"));
      return configMap;
    });
  }

  private static String cached(SharedIndexInformer<ConfigMap> informer) {
    ConfigMap cached = informer.getStore().getByKey(NS + "/greeting");
    return cached == null ? null : cached.getData().get("text");
  }
}
