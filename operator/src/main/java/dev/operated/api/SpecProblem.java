package dev.operated.api;

/**
 * One thing wrong with a spec: the field as a user would write it in a kubectl patch path
 * (e.g. {@code spec.env[2].name}) and what to do about it.
 */
public record SpecProblem(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
