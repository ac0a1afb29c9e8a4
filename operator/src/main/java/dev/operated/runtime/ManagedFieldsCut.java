package dev.operated.runtime;

/**
 * A watch event's text without its object's {@code metadata.managedFields}, found by walking the
 * text's structure (strings, objects, arrays) without reading any value.
 *
 * <p>The operator reads no object's managedFields ({@link OperatorSerialization}), but a JSON
 * parser must still read every field name of them to skip them: a field set per manager that
 * names every field the manager set, the larger half of a pod's text. Skipped that way, they
 * took two fifths of the time to decode a pod's event (dev.operated.bench.WatchDecodeCost).
 * Walking the text to find where they end costs a fraction of that: a loop over characters that
 * only tells strings from brackets.
 *
 * <p>Only {@code object.metadata.managedFields} of the event is cut, matched as written (a name
 * written with escapes is not recognised and is left for the parser to skip): nothing of the
 * same name elsewhere in the object, say a ConfigMap's key, is touched. Text in any shape this
 * walk does not expect is returned as it is.
 */
final class ManagedFieldsCut {

  private ManagedFieldsCut() {
  }

  static String cut(String event) {
    try {
      int object = valueOf(event, skipSpace(event, 0), "object");
      int metadata = object < 0 ? -1 : valueOf(event, object, "metadata");
      if (metadata < 0) {
        return event;
      }
      return cutMember(event, metadata, "managedFields");
    } catch (IndexOutOfBoundsException e) {
      // text that ends too early: the parser says what is wrong with it
      return event;
    }
  }

  /**
   * Where the value of {@code name} starts in the JSON object at {@code at}, or -1 when the text
   * there is no object or the object has no such member.
   */
  private static int valueOf(String text, int at, String name) {
    int[] member = member(text, at, name);
    return member == null ? -1 : member[1];
  }

  /** The text without the member {@code name} of the object at {@code at}, and its comma. */
  private static String cutMember(String text, int at, String name) {
    int[] member = member(text, at, name);
    if (member == null) {
      return text;
    }
    int start = member[0];
    int end = skipSpace(text, skipValue(text, member[1]));
    if (text.charAt(end) == ',') {
      end = skipSpace(text, end + 1);
    } else {
      // the last member: the comma before it goes instead
      int before = start - 1;
      while (isSpace(text.charAt(before))) {
        before--;
      }
      if (text.charAt(before) == ',') {
        start = before;
      }
    }
    return new StringBuilder(text.length() - (end - start)).append(text, 0, start)
        .append(text, end, text.length()).toString();
  }

  /** {start of the member's name, start of its value}, or null. */
  private static int[] member(String text, int at, String name) {
    if (text.charAt(at) != '{') {
      return null;
    }
    int i = skipSpace(text, at + 1);
    while (text.charAt(i) == '"') {
      int nameStart = i;
      int nameEnd = skipString(text, i);
      i = skipSpace(text, nameEnd);
      if (text.charAt(i) != ':') {
        return null;
      }
      int value = skipSpace(text, i + 1);
      if (nameEnd - nameStart - 2 == name.length()
          && text.regionMatches(nameStart + 1, name, 0, name.length())) {
        return new int[] {nameStart, value};
      }
      i = skipSpace(text, skipValue(text, value));
      if (text.charAt(i) != ',') {
        return null;
      }
      i = skipSpace(text, i + 1);
    }
    return null;
  }

  /** Past the value that starts at {@code at}. */
  private static int skipValue(String text, int at) {
    char first = text.charAt(at);
    if (first == '"') {
      return skipString(text, at);
    }
    if (first != '{' && first != '[') {
      int i = at;
      while (i < text.length() && !isSpace(text.charAt(i)) && ",}]".indexOf(text.charAt(i)) < 0) {
        i++;
      }
      return i;
    }
    int depth = 0;
    int i = at;
    do {
      char c = text.charAt(i);
      if (c == '"') {
        i = skipString(text, i);
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
      }
      i++;
    } while (depth > 0);
    return i;
  }

  /** Past the string whose opening quote is at {@code at}. */
  private static int skipString(String text, int at) {
    int i = at + 1;
    while (true) {
      char c = text.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
  }

  private static int skipSpace(String text, int at) {
    int i = at;
    while (i < text.length() && isSpace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /** JSON's whitespace (RFC 8259), nothing else. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }
}
