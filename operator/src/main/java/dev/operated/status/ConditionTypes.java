package dev.operated.status;

import java.util.Set;

/** The condition types of an OperatedService, as `kubectl wait --for=condition=...` uses them. */
public final class ConditionTypes {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  /**
   * The types the operator reports. status.conditions is keyed by type, so a condition of
   * another type belongs to whoever applied it and is neither compared nor patched away.
   */
  public static final Set<String> REPORTED = Set.of(READY, PROGRESSING, DEGRADED);

  private ConditionTypes() {
  }
}
