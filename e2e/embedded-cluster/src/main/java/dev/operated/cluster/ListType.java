package dev.operated.cluster;

import java.util.List;

/**
 * How server-side apply merges a list, as Kubernetes declares it per field
 * ({@code x-kubernetes-list-type} / {@code +listType}).
 *
 * @param kind atomic (replaced whole), map (merged item by item on {@code keys}) or set
 *             (merged by value)
 */
record ListType(Kind kind, List<String> keys) {

  enum Kind { ATOMIC, MAP, SET }

  static final ListType ATOMIC = new ListType(Kind.ATOMIC, List.of());
  static final ListType SET = new ListType(Kind.SET, List.of());

  static ListType map(String... keys) {
    return new ListType(Kind.MAP, List.of(keys));
  }
}
