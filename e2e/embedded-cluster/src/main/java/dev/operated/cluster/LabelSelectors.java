package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code metav1.LabelSelector} against labels (apimachinery
 * {@code LabelSelectorAsSelector}): every {@code matchLabels} pair and every
 * {@code matchExpressions} requirement (In, NotIn, Exists, DoesNotExist) must hold; an empty
 * selector matches everything.
 */
final class LabelSelectors {

  private LabelSelectors() {
  }

  static boolean matches(JsonNode selector, JsonNode labels) {
    var pairs = selector.path("matchLabels").fields();
    while (pairs.hasNext()) {
      var pair = pairs.next();
      if (!pair.getValue().asText().equals(labels.path(pair.getKey()).asText(null))) {
        return false;
      }
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      boolean has = labels.has(key);
      String value = labels.path(key).asText(null);
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asText()));
      boolean holds = switch (expression.path("operator").asText()) {
        case "In" -> has && values.contains(value);
        case "NotIn" -> !has || !values.contains(value);
        case "Exists" -> has;
        case "DoesNotExist" -> !has;
        default -> false;
      };
      if (!holds) {
        return false;
      }
    }
    return true;
  }
}
