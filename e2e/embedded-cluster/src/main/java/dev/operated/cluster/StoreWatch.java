package dev.operated.cluster;

import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A WebSocket watch of the store, in place of fabric8's {@code WatchEventsListener}: when it
 * opens, an ADDED event per current object it matches; then an event per write that it matches
 * before or after (MODIFIED, or ADDED / DELETED as the object starts or stops matching), sent as
 * the write commits. fabric8's listener typed the object again for each watcher (the stored
 * JSON to a GenericKubernetesResource and back) on the writer's thread, under the write lock: a
 * fifth of the server's time in the scale benchmark's storm. Here the store writes each event's
 * frame once ({@link WatchFrames}) for every watcher it goes to.
 *
 * <p>Its callbacks and sends are ordered by the store's lock, as {@link ControlledWebSocketListener}
 * opens it under the read lock (no write between its replay and its place among the watchers)
 * and closes it under the write lock.
 */
final class StoreWatch extends WebSocketListener {

  private final AttributeSet query;
  private final Set<StoreWatch> open;
  private final Consumer<StoreWatch> replay;
  private volatile WebSocket socket;
  /** Set before the watch opens, by the stage that took the field selector off its path. */
  private volatile FieldSelectors.Selector fields = FieldSelectors.Selector.NONE;
  /** Likewise for a label selector the store's attributes cannot express. */
  private volatile LabelSelector labels = LabelSelector.NONE;

  /**
   * @param open   the store's open watches, which this one joins when it opens
   * @param replay sends this watch the current objects it matches
   */
  StoreWatch(AttributeSet query, Set<StoreWatch> open, Consumer<StoreWatch> replay) {
    this.query = query;
    this.open = open;
    this.replay = replay;
  }

  AttributeSet query() {
    return query;
  }

  /**
   * Narrows the watch to the objects a field selector selects ({@code metadata.name=x}, and the
   * fields each kind supports), which the store's attributes cannot express.
   */
  void selectFields(FieldSelectors.Selector selector) {
    fields = selector;
  }

  /** Narrows the watch by a set-based label selector ({@link LabelSelector#beyondTheStore}). */
  void selectLabels(LabelSelector selector) {
    labels = selector;
  }

  /**
   * Whether a stored object is one this watch asked for: its key by the dispatcher's matching,
   * then its fields and labels (read from its JSON only when the watch selects by them).
   */
  boolean matches(AttributeSet key, String json) {
    FieldSelectors.Selector byFields = fields;
    LabelSelector byLabels = labels;
    if (!key.matches(query)) {
      return false;
    }
    if (byFields.isEmpty() && byLabels.isEmpty()) {
      return true;
    }
    var object = Storage.parse(json);
    return byFields.matches(object) && byLabels.matches(object);
  }

  void send(String frame) {
    WebSocket current = socket;
    if (current != null) {
      current.send(frame);
    }
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    socket = webSocket;
    replay.accept(this);
    open.add(this);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    webSocket.close(code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    open.remove(this);
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable error, Response response) {
    open.remove(this);
    webSocket.close(1000, error.getMessage() == null ? "" : error.getMessage());
  }
}
