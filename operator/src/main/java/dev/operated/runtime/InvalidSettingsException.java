package dev.operated.runtime;

import java.util.List;

/** Every bad setting at once, each naming its flag and variable and how to fix it. */
public final class InvalidSettingsException extends RuntimeException {

  private final List<String> problems;

  public InvalidSettingsException(List<String> problems) {
    super("invalid operator settings:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
