package dev.operated.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK's HTTP server with a bounded worker pool, one dispatcher for every path: it routes,
 * opens the SERVER span (W3C trace context extracted from the request), times the request into
 * {@code http.server.requests}, turns a handler that throws into a 500 and a panic event, and
 * counts requests in flight so that shutdown can wait for exactly those.
 */
final class HttpApp {

  /** Worker threads: slow requests (up to the fault endpoint's bound) each hold one. */
  static final int WORKERS = 64;
  /**
   * Workers application requests may hold at once; the rest answer the probes and the scrape,
   * and refuse what is over (503) at once. Without them, requests held by a slow dependency
   * took every worker, the kubelet's liveness probe waited behind them, and the pod was restarted
   * for what the contract says must never restart it.
   */
  static final int APPLICATION_WORKERS = WORKERS - 8;
  /** Accepted requests waiting for a worker; beyond that the dispatcher thread runs them itself. */
  static final int QUEUE = 1024;
  /**
   * Seconds a client may take to send its request line and headers
   * ({@code sun.net.httpserver.maxReqTime}; the JDK's default is forever, so a client that stops
   * mid-request held a worker for good). A setting given on the command line wins.
   */
  static final String MAX_REQUEST_SECONDS = "30";
  private static final int BACKLOG = 256;

