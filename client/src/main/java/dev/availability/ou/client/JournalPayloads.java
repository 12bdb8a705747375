package dev.availability.ou.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The payloads of IN_FLIGHT and ASSIGN that carry stimuli (docs/sidecar-api.md), apart from the client's calls. */
final class JournalPayloads {
  private JournalPayloads() {}

  /** IN_FLIGHT's answer: the stimuli, each marked began-before-promotion and quarantined as the sidecar says. */
  static List<Stimulus> inFlight(byte[] payload) {
    ByteBuffer r = ByteBuffer.wrap(payload);
    long promotionSeq = r.getLong();
    int n = r.getInt();
    List<String> ids = new ArrayList<>(n);
    List<Long> seqs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(id(r));
      seqs.add(r.getLong());
    }
    Set<String> quarantined = new HashSet<>();
    int q =
        r.remaining() >= 4 ? r.getInt() : 0; // (a sidecar that predates the quarantine sends none)
    for (int i = 0; i < q; i++) quarantined.add(id(r));
    List<Stimulus> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean before = seqs.get(i) < promotionSeq;
      out.add(new Stimulus(
          ids.get(i), seqs.get(i), before, before && quarantined.contains(ids.get(i))));
    }
    return out;
  }

  /** ASSIGN's request; {@code quarantined} null leaves the sidecar's list as it is. */
  /**
   * ASSIGN's payload: the unit (of a pooled sidecar) is written when given or when quarantined stimuli follow it (empty
   * then: not pooled); the quarantined stimuli when given.
   */
  static byte[] assign(
      String unit,
      MemberRole role,
      long epoch,
      String peerEndpoint,
      String mode,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    return assign(
        unit, role, epoch, peerEndpoint, null, mode, quarantined, unavailableDependencies);
  }

  /**
   * As above, with a next peer (make-before-break) after the lists; the lists are written (empty) when it is given,
   * so that it can be found.
   */
  static byte[] assign(
      String unit,
      MemberRole role,
      long epoch,
      String peerEndpoint,
      String nextPeerEndpoint,
      String mode,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    if (nextPeerEndpoint != null && unavailableDependencies == null)
      unavailableDependencies = List.of();
    if (unavailableDependencies != null && quarantined == null) quarantined = List.of();
    byte[] peer = (peerEndpoint == null ? "" : peerEndpoint).getBytes(StandardCharsets.UTF_8);
    byte[] u = (unit == null ? "" : unit).getBytes(StandardCharsets.UTF_8);
    boolean withUnit = unit != null || quarantined != null;
    int m = mode == null
        ? LocalProtocol.MODE_UNCHANGED
        : switch (mode.toLowerCase()) {
          case "synchronous", "sync" -> LocalProtocol.MODE_SYNCHRONOUS;
          case "asynchronous", "async" -> LocalProtocol.MODE_ASYNCHRONOUS;
          case "journal" -> LocalProtocol.MODE_JOURNAL;
          default -> throw new IllegalArgumentException("mode " + mode);
        };
    List<byte[]> ids = quarantined == null
        ? List.of()
        : quarantined.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    int size = 1 + 8 + 1 + 2 + peer.length + (withUnit ? 2 + u.length : 0);
    if (quarantined != null)
      size += 2 + ids.stream().mapToInt(id -> 2 + id.length).sum();
    ByteBuffer b = ByteBuffer.allocate(size)
        .put((byte) role.code())
        .putLong(epoch)
        .put((byte) m)
        .putShort((short) peer.length)
        .put(peer);
    if (withUnit) b.putShort((short) u.length).put(u);
    if (quarantined != null) {
      b.putShort((short) ids.size());
      for (byte[] id : ids) b.putShort((short) id.length).put(id);
    }
    byte[] out = b.array();
    if (unavailableDependencies == null) return out;
    byte[] deps = LocalProtocol.encodeNames(unavailableDependencies);
    byte[] next = nextPeerEndpoint == null
        ? new byte[0]
        : LocalProtocol.encodeNames(List.of(nextPeerEndpoint));
    byte[] all = java.util.Arrays.copyOf(out, out.length + deps.length + next.length);
    System.arraycopy(deps, 0, all, out.length, deps.length);
    System.arraycopy(next, 0, all, out.length + deps.length, next.length);
    return all;
  }

  private static String id(ByteBuffer r) {
    byte[] id = new byte[r.getShort() & 0xffff];
    r.get(id);
    return new String(id, StandardCharsets.UTF_8);
  }
}
