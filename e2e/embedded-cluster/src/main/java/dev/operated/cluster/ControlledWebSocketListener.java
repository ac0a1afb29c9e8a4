package dev.operated.cluster;

import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Optional;

/**
 * The store's WebSocket watch ({@link StoreWatch}), handed a socket whose text frames (the watch
 * events) pass {@link WatchControl}: every callback is forwarded, with that socket in place of
 * the real one. A watch from a version the server cannot replay from gets the 410 ERROR event
 * and is closed; the store's watch, opened all the same, sends nothing on it. The store's
 * watch opens and closes under the store's lock, which the store does not take itself for
 * either (see {@link Storage#withoutWrites} and {@link Storage#betweenWrites}).
 */
final class ControlledWebSocketListener extends WebSocketListener {

  /** RFC 6455 7.4.1: "mandatory extension", sent by a client only. */
  private static final int CLIENT_ONLY_CLOSE_CODE = 1010;

  private final WatchControl control;
  private final WatchRequest watch;
  private final WebSocketListener delegate;
  private volatile ControlledWatch controlled;
  private volatile WebSocket controlledSocket;

  ControlledWebSocketListener(WatchControl control, WatchRequest watch,
      WebSocketListener delegate) {
    this.control = control;
    this.watch = watch;
    this.delegate = delegate;
  }

  private WebSocket socket(WebSocket real) {
    WebSocket socket = controlledSocket;
    if (socket != null) {
      return socket;
    }
    ControlledWatch created = new ControlledWatch(control, watch, new ControlledWatch.Transport() {
      @Override
      public void send(String frame) {
        real.send(frame);
      }

      @Override
      public void close() {
        real.close(1000, "");
      }
    }, false);
    socket = new WebSocket() {
      @Override
      public RecordedRequest request() {
        return real.request();
      }

      @Override
      public boolean send(String text) {
        created.offer(text);
        return true;
      }

      @Override
      public boolean send(byte[] bytes) {
        return real.send(bytes);
      }

      @Override
      public boolean send(ByteString bytes) {
        return real.send(bytes);
      }

      @Override
      public boolean close(int code, String reason) {
        return real.close(code, reason);
      }
    };
    controlled = created;
    controlledSocket = socket;
    return socket;
  }

  @Override
  public void onBeforeAccept(WebSocket webSocket, Response response) {
    delegate.onBeforeAccept(socket(webSocket), response);
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    WebSocket socket = socket(webSocket);
    if (control.failsAsItOpens(watch)) {
      controlled.ended();
      control.storage.withoutWrites(() -> delegate.onOpen(socket, response));
      webSocket.close(CLIENT_ONLY_CLOSE_CODE, "");
      control.record(WatchAction.Type.FAILED_AS_IT_OPENED, watch, 0);
      return;
    }
    Optional<String> expired = control.expiry(watch);
    if (expired.isPresent()) {
      // the store's watch is opened all the same (it must know its socket to close),
      // but the watch has ended, so its replay of the current objects goes nowhere
      controlled.ended();
      control.storage.withoutWrites(() -> delegate.onOpen(socket, response));
      webSocket.send(WatchControl.goneEvent(expired.get()));
      webSocket.close(1000, "");
      control.record(WatchAction.Type.EXPIRED, watch, 0);
      return;
    }
    control.opened(controlled);
    // its replay of the current objects, then the events of the writes after them, in order
    control.storage.withoutWrites(() -> delegate.onOpen(socket, response));
  }

  @Override
  public void onMessage(WebSocket webSocket, String text) {
    delegate.onMessage(socket(webSocket), text);
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteString bytes) {
    delegate.onMessage(socket(webSocket), bytes);
  }

  @Override
  public void onMessage(WebSocket webSocket, byte[] bytes) {
    delegate.onMessage(socket(webSocket), bytes);
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    delegate.onClosing(socket(webSocket), code, reason);
  }

  @Override
  public void onClosed(WebSocket webSocket, int code, String reason) {
    WebSocket socket = socket(webSocket);
    control.closed(controlled);
    control.storage.betweenWrites(() -> delegate.onClosed(socket, code, reason));
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable error, Response response) {
    WebSocket socket = socket(webSocket);
    control.closed(controlled);
    control.storage.betweenWrites(() -> delegate.onFailure(socket, error, response));
  }
}
