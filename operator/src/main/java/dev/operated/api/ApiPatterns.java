package dev.operated.api;

/** Regular expressions of the schema, public so the validator can say what each one means. */
public final class ApiPatterns {

  /** An absolute URL path as an HTTP probe accepts it: no spaces, no query, starts with '/'. */
  public static final String HTTP_PATH = "^/[A-Za-z0-9/._~%!$&'()*+,;=:@-]*$";

  /** An OTLP endpoint: scheme, host, optional port, optional path. */
  public static final String OTLP_ENDPOINT = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";

  /** A value without whitespace (an image reference). */
  public static final String NO_WHITESPACE = "^\\S+$";

  private ApiPatterns() {
  }
}
