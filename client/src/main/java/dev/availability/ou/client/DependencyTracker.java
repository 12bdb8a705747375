package dev.availability.ou.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the WATCH stream's lists of unavailable dependencies into one {@link DependencyChange} per dependency that
 * changed: at subscription, one for each unavailable then; later, one for each that went or came back. Also the
 * codec of those lists (u16 count, then u16-length UTF-8 names).
 */
final class DependencyTracker implements Consumer<RoleChange> {
  private final Consumer<DependencyChange> listener;
  private List<String> known = List.of();

  DependencyTracker(Consumer<DependencyChange> listener) {
    this.listener = listener;
  }

  @Override
  public synchronized void accept(RoleChange c) {
    List<String> now = c.unavailableDependencies();
    for (String d : now)
      if (!known.contains(d)) listener.accept(new DependencyChange(d, false, now));
    for (String d : known)
      if (!now.contains(d)) listener.accept(new DependencyChange(d, true, now));
    known = now;
  }

  static List<String> names(ByteBuffer b) {
    int n = b.getShort() & 0xffff;
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] name = new byte[b.getShort() & 0xffff];
      b.get(name);
      out.add(new String(name, StandardCharsets.UTF_8));
    }
    return out;
  }

  static byte[] encode(List<String> names) {
    List<byte[]> each =
        names.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toList();
    ByteBuffer b =
        ByteBuffer.allocate(2 + each.stream().mapToInt(n -> 2 + n.length).sum());
    b.putShort((short) each.size());
    for (byte[] n : each) b.putShort((short) n.length).put(n);
    return b.array();
  }
}
