package dev.operated.playground;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell commands of one README section, as a user copies them: the fenced {@code sh} blocks
 * under the section's {@code ## } heading and before its first {@code ### } subsection,
 * continuation lines joined, comments dropped, each command split into words as a POSIX shell
 * splits them (single and double quotes; no variables, globs or pipes, which the README's
 * commands do not use and which are refused here rather than misread).
 */
final class ReadmeCommands {

  /** One command: the line as the README has it and the words a shell would pass. */
  record Command(String line, List<String> words) {

    String program() {
      return words.get(0);
    }

    List<String> arguments() {
      return words.subList(1, words.size());
    }

    boolean startsWith(String... prefix) {
      return words.size() >= prefix.length
          && words.subList(0, prefix.length).equals(List.of(prefix));
    }
  }

  private ReadmeCommands() {
  }

  static List<Command> of(Path readme, String heading) throws IOException {
    List<String> lines = Files.readAllLines(readme);
    int start = lines.indexOf("## " + heading);
    if (start < 0) {
      throw new IllegalStateException(readme + " has no section \"## " + heading + "\"");
    }
    List<Command> commands = new ArrayList<>();
    boolean inBlock = false;
    StringBuilder pending = new StringBuilder();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (!inBlock && line.startsWith("#")) {
        break; // the next section or subsection
      }
      if (!inBlock) {
        inBlock = line.equals("```sh");
        continue;
      }
      if (line.equals("```")) {
        inBlock = false;
        continue;
      }
      String code = withoutComment(line).stripTrailing();
      if (code.endsWith("\\")) {
        pending.append(code, 0, code.length() - 1).append(' ');
        continue;
      }
      String command = (pending + code).strip().replaceAll("\\s+", " ");
      pending.setLength(0);
      if (!command.isEmpty()) {
        commands.add(new Command(command, words(command)));
      }
    }
    if (commands.isEmpty()) {
      throw new IllegalStateException("section \"## " + heading + "\" of " + readme
          + " has no ```sh block");
    }
    return commands;
  }

  /** The line without a {@code #} comment that starts a word outside quotes. */
  private static String withoutComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (char c : command.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if ("$|&;<>*?`".indexOf(c) >= 0) {
        throw new IllegalArgumentException("the README command `" + command + "` uses shell "
            + "syntax ('" + c + "') the journey does not run; keep the commands plain");
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("unclosed quote in the README command `" + command + "`");
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
