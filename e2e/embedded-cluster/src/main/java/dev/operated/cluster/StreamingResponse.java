package dev.operated.cluster;

import io.fabric8.mockwebserver.http.MockResponse;

/**
 * A response whose body is written while the request stays open: an HTTP watch
 * ({@code ?watch=true} without a WebSocket upgrade, as client-go asks) or a followed log
 * ({@code pods/log?follow=true}). fabric8's mock web server buffers every body, so
 * {@link ApiHttpServer} recognises this type and runs {@link #body} on a thread of its own.
 */
final class StreamingResponse extends MockResponse {

  /** Where a streaming body goes; writes after the client went away are dropped. */
  interface Sink {
    /** Sends one chunk at once; false when the client has gone. */
    boolean write(String chunk);

    boolean open();

    /** Registers what to do when the client goes away (stop following, unsubscribe). */
    void onClose(Runnable action);
  }

  /** Writes the body, returning when the stream is over. */
  interface Body {
    void writeTo(Sink sink) throws Exception;
  }

  private final Body body;

  StreamingResponse(String contentType, Body body) {
    this.body = body;
    setResponseCode(200);
    setHeader("Content-Type", contentType);
  }

  Body body() {
    return body;
  }
}
