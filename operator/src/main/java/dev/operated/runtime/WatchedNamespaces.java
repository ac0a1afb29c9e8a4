package dev.operated.runtime;

import io.javaoperatorsdk.operator.api.reconciler.Constants;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** Which namespaces the operator watches: every one, only its own, or a given list. */
public sealed interface WatchedNamespaces {

  /** Needs a ClusterRole: the operator lists and watches across the cluster. */
  record All() implements WatchedNamespaces {
  }

  /** The namespace the operator runs in (from OPERATED_NAMESPACE or the service account). */
  record Own() implements WatchedNamespaces {
  }

  record Listed(SortedSet<String> names) implements WatchedNamespaces {
    public Listed {
      names = new TreeSet<>(names);
    }
  }

  /** The namespaces to give JOSDK, once the operator's own namespace is known. */
  default Set<String> forJosdk(String ownNamespace) {
    if (this instanceof All) {
      return Set.of(Constants.WATCH_ALL_NAMESPACES);
    }
    if (this instanceof Listed listed) {
      return listed.names();
    }
    return Set.of(ownNamespace);
  }

  /** As the chart passes it in OPERATED_WATCH_NAMESPACES. */
  default String asSetting() {
    if (this instanceof All) {
      return "all";
    }
    if (this instanceof Listed listed) {
      return String.join(",", listed.names());
    }
    return "own";
  }
}
