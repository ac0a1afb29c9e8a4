package dev.operated.cluster;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP front of the embedded API server, on Vert.x as fabric8's mock web server is, with one
 * thing that server cannot do: a body written while the request stays open
 * ({@link StreamingResponse}), which client-go's HTTP watches and {@code kubectl logs -f} need.
 * WebSocket upgrades (fabric8's watches) are handed to the mock server's own WebSocket handler;
 * every other answer is sent as the mock server sends it.
 */
final class ApiHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiHttpServer.class);
  /** The WebSocket subprotocols fabric8's mock server accepts (exec, attach, port-forward). */
  private static final List<String> WEBSOCKET_SUBPROTOCOLS = List.of("v1.channel.k8s.io",
      "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");

  /** RFC 9113's error code for a stream reset by an internal error. */
  private static final long HTTP2_INTERNAL_ERROR = 0x2;

  private final Vertx vertx = Vertx.vertx();
  private final Dispatcher dispatcher;
  private final ExecutorService streams = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "embedded-cluster-stream");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Runnable> openStreams = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final int port;
  /** hook: watch control; EmbeddedCluster sets it once the store is known. */
  WatchControl watches;

  /**
   * @param https       serve TLS with a self-signed certificate (clients skip its verification,
   *                    as fabric8's mock server's clients do): kubectl sends a kubeconfig's token
   *                    only over TLS
   * @param http2Streams over TLS, offer HTTP/2 with at most this many concurrent streams per
   *                    connection, as kube-apiserver does; 0: HTTP/1.1 only
   */
  ApiHttpServer(Dispatcher dispatcher, InetAddress address, boolean https, int http2Streams) {
    this.dispatcher = dispatcher;
    HttpServerOptions options = new HttpServerOptions().setHost(address.getHostAddress())
        .setPort(0).setWebSocketSubProtocols(WEBSOCKET_SUBPROTOCOLS)
        .setHandle100ContinueAutomatically(true)
        // As kube-apiserver: HTTP/2 only where TLS negotiates it (ALPN), never a cleartext
        // "Upgrade: h2c", which Go's net/http server does not take without an h2c wrapper.
        // The JDK client asks for it on every plain request; upgraded, it was seen under
        // CrashPointsTest's refusals reading a JSON body as HTTP/2 frames ("Frame type(97)
        // ... exceeds MAX_FRAME_SIZE"), which stopped informers.
        .setHttp2ClearTextEnabled(false);
    if (https) {
      options.setSsl(true).setKeyCertOptions(
          io.vertx.core.net.SelfSignedCertificate.create(address.getHostAddress()).keyCertOptions());
      if (http2Streams > 0) {
        // kube-apiserver serves HTTP/2 to whoever negotiates it over TLS and limits the streams
        // of one connection (SecureServingInfo.Serve); every open HTTP watch holds one.
        options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(http2Streams));
      }
    }
    this.server = vertx.createHttpServer(options);
    server.requestHandler(this::handle);
    this.port = await(server.listen()).actualPort();
  }

  int port() {
    return port;
  }

  private void handle(HttpServerRequest event) {
    String upgrade = event.getHeader("Upgrade");
    if (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket")) {
      // An upgrade is decided before the request is read, as Vert.x requires.
      RecordedRequest request = recorded(event, null);
      MockResponse response = watches.webSocket(request, dispatcher.dispatch(request)); // hook
      if (response.getWebSocketListener() != null) {
        event.toWebSocket().onSuccess(new ServerWebSocketHandler(request, response))
            .onFailure(error -> failed(event, error));
      } else {
        send(event, response);
      }
      return;
    }
    event.body().onFailure(error -> failed(event, error)).onSuccess(body -> {
      RecordedRequest request = recorded(event, body);
      // Writes wait for the store's lock: never on the event loop.
      vertx.executeBlocking(() -> watches.http(request, dispatcher.dispatch(request)), false) // hook
          .onSuccess(response -> send(event, response))
          .onFailure(error -> failed(event, error));
    });
  }

  /** Whether the request came as a stream of an HTTP/2 connection (its version as recorded). */
  static boolean overHttp2(RecordedRequest request) {
    return HttpVersion.HTTP_2.alpnName().toUpperCase(Locale.ROOT)
        .equals(request.getHttpVersion());
  }

  private static RecordedRequest recorded(HttpServerRequest event, Buffer body) {
    return new RecordedRequest(event.version().alpnName().toUpperCase(Locale.ROOT),
        HttpMethod.fromVertx(event.method()), event.uri(),
        Headers.builder().addAll(event.headers()).build(),
        new io.fabric8.mockwebserver.http.Buffer(body == null ? null : body.getBytes()));
  }

  private void send(HttpServerRequest event, MockResponse response) {
    if (response.getHeaders().get(RequestFaults.Fault.RESET_MARKER) != null) { // hook: faults
      // HTTP/1.1: the connection is closed; HTTP/2: this request's stream alone is reset
      // (INTERNAL_ERROR, as Go's server resets a stream whose handler panicked), so the other
      // requests and watches sharing its connection live on.
      event.response().reset(HTTP2_INTERNAL_ERROR);
      return;
    }
    HttpServerResponse out = event.response();
    out.setStatusCode(response.code());
    response.getHeaders().toMultimap().forEach((name, values) -> out.headers().add(name, values));
    if (response instanceof StreamingResponse streaming) {
      stream(out, streaming);
      return;
    }
    byte[] body = response.getBody() == null ? new byte[0] : response.getBody().getBytes();
    if (body.length == 0) {
      out.end();
      return;
    }
    if (!out.headers().contains("Transfer-Encoding")) {
      out.headers().set("Content-Length", String.valueOf(body.length));
    }
    out.end(Buffer.buffer(body));
  }

  private void stream(HttpServerResponse out, StreamingResponse response) {
    out.setChunked(true);
    AtomicBoolean open = new AtomicBoolean(true);
    List<Runnable> onClose = new CopyOnWriteArrayList<>();
    Runnable close = () -> {
      if (open.compareAndSet(true, false)) {
        onClose.forEach(Runnable::run);
      }
    };
    out.closeHandler(ignored -> close.run());
    openStreams.add(close);
    // Headers go out at once: client-go waits for them before it reports the watch as started.
    out.writeHead();
    StreamingResponse.Sink sink = new StreamingResponse.Sink() {
      @Override
      public boolean write(String chunk) {
        if (!open.get()) {
          return false;
        }
        out.write(chunk);
        return true;
      }

      @Override
      public boolean open() {
        return open.get();
      }

      @Override
      public void onClose(Runnable action) {
        onClose.add(action);
        if (!open.get()) {
          action.run();
        }
      }
    };
    streams.execute(() -> {
      try {
        response.body().writeTo(sink);
      } catch (Exception e) {
        LOG.debug("a streaming response ended with an error", e);
      } finally {
        openStreams.remove(close);
        if (open.get()) {
          out.end();
        }
        close.run();
      }
    });
  }

  private static void failed(HttpServerRequest event, Throwable error) {
    LOG.warn("request {} {} failed", event.method(), event.uri(), error);
    if (!event.response().headWritten()) {
      event.response().setStatusCode(500).end(String.valueOf(error.getMessage()));
    }
  }

  @Override
  public void close() {
    openStreams.forEach(Runnable::run);
    streams.shutdownNow();
    try {
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("the embedded API server's HTTP front failed", e);
    }
  }
}
