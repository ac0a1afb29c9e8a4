package dev.operated.sample;

import static dev.operated.sample.ServiceProcess.env;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SIGTERM: not ready at once, serving through the drain, in-flight work finished, exit 0. */
class ShutdownIT {

  private static final int CLIENTS = 4;

  @Test
  void sigtermFlipsReadinessServesThroughTheDrainFinishesInFlightWorkAndExitsZero()
      throws Exception {
    try (FakeCollector collector = new FakeCollector();
        ServiceProcess service = ServiceProcess.startReady(Map.of(
            "SAMPLE_FAULTS_ENABLED", "true",
            "OPERATED_DRAIN_SECONDS", "2",
            "OPERATED_SHUTDOWN_TIMEOUT_SECONDS", "10",
            "OTEL_TRACES_EXPORTER", "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
            "OTEL_BSP_SCHEDULE_DELAY", "60000"))) { // spans only leave at shutdown's flush

      // clients that keep sending until the endpoint would be removed from the load balancers
      AtomicBoolean sending = new AtomicBoolean(true);
      AtomicInteger served = new AtomicInteger();
      AtomicInteger servedAfterSigterm = new AtomicInteger();
      AtomicBoolean sigtermSent = new AtomicBoolean();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        Thread thread = new Thread(() -> {
          for (int i = 1; sending.get(); i++) {
            try {
              int status = service.get("/items/" + (client * 1000 + i % 1000 + 1)).statusCode();
              if (status != 200) {
                failures.add("status " + status);
              } else {
                served.incrementAndGet();
                if (sigtermSent.get()) {
                  servedAfterSigterm.incrementAndGet();
                }
              }
            } catch (RuntimeException e) {
              failures.add(e.toString());
            }
          }
        }, "client-" + c);
        thread.start();
        clients.add(thread);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> served.get() >= 20);
      assertThat(service.get("/items/7").headers().firstValue("Connection")).isEmpty();

      // a slow request in flight when SIGTERM arrives, started just before it so that it ends
      // after the 2 s drain however long the steps above took on a loaded machine
      CompletableFuture<HttpResponse<String>> slow = service.getAsync("/fault/slow?ms=5000");
      await().atMost(Duration.ofSeconds(5))
          .until(() -> !service.events("fault_slow_started").isEmpty());
      long sigtermAt = System.nanoTime();
      sigtermSent.set(true);
      service.sigterm();

      // readiness flips at once ...
      await("readiness 503 after SIGTERM, well inside the drain").atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> service.status(SampleServiceDefaults.READINESS_PATH) == 503);
      assertThat(service.get(SampleServiceDefaults.READINESS_PATH).body()).contains("draining");
      assertThat(service.get("/items/7").headers().firstValue("Connection"))
          .as("a kept-alive client is told to reconnect, through the Service").hasValue("close");
      // ... while requests are still served: the clients stop half-way through the drain, as
      // traffic does once endpoint removal has reached every proxy
      await().atMost(Duration.ofSeconds(3))
          .until(() -> System.nanoTime() - sigtermAt >= TimeUnit.MILLISECONDS.toNanos(1000));
      assertThat(service.status(SampleServiceDefaults.LIVENESS_PATH)).isEqualTo(200);
      sending.set(false);
      for (Thread client : clients) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !client.isAlive());
      }
      assertThat(failures).as("requests that failed during the drain").isEmpty();
      assertThat(servedAfterSigterm.get()).as("requests served after SIGTERM").isPositive();

      int exitCode = service.awaitExit(Duration.ofSeconds(20));
      long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt);

      assertThat(exitCode).isZero();
      // answered before the exit; the client's thread completes the future on its own time
      assertThat(slow.get(10, TimeUnit.SECONDS).statusCode())
          .as("the in-flight slow request completed with 200").isEqualTo(200);
      assertThat(shutdownMillis).as("drain 2s honoured, well within drain + timeout")
          .isBetween(2000L, 12_000L);
      assertThat(service.events("shutdown_started")).singleElement()
          .satisfies(event -> assertThat(event.path("drain.seconds").asInt()).isEqualTo(2));
      assertThat(service.events("drain_finished")).singleElement()
          .satisfies(event -> assertThat(event.path("in_flight").asInt()).isEqualTo(1));
      assertThat(service.events("shutdown_complete")).hasSize(1);
      assertThat(service.events("shutdown_timeout")).isEmpty();
      // the last spans (the slow request ended after the drain) reached the collector
      assertThat(collector.spans()).anySatisfy(span -> assertThat(span.name())
          .isEqualTo("GET /fault/slow"));
      assertThat(collector.spans()).anySatisfy(span -> assertThat(span.name())
          .isEqualTo("GET /items/{id}"));
      assertThat(service.stderr()).isEmpty();
    }
  }

  @Test
  void withNoDrainTheProcessExitsAtOnce() {
    try (ServiceProcess service = ServiceProcess.startReady(Map.of(
        "OPERATED_DRAIN_SECONDS", "0",
        "OPERATED_SHUTDOWN_TIMEOUT_SECONDS", "10"))) {
      long sigtermAt = System.nanoTime();
      service.sigterm();

      int exitCode = service.awaitExit(Duration.ofSeconds(10));
      long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt);

      assertThat(exitCode).isZero();
      // nothing to drain, nothing in flight: not the 10s shutdown timeout, not 5s of default drain
      assertThat(shutdownMillis).isLessThan(4000L);
      assertThat(service.events("shutdown_started")).singleElement()
          .satisfies(event -> assertThat(event.path("drain.seconds").asInt()).isZero());
    }
  }

  @Test
  void aRequestOutlivingTheShutdownTimeoutIsAbandonedAndTheProcessStillExitsZero() {
    try (ServiceProcess service = ServiceProcess.startReady(Map.of(
        "SAMPLE_FAULTS_ENABLED", "true",
        "OPERATED_DRAIN_SECONDS", "0",
        "OPERATED_SHUTDOWN_TIMEOUT_SECONDS", "1"))) {
      service.getAsync("/fault/slow?ms=20000");
      await().atMost(Duration.ofSeconds(5))
          .until(() -> !service.events("fault_slow_started").isEmpty());
      long sigtermAt = System.nanoTime();
      service.sigterm();

      int exitCode = service.awaitExit(Duration.ofSeconds(10));
      long shutdownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt);

      assertThat(exitCode).isZero();
      assertThat(shutdownMillis).as("1s timeout + 1s telemetry floor, not the 20s request")
          .isBetween(1000L, 6000L);
      assertThat(service.events("shutdown_timeout")).singleElement()
          .satisfies(event -> assertThat(event.path("in_flight").asInt()).isEqualTo(1));
    }
  }
}
