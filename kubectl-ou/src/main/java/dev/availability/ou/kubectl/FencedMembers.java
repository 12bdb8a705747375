package dev.availability.ou.kubectl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The comma list of annotation {@code ou.availability.dev/fenced-members}, edited one member at a time, order kept. */
final class FencedMembers {
  private FencedMembers() {}

  static List<String> parse(String value) {
    if (value == null) return List.of();
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .distinct()
        .toList();
  }

  /** The value with {@code member} added (the same value when it is there already). */
  static String with(String value, String member) {
    List<String> members = new ArrayList<>(parse(value));
    if (!members.contains(member)) members.add(member);
    return String.join(",", members);
  }

  /** The value without {@code member}; empty when it was the last one. */
  static String without(String value, String member) {
    List<String> members = new ArrayList<>(parse(value));
    members.remove(member);
    return String.join(",", members);
  }
}
