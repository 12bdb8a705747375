package dev.availability.ou.kubectl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Columns aligned as kubectl aligns them: upper-case headers, three spaces between columns, the last one not padded. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... headers) {
    columns = headers.length;
    rows.add(headers);
  }

  Table row(Object... cells) {
    rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : c.toString()).toArray(String[]::new));
    return this;
  }

  boolean isEmpty() {
    return rows.size() == 1;
  }

  void print(PrintWriter out) {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) width[i] = Math.max(width[i], r[i].length());
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(r[i]);
        if (i < columns - 1) line.append(" ".repeat(width[i] - r[i].length() + 3));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
