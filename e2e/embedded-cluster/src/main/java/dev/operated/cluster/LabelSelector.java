package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A {@code labelSelector} query parameter: {@code k=v}, {@code k==v}, {@code k!=v}, {@code k},
 * {@code !k}, {@code k in (a,b)}, {@code k notin (a,b)}, as {@code labels.Parse} reads them. The
 * store's own attributes (fabric8's {@code KubernetesAttributesExtractor}) select the simple ones
 * cheaply; a set-based term or an empty value it would drop, splitting {@code in (a,b)} at its
 * comma and answering every object, so those go through this selector.
 */
record LabelSelector(List<Predicate<JsonNode>> requirements) {

  static final LabelSelector NONE = new LabelSelector(List.of());
  /** What the extractor reads right: {@code k}, {@code !k}, {@code k=v}, {@code k==v}, k!=v. */
  private static final Pattern STORE_TERM = Pattern.compile(
      "!?[^=!,()\\s]+|[^=!,()\\s]+(==|=|!=)[^=!,()\\s]+");

  /** The selector the store cannot apply itself, or {@link #NONE} when it can. */
  static LabelSelector beyondTheStore(String raw) {
    if (raw == null || raw.isBlank()) {
      return NONE;
    }
    boolean storeReadsIt = Arrays.stream(raw.split(",", -1))
        .allMatch(term -> STORE_TERM.matcher(term.trim()).matches());
    return storeReadsIt ? NONE : of(raw);
  }

  boolean isEmpty() {
    return requirements.isEmpty();
  }

  static LabelSelector of(String raw) {
    List<Predicate<JsonNode>> requirements = new ArrayList<>();
    if (raw != null && !raw.isBlank()) {
      for (String term : splitOutsideParentheses(raw)) {
        requirements.add(requirement(term.trim()));
      }
    }
    return new LabelSelector(List.copyOf(requirements));
  }

  boolean matches(JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    return requirements.stream().allMatch(requirement -> requirement.test(labels));
  }

  private static Predicate<JsonNode> requirement(String term) {
    String[] setTerm = term.split("\\s+(notin|in)\\s+", 2);
    if (setTerm.length == 2) {
      boolean in = !term.matches(".*\\s+notin\\s+.*");
      Set<String> values = Set.of(setTerm[1].replaceAll("[()\\s]", "").split(","));
      String key = setTerm[0].trim();
      return labels -> in == (labels.has(key) && values.contains(labels.get(key).asText()));
    }
    for (String operator : List.of("!=", "==", "=")) {
      int at = term.indexOf(operator);
      if (at > 0) {
        String key = term.substring(0, at).trim();
        String value = term.substring(at + operator.length()).trim();
        boolean equal = !"!=".equals(operator);
        return labels -> equal == (labels.has(key) && value.equals(labels.get(key).asText()));
      }
    }
    if (term.startsWith("!")) {
      String key = term.substring(1).trim();
      return labels -> !labels.has(key);
    }
    return labels -> labels.has(term);
  }

  private static List<String> splitOutsideParentheses(String raw) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && depth == 0) {
        parts.add(raw.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(raw.substring(start));
    return parts;
  }
}
