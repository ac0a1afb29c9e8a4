package dev.operated.cluster;

import java.time.Instant;

/**
 * Something {@link WatchControl} did to a watch, for tests to assert that it happened.
 *
 * @param events how many events it concerned: queued while paused (RESUMED), lost in the drop
 *               (DROPPED_GONE, CLOSED); 0 otherwise
 */
public record WatchAction(Instant at, Type type, WatchRequest watch, int events) {

  /** What was done. */
  public enum Type {
    /** The watch's events started to queue: a pause holds it. */
    PAUSED,
    /** The pause ended; the queued events were sent in order. */
    RESUMED,
    /** The watch's events started to be sent late. */
    DELAYED,
    /** An ERROR event with a 410 Gone Status ({@code Expired}) was sent and the watch ended. */
    DROPPED_GONE,
    /** The stream was closed without a word, as a dropped connection is. */
    CLOSED,
    /** The watch's next event was sent cut short: a frame the client cannot read. */
    CUT_SHORT,
    /** The watch was closed as it opened with a code no server may send: a protocol error. */
    FAILED_AS_IT_OPENED,
    /**
     * A watch asked to start at a resourceVersion older than the server can replay (a delete
     * since, or a restart since) was answered with an ERROR event carrying 410 Gone.
     */
    EXPIRED
  }
}
