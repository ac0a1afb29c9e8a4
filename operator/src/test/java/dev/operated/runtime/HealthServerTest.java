package dev.operated.runtime;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  /**
   * A client that stops in the middle of its request (here: a request line without its end, as a
   * TLS ClientHello sent to this plain port is) must not hold a worker for good: with both of the
   * server's threads held, the kubelet's liveness probe would time out until the pod restarts.
   */
  @Test
  void clientsThatStopMidRequestDoNotHoldTheProbesBack() throws IOException {
    OperatorHealth health = new OperatorHealth(false, () -> true);
    try (HealthServer server = HealthServer.start("127.0.0.1", 0, health, () -> "");
        Socket first = stalled(server.port());
        Socket second = stalled(server.port())) {
      Http http = new Http(server.port());

      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> http.status("/livez") == 200);
    }
  }

  private static Socket stalled(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    OutputStream out = socket.getOutputStream();
    out.write("GET /met".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }
}
