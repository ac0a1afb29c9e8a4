package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The item order of an applied map-list, worked through structured-merge-diff's
 * {@code mergingWalker.visitListItems} by hand: what the schema-driven campaign found the
 * embedded server did differently (a new Service port or variable went last, render had it in
 * place).
 */
class AssociativeListMergeTest {

  private static ArrayNode list(String... names) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (String name : names) {
      list.addObject().put("name", name);
    }
    return list;
  }

  private static List<String> merged(ArrayNode live, ArrayNode applied) {
    List<String> names = new ArrayList<>();
    for (JsonNode item : AssociativeListMerge.merge(live, applied,
        item -> item.get("name").asText(), (liveItem, item) -> item.deepCopy())) {
      names.add(item.get("name").asText());
    }
    return names;
  }

  @Test
  void aNewItemAppliedBetweenTwoLandsBetweenThem() {
    assertThat(merged(list("http", "otel-metrics"), list("http", "metrics", "otel-metrics")))
        .containsExactly("http", "metrics", "otel-metrics");
  }

  @Test
  void anItemOnlyTheLiveObjectHasStaysWhereItWas() {
    assertThat(merged(list("a", "theirs", "b"), list("a", "c", "b")))
        .containsExactly("a", "theirs", "c", "b");
  }

  @Test
  void theAppliedOrderWinsForSharedItems() {
    assertThat(merged(list("a", "b"), list("b", "a"))).containsExactly("b", "a");
  }

  @Test
  void aRenamedFirstItemTakesItsPlaceBeforeTheOthers() {
    // LOG_LEVEL is no longer applied (it is removed afterwards as no longer owned).
    assertThat(merged(list("LOG_LEVEL", "FAULTS", "GREETING"),
        list("RENAMED", "FAULTS", "GREETING")))
        .containsExactly("LOG_LEVEL", "RENAMED", "FAULTS", "GREETING");
  }
}
