package dev.operated.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A collector that is down never makes the service unready or slow: spans wait in a bounded queue
 * and are exported by a background thread, so requests never wait for the collector.
 */
class CollectorDownIT {

  /**
   * The SDK's export timeout (Telemetry.DEFAULTS: 3 s). A request that waited on an export would
   * take at least this long; the bound below is a third of it.
   */
  private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(3);
  private static final int REQUESTS = 300;

  @Test
  void aCollectorThatAcceptsButNeverAnswersLeavesTheServiceReadyAndFast() {
    try (BlackHole collector = new BlackHole();
        ServiceProcess service = ServiceProcess.startReady(Map.of(
            "OTEL_TRACES_EXPORTER", "otlp",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.port(),
            // export often and in small batches, so exports are hanging all through the test
            "OTEL_BSP_SCHEDULE_DELAY", "50",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "8"))) {
      assertServesFastAndStaysReady(service);
      assertThat(collector.connections()).as("the SDK did try to export").isPositive();
      assertTelemetryWarningsAreRateLimited(service);
    }
  }

  @Test
  void aCollectorThatRefusesConnectionsLeavesTheServiceReadyAndFast() {
    int closedPort = ServiceProcess.freePort(); // nothing listens there
    try (ServiceProcess service = ServiceProcess.startReady(Map.of(
        "OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + closedPort,
        "OTEL_BSP_SCHEDULE_DELAY", "50",
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "8"))) {
      assertServesFastAndStaysReady(service);
      assertTelemetryWarningsAreRateLimited(service);
    }
  }

  private static void assertServesFastAndStaysReady(ServiceProcess service) {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      long start = System.nanoTime();
      assertThat(service.get("/items/" + (i % 50 + 1)).statusCode()).isEqualTo(200);
      millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      if (i % 50 == 0) {
        assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(200);
      }
    }
    // Requests that waited for exports would be slow by the dozen (an export of every 8 spans
    // hangs); a stray pause of the child JVM on a loaded machine is one slow request, not that.
    List<Long> slow = millis.stream().filter(ms -> ms >= EXPORT_TIMEOUT.toMillis() / 3).toList();
    assertThat(slow).as("requests that may have waited for an export (each export hangs %s)",
        EXPORT_TIMEOUT).hasSizeLessThanOrEqualTo(REQUESTS / 100)
        .allSatisfy(ms -> assertThat(ms).isLessThan(EXPORT_TIMEOUT.toMillis()));
    assertThat(service.status(SampleServiceDefaults.READINESS_PATH)).isEqualTo(200);
  }

  /** The exporter's failures are worth a line, not a line per batch. */
  private static void assertTelemetryWarningsAreRateLimited(ServiceProcess service) {
    await("the SDK reports the failed exports").atMost(Duration.ofSeconds(15))
        .until(() -> service.logs().stream().anyMatch(CollectorDownIT::fromTelemetrySdk));
    Map<String, Long> linesPerLogger = service.logs().stream()
        .filter(CollectorDownIT::fromTelemetrySdk)
        .collect(Collectors.groupingBy(line -> line.path("logger_name").asText(),
            Collectors.counting()));
    assertThat(linesPerLogger).as("telemetry SDK log lines per logger in the first minute")
        .allSatisfy((logger, lines) -> assertThat(lines)
            .isLessThanOrEqualTo(TelemetryLogThrottle.DEFAULT_LIMIT));
  }

  private static boolean fromTelemetrySdk(com.fasterxml.jackson.databind.JsonNode line) {
    String logger = line.path("logger_name").asText();
    return logger.startsWith("io.opentelemetry.") || logger.startsWith("okhttp3.");
  }

  /** Accepts connections on 127.0.0.1 and never answers: the worst collector there is. */
  private static final class BlackHole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    BlackHole() {
      try {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            accepted.add(server.accept());
          } catch (IOException e) {
            return; // closed
          }
        }
      }, "black-hole-collector");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return accepted.size();
    }

    @Override
    public void close() {
      try {
        server.close();
        for (Socket socket : accepted) {
          socket.close();
        }
      } catch (IOException e) {
        // closing sockets of a test double
      }
    }
  }
}
