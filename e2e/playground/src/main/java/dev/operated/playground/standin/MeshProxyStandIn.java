package dev.operated.playground.standin;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * A mesh proxy's stand-in on the local node (Istio's istio-proxy): it owns the pod's inbound
 * ports and carries every connection to the app behind it, as the sidecar does once iptables
 * sends the pod's inbound traffic to it; the app listens on a port of its own
 * ({@code PROXY_INBOUND}, {@code 8080:18080}). It serves Istio's readiness endpoint
 * ({@code /healthz/ready} on 15021) and drains as pilot-agent does on SIGTERM: it turns unready,
 * keeps accepting and carrying connections for {@code TERMINATION_DRAIN_DURATION_SECONDS}, then
 * closes its listeners and exits 0. It counts the requests it carried, by the first segment of
 * their path, and prints them when it stops.
 */
public final class MeshProxyStandIn {

  public static final int HEALTH_PORT = 15021;
  public static final String INBOUND_ENV = "PROXY_INBOUND";
  public static final String DRAIN_ENV = "TERMINATION_DRAIN_DURATION_SECONDS";
  /** The lines a test reads: {@code mesh-proxy stopped: carried 12 requests, 0 not reached}. */
  public static final String STOPPED = "mesh-proxy stopped: ";
  public static final String REQUESTS_TO = "mesh-proxy requests to ";

  private final Map<String, Integer> carriedByPath = new TreeMap<>();
  private final AtomicInteger unreachable = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "mesh-proxy-connection");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean draining;

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    new MeshProxyStandIn().run(env.getOrDefault("BIND_ADDRESS", "127.0.0.1"),
        env.getOrDefault(INBOUND_ENV, ""),
        Integer.parseInt(env.getOrDefault(DRAIN_ENV, "5")));
  }

  private void run(String address, String inbound, int drainSeconds) throws Exception {
    List<ServerSocket> listeners = new ArrayList<>();
    for (String pair : inbound.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      String[] ports = pair.trim().split(":");
      ServerSocket listener = new ServerSocket();
      listener.bind(new InetSocketAddress(address, Integer.parseInt(ports[0])), 512);
      InetSocketAddress app = new InetSocketAddress(address, Integer.parseInt(ports[1]));
      listeners.add(listener);
      Thread acceptor = new Thread(() -> accept(listener, app), "mesh-proxy-" + ports[0]);
      acceptor.setDaemon(true);
      acceptor.start();
    }
    HttpServer health = HttpServer.create(new InetSocketAddress(address, HEALTH_PORT), 16);
    health.createContext("/healthz/ready", exchange -> {
      exchange.sendResponseHeaders(draining ? 503 : 200, -1);
      exchange.close();
    });
    health.start();
    Object signalled = new Object();
    Signal.handle(new Signal("TERM"), signal -> {
      synchronized (signalled) {
        draining = true;
        signalled.notifyAll();
      }
    });
    System.out.println("mesh-proxy carrying " + inbound + " on " + address);
    synchronized (signalled) {
      while (!draining) {
        signalled.wait();
      }
    }
    System.out.println("mesh-proxy draining for " + drainSeconds + "s");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    long left;
    while ((left = until - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
    for (ServerSocket listener : listeners) {
      listener.close();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (open.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    health.stop(0);
    synchronized (carriedByPath) {
      int total = carriedByPath.values().stream().mapToInt(Integer::intValue).sum();
      System.out.println(STOPPED + "carried " + total + " requests, " + unreachable.get()
          + " not reached");
      carriedByPath.forEach((path, count) -> System.out.println(REQUESTS_TO + "\"" + path
          + "\": " + count));
    }
    System.out.flush();
    System.exit(0);
  }

  private void accept(ServerSocket listener, InetSocketAddress app) {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed at the end of the drain
      }
      connections.execute(() -> carry(client, app));
    }
  }

  private void carry(Socket client, InetSocketAddress app) {
    open.incrementAndGet();
    try (client; Socket upstream = new Socket()) {
      try {
        upstream.connect(app, 2000);
      } catch (IOException e) {
        unreachable.incrementAndGet();
        return;
      }
      byte[] requestLine = readLine(client.getInputStream());
      synchronized (carriedByPath) {
        carriedByPath.merge(firstSegment(requestLine), 1, Integer::sum);
      }
      upstream.getOutputStream().write(requestLine);
      Thread back = new Thread(() -> pipe(upstream, client), "mesh-proxy-response");
      back.setDaemon(true);
      back.start();
      pipe(client, upstream);
      back.join();
    } catch (IOException e) {
      // a side went away: both are closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.decrementAndGet();
    }
  }

  /** The request line, up to its newline, to count the request by its path. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while (line.size() < 8192 && (b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return line.toByteArray();
  }

  /** {@code GET /items/7 HTTP/1.0} is a request to {@code /items}. */
  static String firstSegment(byte[] requestLine) {
    String[] parts = new String(requestLine, StandardCharsets.US_ASCII).trim().split(" ");
    if (parts.length < 2 || !parts[1].startsWith("/")) {
      return "?";
    }
    int next = parts[1].indexOf('/', 1);
    int query = parts[1].indexOf('?');
    int end = next < 0 ? parts[1].length() : next;
    if (query >= 0 && query < end) {
      end = query;
    }
    return parts[1].substring(0, end);
  }

  private static void pipe(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      in.transferTo(out);
      to.shutdownOutput();
    } catch (IOException e) {
      // the other side closed
    }
  }
}
