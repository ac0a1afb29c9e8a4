package dev.operated.desired;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The first bytes of a SHA-256, in hex: short enough for an annotation, long enough to differ. */
final class ShortHash {

  /**
   * Cloned for each hash: {@code MessageDigest.getInstance} looks the algorithm up among the
   * security providers on every call, a tenth of digesting a Deployment (JFR, N = 1,000).
   */
  private static final MessageDigest SHA_256 = sha256();

  private ShortHash() {
  }

  static String of(byte[] content, int bytes) {
    return HexFormat.of().formatHex(fresh().digest(content), 0, bytes);
  }

  private static MessageDigest fresh() {
    try {
      return (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      return sha256();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
