package dev.operated.runtime;

/**
 * How the operator's watches reach the API server ({@code --watch-transport}).
 *
 * <p>HTTP by default, as client-go watches (one streamed response per watch, events as JSON
 * lines): the JDK's WebSocket client, the one the operator's client is built on, misread about
 * 0.3 % of watch connections to a server whose frames a strict reader read whole ("Unexpected rsv1
 * bit", invalid UTF-8), and fabric8's informer retries no such error: it stops, and with it the
 * operator's cache (docs/reliability.md, "Watches over HTTP").
 */
public enum WatchTransport {
  /** A streamed HTTP response per watch: what kube-apiserver serves every client-go watch. */
  HTTP,
  /**
   * A WebSocket per watch, fabric8's default: for a server or proxy that serves watches no other
   * way (fabric8's mock API server, in this project's tests).
   */
  WEBSOCKET
}
