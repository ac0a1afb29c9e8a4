package dev.operated.api;

/** Regular expressions of the schema, public so the validator can say what each one means. */
public final class ApiPatterns {

  /**
   * An absolute URL path, no spaces, no query: Prometheus puts a scrape's metrics path in the
   * URL's path ({@code Target.URL}: {@code url.URL{Path: __metrics_path__}}), so a '?' there is
   * sent escaped as part of the path, never as a query.
   */
  public static final String HTTP_PATH = "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$";

  /**
   * An HTTP probe's path: an absolute path, then optionally a query after '?'; no spaces. The
   * kubelet parses the probe's path as a URL and keeps its query ({@code formatURL} in
   * pkg/probe/http/request.go: {@code url.Parse(path)}), and the API server only requires a path
   * ({@code validateHTTPGetAction}).
   */
  public static final String PROBE_PATH =
      "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*(\\?[A-Za-z0-9/?._~%!$&'()*+,;=:@-]*)?$";

  /** An OTLP endpoint: scheme, host, optional port, optional path. */
  public static final String OTLP_ENDPOINT = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";

  /** A value without whitespace (an image reference). */
  public static final String NO_WHITESPACE = "^\\S+$";

  private ApiPatterns() {
  }
}
