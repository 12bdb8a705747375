package dev.availability.ou.sidecar;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Named counters and gauges, exposed on /status and /metrics and in the local API's STATUS. */
final class Counters {
  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
  private final Map<String, String> notes = new ConcurrentHashMap<>();

  void inc(String name) {
    add(name, 1);
  }

  void add(String name, long n) {
    values.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(n);
  }

  void set(String name, long n) {
    values.computeIfAbsent(name, k -> new AtomicLong()).set(n);
  }

  long get(String name) {
    AtomicLong a = values.get(name);
    return a == null ? 0 : a.get();
  }

  void note(String name, String text) {
    notes.put(name, text);
  }

  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  Map<String, String> notes() {
    return new TreeMap<>(notes);
  }
}