  private static final AttributeKey<String> HTTP_REQUEST_METHOD =
      AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> HTTP_REQUEST_METHOD_ORIGINAL =
      AttributeKey.stringKey("http.request.method_original");
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  private static final AttributeKey<String> USER_AGENT =
      AttributeKey.stringKey("user_agent.original");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private static final TextMapGetter<HttpExchange> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpExchange exchange) {
      return exchange.getRequestHeaders().keySet();
    }

    @Override
    public String get(HttpExchange exchange, String key) {
      return exchange == null ? null : exchange.getRequestHeaders().getFirst(key);
    }
  };

  private static final Logger LOG = LoggerFactory.getLogger(HttpApp.class);

  private final Router router;
  private final Metrics metrics;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final Panics panics;
  private final boolean instrumented;
  private final BooleanSupplier shuttingDown;
  private final InFlightExecutor executor = new InFlightExecutor();
  private final Semaphore applicationWorkers = new Semaphore(APPLICATION_WORKERS);
  private volatile boolean stopping;
  private HttpServer server;

  /**
   * @param instrumented false only for the benchmark's baseline: no request span, no timer
   * @param shuttingDown true from SIGTERM on: every response then closes its connection
   */
  HttpApp(Router router, Metrics metrics, Telemetry telemetry, Panics panics,
      boolean instrumented, BooleanSupplier shuttingDown) {
    this.instrumented = instrumented;
    this.shuttingDown = shuttingDown;
    this.router = router;
    this.metrics = metrics;
    this.tracer = telemetry.tracer();
    this.propagator = telemetry.propagator();
    this.panics = panics;
  }

  /** Binds and starts serving; throws IOException when the address cannot be bound. */
  void start(String bindAddress, int port) throws IOException {
    // Without TCP_NODELAY a small response waits for the client's delayed ACK (Nagle): about
    // 40 ms on every keep-alive request. The JDK's server reads this once, when it is created.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    }
    server = HttpServer.create(new InetSocketAddress(bindAddress, port), BACKLOG);
    server.setExecutor(executor);
    server.createContext("/", this::dispatch);
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  int inFlight() {
    return executor.inFlight();
  }

  /**
   * Stops accepting connections and waits, at most {@code timeout}, for the requests in flight to
   * finish. Returns how many were still running when the time was up.
   *
   * <p>{@code HttpServer.stop(delay)} closes the listening socket at once and then waits for the
   * exchanges in progress, but before JDK 21 it waits the whole delay when none is in progress
   * (JDK-8304065). So it runs on its own thread, and this method waits on its own count of
   * requests in flight instead, which also covers requests still queued for a worker.
   */
  int stop(Duration timeout) {
    stopping = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    int delaySeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds() + 1));
    Thread stopper = new Thread(() -> server.stop(delaySeconds), "http-server-stop");
    stopper.setDaemon(true);
    stopper.start();
    int left = executor.awaitIdle(deadline);
    executor.shutdown();
    return left;
  }

  private void dispatch(HttpExchange exchange) {
    long start = System.nanoTime();
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    Router.Match match = router.match(method, path);
    boolean application = match.route() == null || match.route().application();
    boolean traced = instrumented && application;
    Context context = traced ? serverContext(exchange, method, path, match) : Context.root();
    Span span = Span.fromContext(context);
    int status = 500;
    String exception = "none";
    try (Scope ignored = context.makeCurrent()) {
      Response response;
      try {
        response = handle(exchange, match);
      } catch (Throwable error) {
        exception = error.getClass().getSimpleName();
        span.recordException(error);
        span.setStatus(StatusCode.ERROR, error.getClass().getName());
        span.setAttribute(ERROR_TYPE, error.getClass().getName());
        panics.requestPanic(error); // returns unless the error is fatal: then the process exits
        response = Response.error(500, "internal error");
      }
      status = response.status();
      write(exchange, response);
    } catch (IOException e) {
      // the client went away mid-response; it is counted under the status it would have had
      LOG.atDebug().addKeyValue("event", "response_write_failed").log("could not write response: {}",
          e.toString());
    } finally {
      exchange.close();
      if (traced) {
        span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
        if (status >= 500) {
          span.setStatus(StatusCode.ERROR);
          if (exception.equals("none")) {
            span.setAttribute(ERROR_TYPE, Integer.toString(status));
          }
        }
        span.end();
      }
      if (instrumented) {
        metrics.recordRequest(method, match.template(), status, exception,
            System.nanoTime() - start);
      }
    }
  }

  private Response handle(HttpExchange exchange, Router.Match match) throws Exception {
    if (match.route() != null && !match.route().application()) {
      return match.route().handler().handle(new Request(exchange, match.params()));
    }
    if (!applicationWorkers.tryAcquire()) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      return Response.error(503, "busy: every worker for requests is taken, try again");
    }
    try {
      return routed(exchange, match);
    } finally {
      applicationWorkers.release();
    }
  }

  private Response routed(HttpExchange exchange, Router.Match match) throws Exception {
    if (match.route() != null) {
      return match.route().handler().handle(new Request(exchange, match.params()));
    }
    if (!match.allowedMethods().isEmpty()) {
      exchange.getResponseHeaders().set("Allow", match.allowedMethods());
      return Response.error(405, "method not allowed");
    }
    return Response.error(404, "not found");
  }

  /**
   * The request's context: what the caller propagated (its trace and its W3C baggage, which
   * outgoing calls carry on) with the SERVER span started in it.
   */
  private Context serverContext(HttpExchange exchange, String method, String path,
      Router.Match match) {
    Context parent = propagator.extract(Context.root(), exchange, HEADERS);
    String route = match.route() == null ? null : match.template();
    InetSocketAddress local = exchange.getLocalAddress();
    // A method HTTP's semantic conventions do not know is "_OTHER", and "HTTP" in the span's
    // name: the JDK accepts any token as a method, and a client must not mint span names.
    boolean known = Metrics.KNOWN_METHODS.contains(method);
    String named = known ? method : "HTTP";
    var builder = tracer.spanBuilder(route == null ? named : named + " " + route)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(HTTP_REQUEST_METHOD, known ? method : "_OTHER")
        .setAttribute(URL_PATH, path)
        .setAttribute(URL_SCHEME, "http")
        .setAttribute(SERVER_ADDRESS, local.getHostString())
        .setAttribute(SERVER_PORT, (long) local.getPort())
        .setAttribute(CLIENT_ADDRESS, exchange.getRemoteAddress().getAddress().getHostAddress());
    if (!known) {
      builder.setAttribute(HTTP_REQUEST_METHOD_ORIGINAL, method);
    }
    if (route != null) {
      builder.setAttribute(HTTP_ROUTE, route);
    }
    String userAgent = exchange.getRequestHeaders().getFirst("User-Agent");
    if (userAgent != null) {
      builder.setAttribute(USER_AGENT, userAgent);
    }
    return parent.with(builder.startSpan());
  }

  private void write(HttpExchange exchange, Response response) throws IOException {
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", response.contentType());
    if (stopping || shuttingDown.getAsBoolean()) {
      // From SIGTERM on: a client on a kept-alive connection (a proxy's pool) would stay on this
      // pod past the drain and have its next request cut off; closed, it reconnects through the
      // Service, to a pod still listed.
      headers.set("Connection", "close");
    }
    // a HEAD answer has no body, and the JDK warns on every one that announces a length
    byte[] body = "HEAD".equals(exchange.getRequestMethod()) ? new byte[0] : response.body();
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * A fixed pool with a bounded queue that counts every request from the moment the server hands
   * it over (queued or running) until it is done. When pool and queue are full the server's own
   * dispatcher thread runs the request, which stops it accepting more: back-pressure into the
   * kernel's accept backlog instead of unbounded memory.
   */
  private static final class InFlightExecutor implements Executor {
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final Object lock = new Object();
    private int inFlight;
    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, WORKERS, 60,
        TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
          Thread thread = new Thread(runnable, "http-worker-" + threadNumber.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        }, (runnable, executor) -> {
          if (executor.isShutdown()) {
            throw new RejectedExecutionException("server stopped");
          }
          runnable.run();
        });

    InFlightExecutor() {
      pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable exchange) {
      synchronized (lock) {
        inFlight++;
      }
      try {
        pool.execute(() -> {
          try {
            exchange.run();
          } finally {
            done();
          }
        });
      } catch (RejectedExecutionException e) {
        done();
        throw e;
      }
    }

    private void done() {
      synchronized (lock) {
        inFlight--;
        if (inFlight == 0) {
          lock.notifyAll();
        }
      }
    }

    int inFlight() {
      synchronized (lock) {
        return inFlight;
      }
    }

    /** Waits until nothing is in flight or the deadline (System.nanoTime) passes. */
    int awaitIdle(long deadline) {
      synchronized (lock) {
        while (inFlight > 0) {
          long waitMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (waitMillis <= 0) {
            break;
          }
          try {
            lock.wait(waitMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        return inFlight;
      }
    }

    void shutdown() {
      pool.shutdown();
    }
  }
}
