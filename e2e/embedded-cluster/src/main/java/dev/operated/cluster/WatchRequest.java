package dev.operated.cluster;

import java.time.Instant;

/**
 * An open watch, as {@link WatchControl} selects and reports it.
 *
 * @param path            the request path with its query
 * @param group           the API group ("" for the core group)
 * @param resource        the resource, plural ({@code services}, {@code deployments})
 * @param namespace       the watched namespace, or null for all
 * @param userAgent       the client (tell clients apart by user agent, as
 *                        {@link RequestFaults#from(String)} does)
 * @param resourceVersion where the client asked the watch to start, "" for "now"
 * @param transport       WEBSOCKET (fabric8's default), HTTP (an HTTP/1.1 response that stays
 *                        open) or HTTP2 (one stream of an HTTP/2 connection: client-go over TLS)
 * @param openedAt        when it was opened, on the server's clock
 */
public record WatchRequest(String path, String group, String resource, String namespace,
    String userAgent, String resourceVersion, Transport transport, Instant openedAt) {

  /** How the events travel. */
  public enum Transport { WEBSOCKET, HTTP, HTTP2 }

  static WatchRequest of(String path, String userAgent, Transport transport, Instant at) {
    ApiTarget target = ApiTarget.parse(path);
    return new WatchRequest(path, target.group(), target.plural(), target.namespace(),
        userAgent == null ? "" : userAgent,
        target.query().getOrDefault("resourceVersion", ""), transport, at);
  }
}
