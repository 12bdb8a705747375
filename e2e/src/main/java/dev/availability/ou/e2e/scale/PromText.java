package dev.availability.ou.e2e.scale;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples of a Prometheus text exposition: name, labels, value. Only what the benchmark reads. */
record PromText(List<Sample> samples) {
  record Sample(String name, Map<String, String> labels, double value) {
    String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static PromText parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int brace = line.indexOf('{');
      int space = brace >= 0 ? line.indexOf(' ', line.lastIndexOf('}')) : line.indexOf(' ');
      if (space < 0) continue;
      String name =
          brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        Matcher m = LABEL.matcher(line.substring(brace, space));
        while (m.find()) labels.put(m.group(1), m.group(2));
      }
      String[] rest = line.substring(space + 1).trim().split("\\s+");
      try {
        out.add(new Sample(name, labels, Double.parseDouble(rest[0])));
      } catch (NumberFormatException e) {
        // NaN spelled otherwise, or a format we do not read: skipped
      }
    }
    return new PromText(out);
  }

  /** The sum of the samples named {@code name} whose labels pass {@code filter}. */
  double sum(String name, Predicate<Sample> filter) {
    double s = 0;
    for (Sample x : samples) if (x.name.equals(name) && filter.test(x)) s += x.value;
    return s;
  }

  /** Sums of the samples named {@code name} grouped by what {@code key} makes of each. */
  Map<String, Double> sumBy(String name, java.util.function.Function<Sample, String> key) {
    Map<String, Double> m = new java.util.TreeMap<>();
    for (Sample x : samples) if (x.name.equals(name)) m.merge(key.apply(x), x.value, Double::sum);
    return m;
  }
}
