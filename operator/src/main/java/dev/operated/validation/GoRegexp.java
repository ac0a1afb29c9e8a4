package dev.operated.validation;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A CRD's {@code pattern} compiled to mean what it means to the API server, which matches it with
 * Go's {@code regexp} ({@code validate.Pattern} in kube-openapi's pkg/validation/validate/values.go:
 * {@code regexp.Compile(pattern).MatchString(data)}). Where Java reads the same text otherwise,
 * it is rewritten:
 * <ul>
 *   <li>{@code $} is the end of the text in Go ("like \z not \Z", regexp/syntax); Java's also
 *       matches before a final line break, so a value ending in one (a YAML block scalar writes
 *       one) passed {@code ^/[a-z]*$};</li>
 *   <li>Go's {@code .} refuses only {@code \n}; Java's also {@code \r} and Unicode's line
 *       separators, unless {@link Pattern#UNIX_LINES};</li>
 *   <li>inside a class, Go reads {@code [} and {@code &} as themselves and {@code [:alpha:]} as
 *       a POSIX class; Java reads {@code [} as a nested class and {@code &&} as an
 *       intersection.</li>
 * </ul>
 */
final class GoRegexp {

  private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
      Map.entry("alnum", "Alnum"), Map.entry("alpha", "Alpha"), Map.entry("ascii", "ASCII"),
      Map.entry("blank", "Blank"), Map.entry("cntrl", "Cntrl"), Map.entry("digit", "Digit"),
      Map.entry("graph", "Graph"), Map.entry("lower", "Lower"), Map.entry("print", "Print"),
      Map.entry("punct", "Punct"), Map.entry("space", "Space"), Map.entry("upper", "Upper"),
      Map.entry("xdigit", "XDigit"));

  private GoRegexp() {
  }

  static Pattern compile(String pattern) {
    StringBuilder java = new StringBuilder(pattern.length() + 8);
    int classBodyAt = -1; // where the open class's items begin in the pattern, -1 outside one
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && pattern.startsWith("Q", i + 1)) {
        int end = pattern.indexOf("\\E", i + 2);
        int to = end < 0 ? pattern.length() : end + 2;
        java.append(pattern, i, to); // quoted text is literal in both
        i = to - 1;
      } else if (c == '\\' && i + 1 < pattern.length()) {
        java.append(c).append(pattern.charAt(++i)); // one token: '\$' stays a literal dollar
      } else if (classBodyAt >= 0) {
        i = classItem(pattern, i, classBodyAt, java);
        if (i < 0) {
          classBodyAt = -1;
          i = -i - 1;
        }
      } else if (c == '[') {
        java.append(c);
        if (pattern.startsWith("^", i + 1)) {
          java.append('^');
          i++;
        }
        classBodyAt = i + 1;
      } else {
        java.append(c == '$' ? "\\z" : String.valueOf(c));
      }
    }
    return Pattern.compile(java.toString(), Pattern.UNIX_LINES);
  }

  /**
   * Appends the class item at {@code i}; returns the index of its last character, or
   * {@code -(index + 1)} when it closed the class.
   */
  private static int classItem(String pattern, int i, int bodyAt, StringBuilder java) {
    char c = pattern.charAt(i);
    if (c == ']' && i > bodyAt) {
      java.append(c);
      return -(i + 1);
    }
    if (c == '[' && pattern.startsWith(":", i + 1)) {
      int end = pattern.indexOf(":]", i + 2);
      if (end > 0) {
        String name = pattern.substring(i + 2, end);
        boolean negated = name.startsWith("^");
        String posix = POSIX_CLASSES.get(negated ? name.substring(1) : name);
        if (posix != null || "word".equals(name.replace("^", ""))) {
          java.append(posix == null ? (negated ? "\\W" : "\\w")
              : (negated ? "\\P{" : "\\p{") + posix + "}");
          return end + 1;
        }
      }
    }
    java.append(c == '[' || c == '&' || c == ']' ? "\\" + c : String.valueOf(c));
    return i;
  }
}
