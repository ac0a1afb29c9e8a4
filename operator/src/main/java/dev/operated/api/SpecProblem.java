package dev.operated.api;

/**
 * One thing wrong with a spec: the field in Kubernetes' notation (as the API server's
 * field.Path prints it: {@code spec.env[2].name}, a map key in brackets as in
 * {@code spec.podLabels[team]}) and what to do about it.
 */
public record SpecProblem(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
