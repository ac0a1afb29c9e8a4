package dev.operated.desired;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the operator remembers per object or per input (a reported status, an Event budget, a
 * deferred status, a gateway's rendered collector configuration): at most so many entries, the
 * least recently used forgotten first, so that a deleted object's entry does not stay for the
 * life of the process.
 */
public final class RecentlyUsed {

  private RecentlyUsed() {
  }

  /** Not synchronized: for a caller that guards it itself. */
  public static <K, V> Map<K, V> map(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  public static <K, V> Map<K, V> synchronizedMap(int capacity) {
    return Collections.synchronizedMap(map(capacity));
  }
}
