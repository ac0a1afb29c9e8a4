package dev.operated.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One open watch under {@link WatchControl}: every event the server emits for it passes
 * {@link #offer}, which sends it at once unless a pause holds the watch or a delay applies; then
 * it waits in a queue and leaves in order. With no rule in effect an event goes straight through
 * on the emitting thread, as before the control existed.
 */
final class ControlledWatch {

  /** Where the events go: a WebSocket or a chunked HTTP response. */
  interface Transport {
    /** Sends one event, already framed for the transport. */
    void send(String frame);

    /** Ends the stream without a word, as a dropped connection does. */
    void close();
  }

  private record Pending(String frame, Instant due) {
  }

  final WatchRequest request;
  private final WatchControl control;
  private final Transport transport;
  /** HTTP watches send one JSON event per line; a WebSocket sends one per frame. */
  private final boolean lineDelimited;
  private final Deque<Pending> queue = new ArrayDeque<>();
  private boolean ended;
  private boolean cutNextShort;
  private boolean pauseNoted;
  private boolean delayNoted;

  ControlledWatch(WatchControl control, WatchRequest request, Transport transport,
      boolean lineDelimited) {
    this.control = control;
    this.request = request;
    this.transport = transport;
    this.lineDelimited = lineDelimited;
  }

  /** An event the server emits for this watch. */
  synchronized void offer(String frame) {
    if (ended) {
      return;
    }
    boolean paused = control.paused(request);
    Duration delay = control.delay(request);
    if (queue.isEmpty() && !paused && delay.isZero()) {
      send(frame);
      return;
    }
    if (paused && !pauseNoted) {
      pauseNoted = true;
      control.record(WatchAction.Type.PAUSED, request, 0);
    }
    if (!delay.isZero() && !delayNoted) {
      delayNoted = true;
      control.record(WatchAction.Type.DELAYED, request, 0);
    }
    queue.add(new Pending(frame, control.now().plus(delay)));
    drain();
  }

  /** Sends what is due, in order; called again when a pause ends or the next event is due. */
  synchronized void drain() {
    boolean paused = control.paused(request);
    if (!paused && pauseNoted) {
      pauseNoted = false;
      control.record(WatchAction.Type.RESUMED, request, queue.size());
    }
    if (control.delay(request).isZero()) {
      delayNoted = false;
    }
    while (!ended && !paused && !queue.isEmpty()) {
      Pending head = queue.peek();
      long wait = Duration.between(control.now(), head.due()).toMillis();
      if (wait > 0) {
        control.drainLater(this, wait);
        return;
      }
      queue.poll();
      send(head.frame());
    }
  }

  /** The next event leaves cut short (see {@link WatchControl#cutNextEventShort}). */
  synchronized void cutNextEventShort() {
    cutNextShort = true;
  }

  private void send(String frame) {
    if (cutNextShort) {
      cutNextShort = false;
      transport.send(frame.substring(0, frame.length() / 2));
      control.record(WatchAction.Type.CUT_SHORT, request, 0);
      return;
    }
    transport.send(frame);
  }

  /**
   * Ends the watch as the watch cache does when the client must relist: an ERROR event with a
   * 410 Gone Status, then the end of the stream. Queued events are lost with the connection.
   */
  synchronized void dropWithGone(String message) {
    if (ended) {
      return;
    }
    int lost = queue.size();
    queue.clear();
    transport.send(frame(WatchControl.goneEvent(message)));
    ended = true;
    transport.close();
    control.record(WatchAction.Type.DROPPED_GONE, request, lost);
  }

  /** Ends the stream without an event; queued events are lost with the connection. */
  synchronized void closeStream() {
    if (ended) {
      return;
    }
    int lost = queue.size();
    queue.clear();
    ended = true;
    transport.close();
    control.record(WatchAction.Type.CLOSED, request, lost);
  }

  /** The client went away or the stream ended on its own. */
  synchronized void ended() {
    ended = true;
    queue.clear();
  }

  synchronized boolean isEnded() {
    return ended;
  }

  String frame(String eventJson) {
    return lineDelimited ? eventJson + "\n" : eventJson;
  }
}
