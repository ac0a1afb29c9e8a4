package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Watch control, the stage between the store's events and the clients' watches, for both
 * transports: fabric8's WebSocket watches ({@link ControlledWebSocketListener} around the
 * store's {@link StoreWatch}) and client-go's chunked HTTP watches ({@link HttpWatch}). Off until a
 * test adds a rule: per kind and client, pause and resume (events queue and leave in order),
 * delay every event, or drop open watches with a {@code 410 Gone} ERROR event or by closing the
 * stream. Every action is in {@link #log()}.
 *
 * <p>Always on, because it is what a real server does: a watch asked to start at a
 * resourceVersion the server cannot replay from is answered with an ERROR event carrying
 * {@code 410 Gone} (reason {@code Expired}, "too old resource version"), as kube-apiserver's
 * watch cache answers a version older than its window (staging/src/k8s.io/apiserver/pkg/storage/
 * cacher/watch_cache.go, {@code getAllEventsSinceLocked}: {@code errors.NewResourceExpired}), so
 * the client relists. The store keeps no history: on a reconnect the store's WebSocket watch
 * replays the current objects as ADDED and {@link HttpWatch} the changed ones as MODIFIED, and a
 * delete in between would never reach the client. So a version before the latest delete of that resource,
 * or before the last {@link EmbeddedCluster#restart restart} (a fresh watch cache starts at the
 * current revision), is too old; any later version is served as before.
 */
public final class WatchControl implements AutoCloseable {

  /** Watches of one resource, plural ({@code services}, {@code deployments}). */
  public static Predicate<WatchRequest> watchesOf(String resource) {
    return watch -> resource.equals(watch.resource());
  }

  /** Watches opened by the client with this user agent. */
  public static Predicate<WatchRequest> watchesBy(String userAgent) {
    return watch -> userAgent.equals(watch.userAgent());
  }

  /** A pause or a delay in effect until released. */
  public final class Hold implements AutoCloseable {
    private final Predicate<WatchRequest> which;
    private final Duration delay;
    private volatile boolean released;

    private Hold(Predicate<WatchRequest> which, Duration delay) {
      this.which = which;
      this.delay = delay;
    }

    private boolean holds(WatchRequest watch) {
      return !released && which.test(watch);
    }

    /** Ends it: a pause sends the queued events in order; a delay sends the rest when due. */
    public void release() {
      released = true;
      holds.remove(this);
      open.forEach(ControlledWatch::drain);
    }

    @Override
    public void close() {
      release();
    }
  }

  private final Clock clock;
  /** Whose lock a WebSocket watch's opening and closing take (see ControlledWebSocketListener). */
  final Storage storage;
  private final List<Hold> holds = new CopyOnWriteArrayList<>();
  /** Watches not open yet that fail as they open, each used once. */
  private final List<Predicate<WatchRequest>> failingAsTheyOpen = new CopyOnWriteArrayList<>();
  private final Set<ControlledWatch> open = ConcurrentHashMap.newKeySet();
  private final List<WatchAction> log = new CopyOnWriteArrayList<>();
  /** Per resource (group/plural), the resourceVersion of its latest delete. */
  private final Map<String, Long> deletedAt = new ConcurrentHashMap<>();
  private volatile long latestVersion;
  /** The oldest version a watch may start at after a restart: the watch cache's first. */
  private volatile long retainedFrom;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "embedded-cluster-watch-control");
        thread.setDaemon(true);
        return thread;
      });

  WatchControl(Storage storage, Clock clock) {
    this.clock = clock;
    this.storage = storage;
    storage.addListener(this::changed);
  }

  /**
   * Holds the events of the matching watches, open now or opened before it is released, and
   * sends them in order on {@link Hold#release()}.
   */
  public Hold pause(Predicate<WatchRequest> which) {
    Hold hold = new Hold(which, Duration.ZERO);
    holds.add(hold);
    return hold;
  }

  /** Sends every event of the matching watches this long after the server emitted it. */
  public Hold delay(Predicate<WatchRequest> which, Duration by) {
    if (by.isNegative() || by.isZero()) {
      throw new IllegalArgumentException("a watch delay must be positive, was " + by);
    }
    Hold hold = new Hold(which, by);
    holds.add(hold);
    return hold;
  }

  /**
   * Ends the matching open watches with an ERROR event carrying a {@code 410 Gone} Status
   * ({@code Expired}), as the watch cache does when a client fell too far behind; clients
   * relist. Events queued for them are lost.
   *
   * @return how many watches were dropped
   */
  public int dropWithGone(Predicate<WatchRequest> which) {
    List<ControlledWatch> matching = matching(which);
    matching.forEach(watch -> watch.dropWithGone("too old resource version: "
        + (watch.request.resourceVersion().isEmpty() ? "0" : watch.request.resourceVersion())
        + " (" + latestVersion + ")"));
    return matching.size();
  }

  /**
   * Closes the matching open watches' streams without a word, as a dropped connection or a
   * restarting server does; clients reconnect from the last version they saw. Events queued for
   * them are lost.
   *
   * @return how many watches were closed
   */
  public int closeStreams(Predicate<WatchRequest> which) {
    List<ControlledWatch> matching = matching(which);
    matching.forEach(ControlledWatch::closeStream);
    return matching.size();
  }

  /**
   * Sends the next event of each matching open watch cut short, half its frame: what a client
   * makes of an event it cannot read (fabric8's informers stop for good, and their cache with
   * them). No real API server sends one; a broken transport can deliver one, and one was seen in
   * CI. The event itself is lost to that watch.
   *
   * @return how many watches will have their next event cut short
   */
  public int cutNextEventShort(Predicate<WatchRequest> which) {
    List<ControlledWatch> matching = matching(which);
    matching.forEach(ControlledWatch::cutNextEventShort);
    return matching.size();
  }

  /**
   * Fails the next matching WebSocket watch as it opens: it is closed with 1010, a code RFC 6455
   * (7.4.1) leaves to clients, which the JDK client refuses as a protocol error
   * ({@code StatusCodes.isLegalToReceiveFromServer}) while it is still opening the socket, before
   * fabric8's watch has started: an informer stops while its owner is still starting. No real API
   * server sends it; a watch that failed that way as it opened was seen in CI.
   */
  public void failNextWatchAsItOpens(Predicate<WatchRequest> which) {
    failingAsTheyOpen.add(which);
  }

  /** The watches open now, oldest first: a test waits here for a client to reconnect. */
  public List<WatchRequest> open() {
    return open.stream().filter(watch -> !watch.isEnded()).map(watch -> watch.request)
        .sorted(Comparator.comparing(WatchRequest::openedAt)).toList();
  }

  /** What this stage did, in order. */
  public List<WatchAction> log() {
    return List.copyOf(log);
  }

  /** A restart: every open watch closed, and a watch cache that starts at the current version. */
  void restart() {
    retainedFrom = latestVersion;
    closeStreams(watch -> true);
  }

  private List<ControlledWatch> matching(Predicate<WatchRequest> which) {
    List<ControlledWatch> matching = new ArrayList<>();
    for (ControlledWatch watch : open) {
      if (!watch.isEnded() && which.test(watch.request)) {
        matching.add(watch);
      }
    }
    return matching;
  }

  // hook: the store's writes, run under its write lock: take note and return
  private void changed(Storage.Change change) {
    JsonNode object = change.object() != null ? change.object() : change.previous();
    long version = object == null ? 0
        : parseVersion(object.path("metadata").path("resourceVersion").asText("")).orElse(0L);
    latestVersion = Math.max(latestVersion, version);
    if (change.object() == null) {
      deletedAt.merge(resourceKey(change.target().group(), change.target().plural()), version,
          Math::max);
    }
  }

  /** Why a watch cannot start where it asks to, if it cannot. */
  Optional<String> expiry(WatchRequest watch) {
    Optional<Long> asked = parseVersion(watch.resourceVersion());
    if (asked.isEmpty() || asked.get() == 0) {
      return Optional.empty(); // "now", or any version: served from the current objects
    }
    long oldest = Math.max(retainedFrom,
        deletedAt.getOrDefault(resourceKey(watch.group(), watch.resource()), 0L));
    return asked.get() < oldest
        ? Optional.of("too old resource version: " + asked.get() + " (" + oldest + ")")
        : Optional.empty();
  }

  /**
   * route: a fabric8 WebSocket watch, whose events the store's {@link StoreWatch} sends: the
   * same response, its listener wrapped so that every frame passes this stage.
   */
  MockResponse webSocket(RecordedRequest request, MockResponse response) {
    WebSocketListener listener = response.getWebSocketListener();
    if (listener == null || !isWatch(request.getPath())) {
      return response;
    }
    WatchRequest watch = WatchRequest.of(request.getPath(), request.getHeader("User-Agent"),
        WatchRequest.Transport.WEBSOCKET, now());
    return new MockResponse().withWebSocketUpgrade(
        new ControlledWebSocketListener(this, watch, listener));
  }

  /** route: a client-go HTTP watch ({@link HttpWatch}): its sink wrapped by this stage. */
  MockResponse http(RecordedRequest request, MockResponse response) {
    if (!(response instanceof StreamingResponse streaming) || !isWatch(request.getPath())) {
      return response;
    }
    WatchRequest watch = WatchRequest.of(request.getPath(), request.getHeader("User-Agent"),
        ApiHttpServer.overHttp2(request) ? WatchRequest.Transport.HTTP2
            : WatchRequest.Transport.HTTP, now());
    return new StreamingResponse(response.getHeaders().header("Content-Type"), sink -> {
      Optional<String> expired = expiry(watch);
      if (expired.isPresent()) {
        sink.write(goneEvent(expired.get()) + "\n");
        record(WatchAction.Type.EXPIRED, watch, 0);
        return;
      }
      AtomicBoolean closed = new AtomicBoolean();
      ControlledWatch controlled = new ControlledWatch(this, watch, new ControlledWatch.Transport() {
        @Override
        public void send(String frame) {
          sink.write(frame);
        }

        @Override
        public void close() {
          closed.set(true); // HttpWatch sees the sink closed and returns; the stream then ends
        }
      }, true);
      opened(controlled);
      try {
        streaming.body().writeTo(new StreamingResponse.Sink() {
          @Override
          public boolean write(String chunk) {
            if (closed.get() || !sink.open()) {
              return false;
            }
            controlled.offer(chunk);
            return true;
          }

          @Override
          public boolean open() {
            return !closed.get() && sink.open();
          }

          @Override
          public void onClose(Runnable action) {
            sink.onClose(action);
          }
        });
      } finally {
        closed(controlled);
      }
    });
  }

  private static boolean isWatch(String path) {
    ApiTarget target = ApiTarget.parse(path);
    if (target == null) {
      return false;
    }
    String watch = target.query().get("watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  void opened(ControlledWatch watch) {
    open.add(watch);
  }

  /** Whether this watch is to fail as it opens ({@link #failNextWatchAsItOpens}); asked once. */
  boolean failsAsItOpens(WatchRequest watch) {
    for (Predicate<WatchRequest> which : failingAsTheyOpen) {
      if (which.test(watch) && failingAsTheyOpen.remove(which)) {
        return true;
      }
    }
    return false;
  }

  void closed(ControlledWatch watch) {
    watch.ended();
    open.remove(watch);
  }

  boolean paused(WatchRequest watch) {
    for (Hold hold : holds) {
      if (hold.delay.isZero() && hold.holds(watch)) {
        return true;
      }
    }
    return false;
  }

  Duration delay(WatchRequest watch) {
    Duration longest = Duration.ZERO;
    for (Hold hold : holds) {
      if (hold.holds(watch) && hold.delay.compareTo(longest) > 0) {
        longest = hold.delay;
      }
    }
    return longest;
  }

  void drainLater(ControlledWatch watch, long millis) {
    if (!timer.isShutdown()) {
      timer.schedule(watch::drain, millis, TimeUnit.MILLISECONDS);
    }
  }

  void record(WatchAction.Type type, WatchRequest watch, int events) {
    log.add(new WatchAction(now(), type, watch, events));
  }

  Instant now() {
    return clock.instant();
  }

  /** The watch cache's answer to a version it no longer holds (errors.NewResourceExpired). */
  static String goneEvent(String message) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("type", "ERROR");
    ObjectNode status = event.putObject("object");
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", "Expired")
        .put("code", 410);
    return FieldPaths.write(event);
  }

  private static String resourceKey(String group, String resource) {
    return group + "/" + resource;
  }

  private static Optional<Long> parseVersion(String version) {
    try {
      return version.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(version));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    open.forEach(ControlledWatch::ended);
  }
}
