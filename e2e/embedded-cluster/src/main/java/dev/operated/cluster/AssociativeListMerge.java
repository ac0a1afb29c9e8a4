package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The order server-side apply gives a map- or set-list when it merges an applied configuration
 * into the live object, as structured-merge-diff does ({@code typed/merge.go},
 * {@code mergingWalker.visitListItems}): the applied items in the applied order, an item only
 * the live object has staying where it was among them. A new port or variable applied between two
 * existing ones lands between them, not at the end.
 */
final class AssociativeListMerge {

  private AssociativeListMerge() {
  }

  /**
   * @param key       an item's identity in the list (its keys, or its value for a set)
   * @param mergeItem merges a live item (null when there is none) with the applied one
   */
  static ArrayNode merge(JsonNode live, JsonNode applied, Function<JsonNode, String> key,
      BinaryOperator<JsonNode> mergeItem) {
    Map<String, JsonNode> lhs = indexed(live, key);
    Map<String, JsonNode> rhs = indexed(applied, key);
    List<String> lhsOrder = new ArrayList<>(lhs.keySet());
    List<String> rhsOrder = new ArrayList<>(rhs.keySet());
    Deque<String> sharedOrder = new ArrayDeque<>();
    for (String element : rhsOrder) {
      if (lhs.containsKey(element)) {
        sharedOrder.add(element);
      }
    }
    String nextShared = sharedOrder.poll();
    Set<String> mergedRhs = new HashSet<>();
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    int l = 0;
    int r = 0;
    while (l < lhsOrder.size() || r < rhsOrder.size()) {
      if (l < lhsOrder.size() && r < rhsOrder.size()) {
        String element = lhsOrder.get(l);
        if (element.equals(rhsOrder.get(r))) {
          mergedRhs.add(element);
          out.add(mergeItem.apply(lhs.get(element), rhs.get(element)));
          l++;
          r++;
          nextShared = sharedOrder.poll();
          continue;
        }
        if (rhs.containsKey(element) && nextShared != null && !nextShared.equals(element)) {
          // a shared item, but not the one wanted in this round
          l++;
          continue;
        }
      }
      if (l < lhsOrder.size()) {
        String element = lhsOrder.get(l);
        if (!rhs.containsKey(element)) {
          out.add(lhs.get(element).deepCopy());
          l++;
          continue;
        }
        if (mergedRhs.contains(element)) {
          l++;
          continue;
        }
      }
      if (r < rhsOrder.size()) {
        String element = rhsOrder.get(r);
        mergedRhs.add(element);
        out.add(mergeItem.apply(lhs.get(element), rhs.get(element)));
        r++;
        if (element.equals(nextShared)) {
          nextShared = sharedOrder.poll();
        }
      }
    }
    return out;
  }

  /** The items by identity, in order; a repeated identity keeps its first item. */
  private static Map<String, JsonNode> indexed(JsonNode list, Function<JsonNode, String> key) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    for (JsonNode item : list) {
      items.putIfAbsent(key.apply(item), item);
    }
    return items;
  }
}
