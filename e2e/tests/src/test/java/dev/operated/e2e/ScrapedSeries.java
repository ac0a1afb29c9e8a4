package dev.operated.e2e;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series names of a Prometheus text exposition, each with its label names and the values
 * seen for them: what a scrape of our code really returned, to check rules and dashboards
 * against.
 */
record ScrapedSeries(Map<String, Map<String, Set<String>>> labelsByName) {

  private static final Pattern SAMPLE = Pattern.compile(
      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
  private static final Pattern LABEL = Pattern.compile(
      "([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static ScrapedSeries parse(String exposition) {
    Map<String, Map<String, Set<String>>> labels = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new IllegalArgumentException("not a Prometheus text sample: " + line);
      }
      Map<String, Set<String>> values = labels.computeIfAbsent(sample.group(1),
          name -> new TreeMap<>());
      if (sample.group(3) != null) {
        Matcher label = LABEL.matcher(sample.group(3));
        while (label.find()) {
          values.computeIfAbsent(label.group(1), l -> new TreeSet<>()).add(label.group(2));
        }
      }
    }
    return new ScrapedSeries(labels);
  }

  ScrapedSeries plus(ScrapedSeries other) {
    Map<String, Map<String, Set<String>>> merged = new TreeMap<>();
    for (ScrapedSeries series : new ScrapedSeries[] {this, other}) {
      series.labelsByName.forEach((name, labels) -> labels.forEach((label, values) ->
          merged.computeIfAbsent(name, n -> new TreeMap<>())
              .computeIfAbsent(label, l -> new TreeSet<>()).addAll(values)));
      series.labelsByName.keySet().forEach(name -> merged.computeIfAbsent(name,
          n -> new TreeMap<>()));
    }
    return new ScrapedSeries(merged);
  }

  boolean has(String name) {
    return labelsByName.containsKey(name);
  }

  Set<String> labels(String name) {
    return labelsByName.getOrDefault(name, Map.of()).keySet();
  }

  Set<String> values(String name, String label) {
    return labelsByName.getOrDefault(name, Map.of()).getOrDefault(label, Set.of());
  }
}
