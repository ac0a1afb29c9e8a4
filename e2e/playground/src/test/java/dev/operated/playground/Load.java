package dev.operated.playground;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous traffic through a Service front: each request on a new connection, so every request
 * is routed anew, as traffic from many clients is. Stops by itself after {@code maxDuration}.
 */
final class Load implements AutoCloseable {

  private final int port;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong succeeded = new AtomicLong();
  private final Queue<String> failures = new ConcurrentLinkedQueue<>();
  private final List<Thread> clients = new ArrayList<>();
  private final long stopAt;

  private Load(int port, int clients, Duration maxDuration) {
    this.port = port;
    this.stopAt = System.nanoTime() + maxDuration.toNanos();
    for (int i = 0; i < clients; i++) {
      int client = i;
      Thread thread = new Thread(() -> run(client), "load-" + i);
      thread.setDaemon(true);
      this.clients.add(thread);
    }
  }

  static Load start(int port, int clients, Duration maxDuration) {
    Load load = new Load(port, clients, maxDuration);
    load.clients.forEach(Thread::start);
    return load;
  }

  private void run(int client) {
    for (long i = 0; running.get() && System.nanoTime() < stopAt; i++) {
      String path = "/items/" + (client * 1000 + i % 1000 + 1);
      try {
        int status = get(path);
        if (status == 200) {
          succeeded.incrementAndGet();
        } else {
          failures.add(path + ": HTTP " + status);
        }
      } catch (IOException e) {
        failures.add(path + ": " + e);
      }
      pause();
    }
  }

  /** HTTP/1.0: one request per connection, closed by the server after the response. */
  private int get(String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: sample-service\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII));
      String statusLine = in.readLine();
      if (statusLine == null) {
        throw new IOException("connection closed before a response");
      }
      String[] parts = statusLine.split(" ");
      return Integer.parseInt(parts[1]);
    }
  }

  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  long succeeded() {
    return succeeded.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread client : clients) {
      try {
        client.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
