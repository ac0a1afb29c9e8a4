package dev.operated.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The series names and label names a PromQL expression refers to: the selectors (a metric name,
 * or a {@code __name__} regex, with the labels and values they match on), the labels of
 * {@code by}, {@code without}, {@code on}, {@code ignoring} and {@code group_left/right}, and the
 * labels {@code label_replace} reads and writes. promtool decides whether the expression parses;
 * this only reads the names out of one that does, with PromQL's lexical rules (strings,
 * durations, keywords, function calls).
 */
record PromqlReferences(List<Selector> selectors, Set<String> groupingLabels,
    Set<String> writtenLabels, Set<String> readLabels) {

  /** {@code name} is null for a selector by {@code __name__} regex only. */
  record Selector(String name, String nameRegex, Map<String, Matcher> matchers) {
  }

  record Matcher(String operator, String value) {
  }

  private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring",
      "group_left", "group_right");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset",
      "inf", "nan", "atan2");
  /** Aggregations, which may be followed by a grouping clause instead of their argument. */
  private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group",
      "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk",
      "limit_ratio");

  private enum Kind { IDENT, STRING, NUMBER, PUNCT }

  private record Token(Kind kind, String text) {
  }

  static PromqlReferences of(String expression) {
    List<Token> tokens = lex(expression);
    List<Selector> selectors = new ArrayList<>();
    Set<String> grouping = new TreeSet<>();
    Set<String> written = new TreeSet<>();
    Set<String> read = new TreeSet<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      boolean callFollows = i + 1 < tokens.size() && tokens.get(i + 1).text().equals("(");
      if (token.kind() == Kind.IDENT && GROUPING.contains(token.text())) {
        if (callFollows) {
          i += 2;
          for (; !tokens.get(i).text().equals(")"); i++) {
            if (tokens.get(i).kind() == Kind.IDENT) {
              grouping.add(tokens.get(i).text());
            }
          }
        }
      } else if (token.kind() == Kind.IDENT && callFollows) {
        if (token.text().equals("label_replace")) {
          List<List<Token>> arguments = arguments(tokens, i + 1);
          written.add(unquote(arguments.get(1).get(0).text()));
          read.add(unquote(arguments.get(3).get(0).text()));
        }
      } else if (token.kind() == Kind.IDENT && !KEYWORDS.contains(token.text())
          && !AGGREGATIONS.contains(token.text())) {
        Map<String, Matcher> matchers = new LinkedHashMap<>();
        if (i + 1 < tokens.size() && tokens.get(i + 1).text().equals("{")) {
          i = matchers(tokens, i + 1, matchers);
        }
        selectors.add(new Selector(token.text(), null, matchers));
      } else if (token.text().equals("{")) {
        Map<String, Matcher> matchers = new LinkedHashMap<>();
        i = matchers(tokens, i, matchers);
        Matcher name = matchers.remove("__name__");
        if (name == null) {
          throw new IllegalArgumentException("a selector without a name: " + expression);
        }
        selectors.add(name.operator().equals("=") ? new Selector(name.value(), null, matchers)
            : new Selector(null, name.value(), matchers));
      } else if (token.text().equals("[")) {
        while (!tokens.get(i).text().equals("]")) {
          i++;
        }
      }
    }
    return new PromqlReferences(selectors, grouping, written, read);
  }

  /** Reads {label op "value", ...} starting at the brace; returns the closing brace's index. */
  private static int matchers(List<Token> tokens, int open, Map<String, Matcher> into) {
    int i = open + 1;
    while (!tokens.get(i).text().equals("}")) {
      if (tokens.get(i).text().equals(",")) {
        i++;
        continue;
      }
      String label = tokens.get(i).text();
      String operator = tokens.get(i + 1).text();
      String value = unquote(tokens.get(i + 2).text());
      into.put(label, new Matcher(operator, value));
      i += 3;
    }
    return i;
  }

  /** The top-level, comma-separated arguments of the call whose '(' is at {@code open}. */
  private static List<List<Token>> arguments(List<Token> tokens, int open) {
    List<List<Token>> arguments = new ArrayList<>();
    List<Token> current = new ArrayList<>();
    int depth = 0;
    for (int i = open + 1; ; i++) {
      String text = tokens.get(i).text();
      if (depth == 0 && (text.equals(",") || text.equals(")"))) {
        arguments.add(current);
        current = new ArrayList<>();
        if (text.equals(")")) {
          return arguments;
        }
        continue;
      }
      if (text.equals("(") || text.equals("{") || text.equals("[")) {
        depth++;
      } else if (text.equals(")") || text.equals("}") || text.equals("]")) {
        depth--;
      }
      current.add(tokens.get(i));
    }
  }

  private static String unquote(String quoted) {
    String inner = quoted.substring(1, quoted.length() - 1);
    return quoted.startsWith("`") ? inner : inner.replace("\\\\", "\u0000")
        .replace("\\\"", "\"").replace("\\'", "'").replace("\u0000", "\\");
  }

  private static List<Token> lex(String expression) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < expression.length()) {
      char c = expression.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < expression.length() && expression.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        int end = i + 1;
        while (expression.charAt(end) != c) {
          end += expression.charAt(end) == '\\' && c != '`' ? 2 : 1;
        }
        tokens.add(new Token(Kind.STRING, expression.substring(i, end + 1)));
        i = end + 1;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < expression.length()
          && Character.isDigit(expression.charAt(i + 1)))) {
        int end = i;
        while (end < expression.length() && (Character.isLetterOrDigit(expression.charAt(end))
            || expression.charAt(end) == '.')) {
          end++;
        }
        tokens.add(new Token(Kind.NUMBER, expression.substring(i, end)));
        i = end;
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int end = i;
        while (end < expression.length() && (Character.isLetterOrDigit(expression.charAt(end))
            || expression.charAt(end) == '_' || expression.charAt(end) == ':')) {
          end++;
        }
        tokens.add(new Token(Kind.IDENT, expression.substring(i, end)));
        i = end;
      } else {
        String two = i + 1 < expression.length() ? expression.substring(i, i + 2) : "";
        boolean pair = Set.of("=~", "!~", "!=", "==", "<=", ">=").contains(two);
        tokens.add(new Token(Kind.PUNCT, pair ? two : String.valueOf(c)));
        i += pair ? 2 : 1;
      }
    }
    return tokens;
  }
}
