package dev.operated.cluster;

/**
 * A request the authentication or authorization stage refused (401 or 403), with the message
 * the client got: what a test reads to show that a client lacked, or never lacked, a permission.
 */
public record AccessRefusal(String method, String path, String user, int code, String message) {

  @Override
  public String toString() {
    return method + " " + path + " by " + user + ": " + code + " " + message;
  }
}
