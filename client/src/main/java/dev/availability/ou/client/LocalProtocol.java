package dev.availability.ou.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sidecar's local API on the wire (documented in docs/sidecar-api.md). A connection starts with the
 * four bytes {@code OUL1} from the client, echoed by the sidecar. Then both sides send frames:
 * <pre>
 *   request:  u32 length (of what follows), u32 request id, u8 op,     payload
 *   response: u32 length (of what follows), u32 request id, u8 status, payload
 * </pre>
 * Requests may be pipelined; responses carry the request id and may come back in any order.
 * All integers are big-endian.
 */
public final class LocalProtocol {
  public static final byte[] PREFACE = {'O', 'U', 'L', '1'};
  /** Largest request or response frame (length field), bytes. */
  public static final int MAX_FRAME = 64 << 20;

  // Operations.
  /** u16 key length, key, value (the rest) → OK u64 seq. */
  public static final int OP_PUT = 1;
  /** key → OK u64 seq. */
  public static final int OP_DELETE = 2;
  /** key → OK value | NOT_FOUND. */
  public static final int OP_GET = 3;
  /** u8 has-after, [u16 length, after-key], u32 limit → OK u8 more, u32 count, count x (u16, key, u32, value). */
  public static final int OP_SCAN = 4;
  /** stimulus id → OK u64 seq. */
  public static final int OP_BEGIN = 5;
  /** stimulus id → OK u64 seq. */
  public static final int OP_END = 6;
  /** → OK u64 promotion seq, u32 count, count x (u16, id, u64 seq of BEGIN), u32 quarantined, that many x (u16, id). */
  public static final int OP_IN_FLIGHT = 7;
  /** → OK UTF-8 "key=value" lines. */
  public static final int OP_STATUS = 8;
  /**
   * → one EVENT now and one at every role change, until the connection closes: u8 role, u64 epoch, u8 serving,
   * u16 length, reason, then u16 length, unit (the unit served by a pooled sidecar; empty otherwise; absent from
   * sidecars older than pools), then u16 count and that many (u16 length, name) of the units depended on that are
   * unavailable (absent from older sidecars). A change of those alone is an event too (same role and epoch).
   */
  public static final int OP_WATCH = 9;
  /** u32 ttl millis, u8 healthy → OK. The application is healthy while heartbeats come within their ttl. */
  public static final int OP_APP_HEARTBEAT = 10;
  /**
   * Standalone control only: u8 role, u64 epoch, u8 mode, u16 length, peer host:port, then optionally u16 length,
   * unit (required by a pooled sidecar: which of its units; empty for one that is not pooled), then optionally u16
   * count and that many (u16 length, id) of quarantined stimuli, then optionally u16 count and that many (u16 length,
   * name) of unavailable dependencies → OK.
   */
  public static final int OP_ASSIGN = 11;
  /** → OK. */
  public static final int OP_PING = 12;
  /** Pooled sidecar, standalone control only: u16 length, unit, u16 length, replication host:port → OK. */
  public static final int OP_POOL_ADD = 13;
  /** Pooled sidecar, standalone control only: unit (u16 length, unit) → OK; the unit's data is deleted. */
  public static final int OP_POOL_REMOVE = 14;
  /**
   * stimulus id → OK, once the sidecar's report says the application is reprocessing it (a promoted member, before it
   * reprocesses a stimulus the failed primary left in flight).
   */
  public static final int OP_REPROCESSING = 15;
  /**
   * → OK with u16 count and that many (u16 length, name): the units this unit depends on that are unavailable now
   * (FORBIDDEN from a pooled sidecar).
   */
  public static final int OP_DEPENDENCIES = 16;

  // Statuses.
  public static final int OK = 0;
  public static final int NOT_FOUND = 1;
  public static final int NOT_PRIMARY = 2;
  public static final int FENCED = 3;
  public static final int UNAVAILABLE = 4;
  public static final int BAD_REQUEST = 5;
  public static final int TOO_LARGE = 6;
  public static final int FORBIDDEN = 7;
  public static final int INTERNAL = 8;
  public static final int EVENT = 9;

  // Roles in EVENT and ASSIGN.
  public static final int ROLE_PRIMARY = 0;
  public static final int ROLE_STANDBY = 1;
  public static final int ROLE_FENCED = 2;
  public static final int ROLE_UNASSIGNED = 3;

  // Modes in ASSIGN.
  public static final int MODE_UNCHANGED = 0;
  public static final int MODE_SYNCHRONOUS = 1;
  public static final int MODE_ASYNCHRONOUS = 2;
  public static final int MODE_JOURNAL = 3;

  private LocalProtocol() {}

  /**
   * A list of names on the wire (DEPENDENCIES' answer, the end of a WATCH event, ASSIGN's quarantined stimuli and
   * unavailable dependencies): a u16 count, then that many u16-length UTF-8 names.
   */
  public static byte[] encodeNames(List<String> names) {
    List<byte[]> each =
        names.stream().map(n -> n.getBytes(StandardCharsets.UTF_8)).toList();
    ByteBuffer b =
        ByteBuffer.allocate(2 + each.stream().mapToInt(n -> 2 + n.length).sum());
    b.putShort((short) each.size());
    for (byte[] n : each) b.putShort((short) n.length).put(n);
    return b.array();
  }

  /** Reads a list written by {@link #encodeNames}. */
  public static List<String> readNames(ByteBuffer b) {
    int n = b.getShort() & 0xffff;
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] name = new byte[b.getShort() & 0xffff];
      b.get(name);
      out.add(new String(name, StandardCharsets.UTF_8));
    }
    return out;
  }
}
