package dev.availability.ou.sidecar;

import java.util.Locale;

/**
 * When the log is fsynced. {@code always}: before anything written is counted durable (group commit:
 * one fsync covers every record that arrived meanwhile). {@code interval:<duration>}: at most that
 * long after a write; records count durable once written to the OS. {@code never}: the OS decides;
 * records count durable once written (survives a process crash, not a machine crash).
 */
public record FsyncPolicy(Kind kind, long intervalMillis) {
  public enum Kind {
    ALWAYS,
    INTERVAL,
    NEVER
  }

  public static FsyncPolicy parse(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("always")) return new FsyncPolicy(Kind.ALWAYS, 0);
    if (v.equals("never")) return new FsyncPolicy(Kind.NEVER, 0);
    if (v.startsWith("interval:"))
      return new FsyncPolicy(Kind.INTERVAL, Config.parseMillis(v.substring(9)));
    throw new IllegalArgumentException(
        "unknown fsync policy '" + s + "' (always, never, interval:<duration>)");
  }

  @Override
  public String toString() {
    return kind == Kind.INTERVAL
        ? "interval:" + intervalMillis + "ms"
        : kind.name().toLowerCase(Locale.ROOT);
  }
}
