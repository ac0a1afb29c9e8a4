package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of a CRD's {@code additionalPrinterColumns}: its JSONPath evaluated on an object and the
 * first result made a cell, as apiextensions-apiserver's {@code tableconvertor} does
 * (only "simple" paths are allowed there too: fields, indexes, {@code [*]} and filters
 * {@code [?(@.field=="value")]}). No result is a null cell, which kubectl prints as
 * {@code <none>}.
 */
record JsonPathColumn(String type, List<Step> steps) {

  private static final Pattern STEP = Pattern.compile(
      "\\.([^.\\[]+)|\\[(\\d+|\\*)]|\\[\\?\\(@\\.([^=!]+?)\\s*(==|!=)\\s*[\"']?([^\"')]*)[\"']?\\)]");

  /** A field, an index (-1 for every item) or a filter on an item's field. */
  record Step(String field, int index, String filterField, boolean filterEqual,
      String filterValue) {
  }

  static List<Step> parse(String jsonPath) {
    String path = jsonPath.trim();
    if (path.startsWith("{") && path.endsWith("}")) {
      path = path.substring(1, path.length() - 1);
    }
    List<Step> steps = new ArrayList<>();
    Matcher matcher = STEP.matcher(path);
    int at = 0;
    while (at < path.length() && matcher.find(at) && matcher.start() == at) {
      if (matcher.group(1) != null) {
        steps.add(new Step(matcher.group(1), 0, null, false, null));
      } else if (matcher.group(2) != null) {
        steps.add(new Step(null, "*".equals(matcher.group(2)) ? -1
            : Integer.parseInt(matcher.group(2)), null, false, null));
      } else {
        steps.add(new Step(null, 0, matcher.group(3).trim(), "==".equals(matcher.group(4)),
            matcher.group(5)));
      }
      at = matcher.end();
    }
    if (at != path.length()) {
      throw new IllegalArgumentException("unsupported printer column JSONPath " + jsonPath);
    }
    return List.copyOf(steps);
  }

  /**
   * The cell of this column for the object (cellForJSONValue of the first result); a date is
   * printed as its age ({@code metatable.ConvertToHumanReadableDateType}).
   */
  Object cell(JsonNode object, Instant now) {
    List<JsonNode> results = List.of(object);
    for (Step step : steps) {
      List<JsonNode> next = new ArrayList<>();
      for (JsonNode node : results) {
        if (step.field() != null) {
          if (node.has(step.field())) {
            next.add(node.get(step.field()));
          }
        } else if (step.filterField() != null) {
          for (JsonNode item : node) {
            JsonNode value = item.path(step.filterField());
            if (step.filterEqual() == (value.isValueNode()
                && step.filterValue().equals(value.asText()))) {
              next.add(item);
            }
          }
        } else if (step.index() < 0) {
          node.forEach(next::add);
        } else if (node.isArray() && step.index() < node.size()) {
          next.add(node.get(step.index()));
        }
      }
      results = next;
    }
    if (results.isEmpty() || results.get(0).isNull()) {
      return null;
    }
    JsonNode value = results.get(0);
    return switch (type) {
      case "integer" -> value.canConvertToLong() ? (Object) value.asLong() : null;
      case "number" -> value.isNumber() ? JsonNodeFactory.instance.numberNode(value.asDouble())
          : null;
      case "boolean" -> value.isBoolean() ? value : null;
      case "date" -> !value.isTextual() ? null
          : TablePrinters.instant(value.asText()) == null ? "<invalid>"
          : TablePrinters.humanDuration(Duration.between(TablePrinters.instant(value.asText()),
              now));
      default -> value.isValueNode() ? value.asText() : value.toString();
    };
  }
}
