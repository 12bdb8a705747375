package dev.availability.ou.kubectl;

/** Durations as kubectl prints ages: 850ms, 12s, 3m20s, 2h5m, 3d4h. */
final class Ages {
  private Ages() {}

  static String of(Long millis) {
    if (millis == null) return "-";
    long ms = Math.max(0, millis);
    if (ms < 1_000) return ms + "ms";
    long s = ms / 1_000;
    if (s < 60)
      return ms < 10_000 && ms % 1_000 >= 100
          ? String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0)
          : s + "s";
    long m = s / 60;
    if (m < 60) return m + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    long h = m / 60;
    if (h < 48) return h + "h" + (m % 60 == 0 ? "" : m % 60 + "m");
    return h / 24 + "d" + (h % 24 == 0 ? "" : h % 24 + "h");
  }
}
