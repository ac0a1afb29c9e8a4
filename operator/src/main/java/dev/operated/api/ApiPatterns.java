package dev.operated.api;

/** Regular expressions shared by the schema and the validator. */
final class ApiPatterns {

  /** An absolute URL path as an HTTP probe accepts it: no spaces, no query, starts with '/'. */
  static final String HTTP_PATH = "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$";

  /** An OTLP endpoint: scheme, host, optional port, optional path. */
  static final String OTLP_ENDPOINT = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";

  private ApiPatterns() {
  }
}
