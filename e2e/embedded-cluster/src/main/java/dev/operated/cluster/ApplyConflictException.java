package dev.operated.cluster;

import java.util.List;

/** An apply would change fields another manager owns; the API server answers 409. */
final class ApplyConflictException extends Exception {

  record Conflict(String manager, String field) {
  }

  private final List<Conflict> conflicts;

  ApplyConflictException(List<Conflict> conflicts) {
    super(conflicts.size() == 1 ? "Apply failed with 1 conflict: conflict with \""
        + conflicts.get(0).manager() + "\": " + conflicts.get(0).field()
        : "Apply failed with " + conflicts.size() + " conflicts: " + conflicts.stream()
            .map(c -> "conflict with \"" + c.manager() + "\": " + c.field()).toList());
    this.conflicts = List.copyOf(conflicts);
  }

  List<Conflict> conflicts() {
    return conflicts;
  }
}
