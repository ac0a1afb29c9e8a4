package dev.operated.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceStatus;
import dev.operated.status.ConditionTypes;
import dev.operated.status.StatusAggregator;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Events are handed to a writer of their own, as client-go's broadcaster does: recording one
 * never waits on the API server, and at most {@link ServiceEvents#MAX_QUEUED} wait to be written.
 * The API server here is an HTTP server on 127.0.0.1 that holds every Event POST until the test
 * lets it answer (at most 20 s, so nothing hangs).
 */
class ServiceEventsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CountDownLatch answer = new CountDownLatch(1);
  private final List<String> reasons = new CopyOnWriteArrayList<>();
  private HttpServer apiServer;
  private KubernetesClient client;

  @BeforeEach
  void start() throws IOException {
    apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    apiServer.createContext("/api/v1/namespaces/shop/events", exchange -> {
      try {
        JsonNode event = JSON.readTree(exchange.getRequestBody());
        reasons.add(event.path("reason").asText());
        answer.await(20, TimeUnit.SECONDS);
        ObjectNode written = ((ObjectNode) event).put("count", 1);
        written.putObject("metadata").put("name", "orders." + reasons.size())
            .put("namespace", "shop");
        byte[] body = JSON.writeValueAsBytes(written);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(201, body.length);
        exchange.getResponseBody().write(body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        exchange.close();
      }
    });
    apiServer.start();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + apiServer.getAddress().getPort())
        .withRequestTimeout(30_000).build();
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterEach
  void stop() {
    answer.countDown();
    client.close();
    apiServer.stop(0);
  }

  @Test
  void recordingAnEventDoesNotWaitForTheApiServer() {
    ServiceEvents events = new ServiceEvents(client, Clock.systemUTC());

    assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> events.record(service("orders", "uid-1"), "Normal", "Creating", "applied"),
        "a reconcile hands its Event over and goes on while the API server holds the POST");
    await().atMost(Duration.ofSeconds(10)).until(() -> reasons.contains("Creating"));
  }

  @Test
  void atMostAThousandEventsWaitAndTheRestAreDroppedNotBlocked() {
    ServiceEvents events = new ServiceEvents(client, Clock.systemUTC());
    int offered = ServiceEvents.MAX_QUEUED + 50;

    events.record(service("first", "uid-first"), "Normal", "InFlight", "held by the server");
    // a new client's first POST: not what is timed below
    await().atMost(Duration.ofSeconds(30)).until(() -> reasons.contains("InFlight"));
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      for (int i = 0; i < offered; i++) {
        events.record(service("s" + i, "uid-" + i), "Normal", "Queued", "waits");
      }
    });
    answer.countDown();
    await().atMost(Duration.ofSeconds(60)).until(() -> reasons.size() > ServiceEvents.MAX_QUEUED);
    events.record(service("last", "uid-last"), "Normal", "Last", "after the queue drained");

    await().atMost(Duration.ofSeconds(10)).until(() -> reasons.contains("Last"));
    assertThat(reasons).filteredOn("Queued"::equals).hasSize(ServiceEvents.MAX_QUEUED);
    assertThat(reasons).last().isEqualTo("Last");
  }

  /** Ready does not change when an HPA begins to contest replicas: the contest is told alone. */
  @Test
  void anHpaContestingReplicasIsToldOnceWhenItBegins() {
    answer.countDown();
    ServiceEvents events = new ServiceEvents(client, Clock.systemUTC());
    OperatedService service = service("orders", "uid-1");
    OperatedServiceStatus calm = status("AsExpected");
    OperatedServiceStatus contested = status(StatusAggregator.REPLICAS_CONTESTED);

    events.onTransition(service, Optional.of(calm), contested);
    events.onTransition(service, Optional.of(contested), contested);
    events.onTransition(service, Optional.of(contested), calm);
    events.record(service, "Normal", "Marker", "after the transitions");

    await().atMost(Duration.ofSeconds(10)).until(() -> reasons.contains("Marker"));
    assertThat(reasons).containsExactly(StatusAggregator.REPLICAS_CONTESTED, "Marker");
  }

  /** Ready and Degraded as a ready service with an HPA has them, Degraded for this reason. */
  private static OperatedServiceStatus status(String degradedReason) {
    boolean degraded = !"AsExpected".equals(degradedReason);
    return new OperatedServiceStatus(1L, 2, 2, 2, 2, "2/2", List.of(
        new ConditionBuilder().withType(ConditionTypes.READY).withStatus("True")
            .withReason("AllReplicasReady").withMessage("2/2 replicas ready").build(),
        new ConditionBuilder().withType(ConditionTypes.DEGRADED)
            .withStatus(degraded ? "True" : "False").withReason(degradedReason)
            .withMessage(degraded ? "an HPA scales it" : "no problem observed").build()));
  }

  @Test
  void anEventWrittenAfterTheClientClosedIsLoggedNotThrownOnItsThread() {
    Logger logger = (Logger) LoggerFactory.getLogger(ServiceEvents.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, error) -> uncaught.add(error));
    try {
      ServiceEvents events = new ServiceEvents(client, Clock.systemUTC());
      client.close(); // the operator stopping, with an Event still to be written
      events.record(service("orders", "uid-1"), "Normal", "Waiting", "written after the close");

      await().atMost(Duration.ofSeconds(20)).until(() -> log.list.stream()
          .anyMatch(line -> line.getFormattedMessage().contains("could not record event Waiting")));
      assertThat(uncaught).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
      logger.detachAppender(log);
    }
  }

  private static OperatedService service(String name, String uid) {
    OperatedService service = new OperatedService();
    service.getMetadata().setName(name);
    service.getMetadata().setNamespace("shop");
    service.getMetadata().setUid(uid);
    return service;
  }
}
