package dev.operated.status;

/** The condition types of an OperatedService, as `kubectl wait --for=condition=...` uses them. */
public final class ConditionTypes {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private ConditionTypes() {
  }
}
