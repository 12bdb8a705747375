package dev.availability.ou.sidecar;

import static dev.availability.ou.client.LocalProtocol.*;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.Role;
import dev.availability.ou.replication.Key;
import dev.availability.ou.replication.KvState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The local API's answers that read the replica (SCAN, IN_FLIGHT, STATUS, WATCH events) and the codes ASSIGN carries,
 * encoded and decoded per {@link LocalProtocol}. Apart from {@link LocalApiServer}, which keeps the connections, the
 * framing, the writes and back-pressure.
 */
final class LocalApiPayloads {
  private LocalApiPayloads() {}

  /** SCAN: the page after the key the request names (at most its limit and about 8 MiB), and whether more follow. */
  static byte[] scan(Replica replica, ByteBuffer b) {
    Key after = null;
    if (b.get() != 0) {
      byte[] k = new byte[b.getShort() & 0xffff];
      b.get(k);
      after = Key.wrap(k);
    }
    int limit = Math.max(1, Math.min(b.getInt(), 100_000));
    List<Map.Entry<Key, byte[]>> page = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<Key, byte[]> e : replica.store().state().scan(after, limit + 1)) {
      if (page.size() == limit || bytes > 8 << 20) break;
      page.add(e);
      bytes += 6 + e.getKey().bytes().length + e.getValue().length;
    }
    boolean more = replica
            .store()
            .state()
            .scan(page.isEmpty() ? after : page.get(page.size() - 1).getKey(), 1)
            .size()
        > 0;
    ByteBuffer r = ByteBuffer.allocate((int) (5 + bytes));
    r.put((byte) (more ? 1 : 0)).putInt(page.size());
    for (Map.Entry<Key, byte[]> e : page) {
      r.putShort((short) e.getKey().bytes().length)
          .put(e.getKey().bytes())
          .putInt(e.getValue().length)
          .put(e.getValue());
    }
    return r.array();
  }

  /**
   * IN_FLIGHT: the sequence this member was promoted at and the stimuli begun and not ended, oldest first; then the
   * ones of those the operator quarantined (begun before the promotion), which the application must settle, not
   * reprocess. Clients that predate the quarantine read the first part only.
   */
  static byte[] inFlight(Replica replica) {
    KvState state = replica.store().state();
    Map<Key, Long> open = state.openStimuli();
    long promotionSeq = replica.promotionSeq();
    List<byte[]> quarantined = new ArrayList<>();
    int size = 12 + 4;
    for (Map.Entry<Key, Long> e : open.entrySet()) {
      byte[] id = e.getKey().bytes();
      size += 10 + id.length;
      if (e.getValue() < promotionSeq
          && replica.quarantine().contains(new String(id, StandardCharsets.UTF_8))) {
        quarantined.add(id);
        size += 2 + id.length;
      }
    }
    ByteBuffer r = ByteBuffer.allocate(size).putLong(promotionSeq).putInt(open.size());
    open.entrySet().stream()
        .sorted(Map.Entry.comparingByValue())
        .forEach(e -> r.putShort((short) e.getKey().bytes().length)
            .put(e.getKey().bytes())
            .putLong(e.getValue()));
    r.putInt(quarantined.size());
    for (byte[] id : quarantined) r.putShort((short) id.length).put(id);
    return r.array();
  }

  /** STATUS: the replica's status lines, the application's health and every counter. */
  static List<String> statusLines(Replica replica, AppHealth appHealth, Counters counters) {
    List<String> lines = new ArrayList<>(replica.statusLines());
    lines.add("appHealthy=" + appHealth.healthy());
    lines.add(
        "unavailableDependencies=" + String.join(",", replica.dependencies().names()));
    for (Map.Entry<String, Long> e : counters.snapshot().entrySet())
      lines.add("counter." + e.getKey() + "=" + e.getValue());
    return lines;
  }

  /** STATUS's payload: one line each. */
  static byte[] lines(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    for (String l : lines) sb.append(l).append('\n');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** ASSIGN's role code. */
  static Role role(int roleCode) {
    return switch (roleCode) {
      case ROLE_PRIMARY -> Role.Primary;
      case ROLE_STANDBY -> Role.Standby;
      case ROLE_FENCED -> Role.Fenced;
      default -> throw new IllegalArgumentException("role " + roleCode);
    };
  }

  /** ASSIGN's mode code; null leaves the mode as it is. */
  static Mode mode(int modeCode) {
    return switch (modeCode) {
      case MODE_UNCHANGED -> null;
      case MODE_SYNCHRONOUS -> Mode.SYNCHRONOUS;
      case MODE_ASYNCHRONOUS -> Mode.ASYNCHRONOUS;
      case MODE_JOURNAL -> Mode.JOURNAL;
      default -> throw new IllegalArgumentException("mode " + modeCode);
    };
  }

  /**
   * A WATCH event: role, epoch, whether serving, the reason (cut to 1 KiB), then the unit served (empty when the
   * sidecar is not pooled or serves none), then the unavailable dependencies ({@link LocalProtocol#encodeNames}). A client that reads
   * only the first four ignores the rest.
   */
  static byte[] event(LocalApiTarget.UnitRoleView u) {
    Replica.RoleView v = u.view();
    byte[] reason = v.reason() == null ? new byte[0] : v.reason().getBytes(StandardCharsets.UTF_8);
    if (reason.length > 1024) reason = Arrays.copyOf(reason, 1024);
    byte[] unit = u.unit() == null ? new byte[0] : u.unit().getBytes(StandardCharsets.UTF_8);
    int role = v.role() == null
        ? ROLE_UNASSIGNED
        : switch (v.role()) {
          case Primary -> ROLE_PRIMARY;
          case Standby -> ROLE_STANDBY;
          case Fenced -> ROLE_FENCED;
        };
    byte[] dependencies = encodeNames(u.unavailableDependencies());
    return ByteBuffer.allocate(
            1 + 8 + 1 + 2 + reason.length + 2 + unit.length + dependencies.length)
        .put((byte) role)
        .putLong(v.epoch())
        .put((byte) (v.serving() ? 1 : 0))
        .putShort((short) reason.length)
        .put(reason)
        .putShort((short) unit.length)
        .put(unit)
        .put(dependencies)
        .array();
  }
}
