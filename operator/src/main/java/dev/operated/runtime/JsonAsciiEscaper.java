package dev.operated.runtime;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * UTF-8 in, ASCII out: each character beyond ASCII as a JSON escape ({@code \u00fc}, a pair of
 * them beyond the Basic Multilingual Plane), bytes that are no UTF-8 as U+FFFD, one per maximal
 * subpart as the Unicode standard recommends. A character split between two calls is finished
 * in the second. Not thread safe: one per stream.
 */
final class JsonAsciiEscaper {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final int REPLACEMENT = 0xFFFD;

  /** The character being read, and how many continuation bytes it still needs. */
  private int codePoint;
  private int missing;
  /**
   * The range the next continuation byte must be in: narrower after some lead bytes, so that an
   * overlong form, a surrogate or a value past U+10FFFF is refused at its first wrong byte
   * (the well-formed byte sequences of the Unicode standard's Table 3-7).
   */
  private int lowest = 0x80;
  private int highest = 0xBF;

  List<ByteBuffer> escape(List<ByteBuffer> buffers) {
    if (missing == 0 && buffers.stream().allMatch(JsonAsciiEscaper::isAscii)) {
      return buffers;
    }
    StringBuilder out = new StringBuilder();
    for (ByteBuffer buffer : buffers) {
      ByteBuffer bytes = buffer.duplicate();
      while (bytes.hasRemaining()) {
        accept(bytes.get() & 0xFF, out);
      }
    }
    byte[] ascii = new byte[out.length()];
    for (int i = 0; i < ascii.length; i++) {
      ascii[i] = (byte) out.charAt(i);
    }
    return List.of(ByteBuffer.wrap(ascii));
  }

  private void accept(int b, StringBuilder out) {
    if (missing > 0) {
      if (b >= lowest && b <= highest) {
        codePoint = (codePoint << 6) | (b & 0x3F);
        lowest = 0x80;
        highest = 0xBF;
        if (--missing == 0) {
          escapeCodePoint(codePoint, out);
        }
        return;
      }
      // the character ended early: it is lost, the byte starts something new
      missing = 0;
      lowest = 0x80;
      highest = 0xBF;
      escapeCodePoint(REPLACEMENT, out);
    }
    if (b < 0x80) {
      out.append((char) b);
    } else if (b >= 0xC2 && b <= 0xDF) {
      start(b & 0x1F, 1, 0x80, 0xBF);
    } else if (b == 0xE0) {
      start(b & 0x0F, 2, 0xA0, 0xBF);
    } else if (b == 0xED) {
      start(b & 0x0F, 2, 0x80, 0x9F);
    } else if (b >= 0xE1 && b <= 0xEF) {
      start(b & 0x0F, 2, 0x80, 0xBF);
    } else if (b == 0xF0) {
      start(b & 0x07, 3, 0x90, 0xBF);
    } else if (b == 0xF4) {
      start(b & 0x07, 3, 0x80, 0x8F);
    } else if (b >= 0xF1 && b <= 0xF3) {
      start(b & 0x07, 3, 0x80, 0xBF);
    } else {
      escapeCodePoint(REPLACEMENT, out);
    }
  }

  private void start(int bits, int continuationBytes, int low, int high) {
    codePoint = bits;
    missing = continuationBytes;
    lowest = low;
    highest = high;
  }

  private static void escapeCodePoint(int codePoint, StringBuilder out) {
    if (codePoint > 0xFFFF) {
      escapeChar(Character.highSurrogate(codePoint), out);
      escapeChar(Character.lowSurrogate(codePoint), out);
    } else {
      escapeChar((char) codePoint, out);
    }
  }

  private static void escapeChar(char c, StringBuilder out) {
    out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
        .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
  }

  private static boolean isAscii(ByteBuffer buffer) {
    for (int i = buffer.position(); i < buffer.limit(); i++) {
      if (buffer.get(i) < 0) {
        return false;
      }
    }
    return true;
  }
}
