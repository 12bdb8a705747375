package dev.availability.ou.client;

import dev.availability.ou.client.SidecarConnection.Response;
import dev.availability.ou.client.SidecarConnection.Watch;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The application's handle on its local sidecar: keys with byte values, journal markers, role changes
 * and a health session. Thread-safe; many threads may share one client, their requests are pipelined
 * over one connection. A broken connection is re-established on the next call.
 *
 * <pre>{@code
 * try (OuClient ou = OuClient.connect()) {                 // 127.0.0.1:7481, or OU_LOCAL_API_ADDRESS
 *   ou.onRoleChange(c -> System.out.println("now " + c.role() + " at epoch " + c.epoch()));
 *   HealthSession health = ou.startHealthSession(Duration.ofSeconds(3));
 *   ou.begin("order-17");
 *   ou.put("orders/17", "paid".getBytes());                  // returns once replicated per the unit's mode
 *   ou.end("order-17");
 *   byte[] v = ou.get("orders/17").orElseThrow();
 * }
 * }</pre>
 *
 * <p>Write methods return the log sequence of the update once the sidecar acknowledged it: in
 * Synchronous mode after the standby made it durable, in Asynchronous mode after the local append.
 * They throw {@link NotPrimaryException} on a standby, {@link FencedException} on a deposed primary,
 * {@link StandbyUnavailableException} when no standby acknowledged in time, and
 * {@link SidecarUnavailableException} when the sidecar cannot be reached (the outcome is then unknown).
 */
public final class OuClient implements AutoCloseable {
  /** The default local API address. */
  public static final InetSocketAddress DEFAULT_ADDRESS = new InetSocketAddress("127.0.0.1", 7481);

  private final SidecarCalls calls;

  private OuClient(InetSocketAddress address, Duration timeout) {
    this.calls = new SidecarCalls(address, timeout);
  }

  /** Connects to the address in {@code OU_LOCAL_API_ADDRESS} (host:port), else 127.0.0.1:7481. */
  public static OuClient connect() {
    String env = System.getenv("OU_LOCAL_API_ADDRESS");
    return connect(
        env == null || env.isBlank() ? DEFAULT_ADDRESS : parseAddress(env), Duration.ofSeconds(30));
  }

  /** Connects to the sidecar at {@code address}; calls wait at most {@code timeout} for an answer. */
  public static OuClient connect(InetSocketAddress address, Duration timeout) {
    OuClient c = new OuClient(address, timeout);
    c.calls.connection();
    return c;
  }

  /** Parses {@code host:port}. */
  public static InetSocketAddress parseAddress(String hostPort) {
    int i = hostPort.lastIndexOf(':');
    if (i <= 0) throw new IllegalArgumentException("expected host:port, got " + hostPort);
    return new InetSocketAddress(
        hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
  }

  // ---- data -------------------------------------------------------------------------------------

  /** Sets {@code key} to {@code value}; returns the update's sequence once acknowledged. */
  public long put(byte[] key, byte[] value) {
    return seqOf(call(LocalProtocol.OP_PUT, putPayload(key, value)));
  }

  /** {@link #put(byte[], byte[])} with a UTF-8 key. */
  public long put(String key, byte[] value) {
    return put(utf8(key), value);
  }

  /** Like {@link #put(byte[], byte[])} without blocking: the future completes with the sequence or fails. */
  public CompletableFuture<Long> putAsync(byte[] key, byte[] value) {
    return send(LocalProtocol.OP_PUT, putPayload(key, value)).thenApply(OuClient::seqOf);
  }

  /** Removes {@code key}; returns the update's sequence once acknowledged. */
  public long delete(byte[] key) {
    return seqOf(call(LocalProtocol.OP_DELETE, key));
  }

  public long delete(String key) {
    return delete(utf8(key));
  }

  /** The value of {@code key}, if any. Reads are served by whichever member this sidecar is. */
  public Optional<byte[]> get(byte[] key) {
    Response r = call(LocalProtocol.OP_GET, key, LocalProtocol.NOT_FOUND);
    return r.status() == LocalProtocol.NOT_FOUND ? Optional.empty() : Optional.of(r.payload());
  }

  public Optional<byte[]> get(String key) {
    return get(utf8(key));
  }

  /** Every key (UTF-8 decoded) and value, in key order, read page by page. */
  public Map<String, byte[]> getAll() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    byte[] after = null;
    while (true) {
      Page page = scan(after, 4096);
      for (Map.Entry<byte[], byte[]> e : page.entries())
        out.put(new String(e.getKey(), StandardCharsets.UTF_8), e.getValue());
      if (!page.more() || page.entries().isEmpty()) return out;
      after = page.entries().get(page.entries().size() - 1).getKey();
    }
  }

  /** A page of entries with keys after {@code afterKey} (null: from the first). */
  public record Page(List<Map.Entry<byte[], byte[]>> entries, boolean more) {}

  /** Up to {@code limit} entries with keys strictly after {@code afterKey} (null: from the first). */
  public Page scan(byte[] afterKey, int limit) {
    ByteBuffer b = ByteBuffer.allocate(1 + 2 + (afterKey == null ? 0 : afterKey.length) + 4);
    b.put((byte) (afterKey == null ? 0 : 1));
    if (afterKey != null) b.putShort((short) afterKey.length).put(afterKey);
    b.putInt(limit);
    ByteBuffer r = ByteBuffer.wrap(
        call(LocalProtocol.OP_SCAN, Arrays.copyOf(b.array(), b.position())).payload());
    boolean more = r.get() != 0;
    int n = r.getInt();
    List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] k = new byte[r.getShort() & 0xffff];
      r.get(k);
      byte[] v = new byte[r.getInt()];
      r.get(v);
      entries.add(Map.entry(k, v));
    }
    return new Page(entries, more);
  }

  // ---- journal ----------------------------------------------------------------------------------

  /** Marks the beginning of a stimulus (replicated synchronously in Synchronous and Journal modes). */
  public long begin(String stimulusId) {
    return seqOf(call(LocalProtocol.OP_BEGIN, utf8(stimulusId)));
  }

  /** Marks the end of a stimulus. */
  public long end(String stimulusId) {
    return seqOf(call(LocalProtocol.OP_END, utf8(stimulusId)));
  }

  /**
   * Stimuli that began and never ended. After a promotion, those with {@link Stimulus#beforePromotion()}
   * were in flight on the failed primary: reprocess or reject them, then {@link #end} them; except those
   * {@link Stimulus#quarantined()}, which must not be reprocessed: {@link #settle} them.
   */
  public List<Stimulus> inFlight() {
    return JournalPayloads.inFlight(
        call(LocalProtocol.OP_IN_FLIGHT, new byte[0]).payload());
  }

  /**
   * Says that this application is about to reprocess {@code stimulusId} (one that began before its promotion), and
   * returns once the sidecar's report says so: should reprocessing it kill this copy too, the operator quarantines this
   * stimulus alone, not the others still in flight beside it. Call it right before reprocessing each one.
   */
  public void reprocessing(String stimulusId) {
    call(LocalProtocol.OP_REPROCESSING, utf8(stimulusId));
  }

  /**
   * The stimuli the operator quarantined (two copies of the application failed on them in turn): never reprocess one;
   * tell its user it was ignored, then {@link #settle} it.
   */
  public List<Stimulus> quarantined() {
    return inFlight().stream().filter(Stimulus::quarantined).toList();
  }

  /**
   * Settles a quarantined stimulus without reprocessing it, once its user was told it was ignored: ends it, so no
   * member lists it again, and the operator records it settled ({@code status.quarantinedStimuli}).
   */
  public long settle(String stimulusId) {
    return end(stimulusId);
  }

  // ---- roles, health, status --------------------------------------------------------------------

  /** The sidecar's current status. */
  public SidecarStatus status() {
    String text =
        new String(call(LocalProtocol.OP_STATUS, new byte[0]).payload(), StandardCharsets.UTF_8);
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int i = line.indexOf('=');
      if (i > 0) fields.put(line.substring(0, i), line.substring(i + 1));
    }
    return new SidecarStatus(fields);
  }

  /** Returns once the sidecar answers. */
  public void ping() {
    call(LocalProtocol.OP_PING, new byte[0]);
  }

  /** A role-change subscription; close it to stop. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Calls {@code listener} with the current role now and with every change, at once, on a library
   * thread (keep it short). The subscription survives reconnections.
   */
  public Subscription onRoleChange(Consumer<RoleChange> listener) {
    Runnable unsubscribe = calls.watch(new Watch(listener));
    return unsubscribe::run;
  }

  /**
   * Calls {@code listener} once for each unit this unit depends on that is unavailable now, then at once whenever one
   * becomes unavailable (no serving primary for longer than its {@code unavailableAfter}) or available again, on a
   * library thread. Run degraded meanwhile: say, serve reads and refuse the writes that need it.
   */
  public Subscription onDependencyChange(Consumer<DependencyChange> listener) {
    return onRoleChange(new DependencyTracker(listener));
  }

  /** The units this unit depends on that are unavailable now (empty when all are available, or none is declared). */
  public List<String> dependencies() {
    return LocalProtocol.readNames(
        ByteBuffer.wrap(call(LocalProtocol.OP_DEPENDENCIES, new byte[0]).payload()));
  }

  /**
   * Starts heartbeats that tell the sidecar's local manager the application is alive; the sidecar
   * reports the application unhealthy when none arrives within {@code ttl}.
   */
  public HealthSession startHealthSession(Duration ttl) {
    return new HealthSession(this, ttl);
  }

  void heartbeat(Duration ttl, boolean healthy) {
    byte[] p = ByteBuffer.allocate(5)
        .putInt((int) Math.min(Integer.MAX_VALUE, ttl.toMillis()))
        .put((byte) (healthy ? 1 : 0))
        .array();
    call(LocalProtocol.OP_APP_HEARTBEAT, p);
  }

  /**
   * Standalone control only (processes without Kubernetes): gives the sidecar a role, epoch, peer
   * replication endpoint (host:port, may be null) and mode (null keeps the current one).
   */
  public void assign(MemberRole role, long epoch, String peerEndpoint, String mode) {
    assign(null, role, epoch, peerEndpoint, mode, null, null);
  }

  /**
   * As {@link #assign(MemberRole, long, String, String)}, with the stimuli under quarantine (as the operator's
   * assignment lists them; null: leave them as they are).
   */
  public void assign(
      MemberRole role, long epoch, String peerEndpoint, String mode, List<String> quarantined) {
    assign(null, role, epoch, peerEndpoint, mode, quarantined, null);
  }

  /** As above, with the units depended on that are unavailable (as the operator's assignment lists them). */
  public void assign(
      MemberRole role,
      long epoch,
      String peerEndpoint,
      String mode,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    assign(null, role, epoch, peerEndpoint, mode, quarantined, unavailableDependencies);
  }

  /**
   * As {@link #assign(MemberRole, long, String, String)} for a primary that streams to a catching-up {@code
   * nextPeerEndpoint} as well as to its peer (make-before-break); it clears the quarantined stimuli and unavailable
   * dependencies. Assigning the next peer as the peer later drops the old one once the next one caught up.
   */
  public void assignWithNextPeer(
      MemberRole role, long epoch, String peerEndpoint, String nextPeerEndpoint, String mode) {
    call(
        LocalProtocol.OP_ASSIGN,
        JournalPayloads.assign(
            null, role, epoch, peerEndpoint, nextPeerEndpoint, mode, null, null));
  }

  /**
   * {@link #assign(MemberRole, long, String, String)} for one unit of a pooled sidecar (a shared standby); {@code
   * unit} null for a sidecar that is not pooled. A pooled sidecar refuses a second unit as Primary
   * ({@link InvalidRequestException}): it serves one unit at a time.
   */
  public void assign(String unit, MemberRole role, long epoch, String peerEndpoint, String mode) {
    assign(unit, role, epoch, peerEndpoint, mode, null, null);
  }

  private void assign(
      String unit,
      MemberRole role,
      long epoch,
      String peerEndpoint,
      String mode,
      List<String> quarantined,
      List<String> unavailableDependencies) {
    call(
        LocalProtocol.OP_ASSIGN,
        JournalPayloads.assign(
            unit, role, epoch, peerEndpoint, mode, quarantined, unavailableDependencies));
  }

  /**
   * Pooled sidecar, standalone control only: {@code unit} joins the pool, its replication listener on {@code
   * replicationAddress} (host:port), its peer key read from {@code OU_PEER_KEY_DIR/<unit>}. It starts
   * unassigned: {@link #assign(String, MemberRole, long, String, String)} makes it a standby.
   */
  public void addPoolUnit(String unit, String replicationAddress) {
    byte[] u = utf8(unit);
    byte[] a = utf8(replicationAddress);
    call(
        LocalProtocol.OP_POOL_ADD,
        ByteBuffer.allocate(4 + u.length + a.length)
            .putShort((short) u.length)
            .put(u)
            .putShort((short) a.length)
            .put(a)
            .array());
  }

  /** Pooled sidecar, standalone control only: {@code unit} leaves the pool; its stream stops and its data is deleted. */
  public void removePoolUnit(String unit) {
    byte[] u = utf8(unit);
    call(
        LocalProtocol.OP_POOL_REMOVE,
        ByteBuffer.allocate(2 + u.length).putShort((short) u.length).put(u).array());
  }

  @Override
  public void close() {
    calls.close();
  }

  // ---- plumbing (the connection itself: SidecarCalls, SidecarConnection)
  // -------------------------

  private static byte[] putPayload(byte[] key, byte[] value) {
    if (key.length > 0xffff) throw new InvalidRequestException("key of " + key.length + " bytes");
    return ByteBuffer.allocate(2 + key.length + value.length)
        .putShort((short) key.length)
        .put(key)
        .put(value)
        .array();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long seqOf(Response r) {
    return ByteBuffer.wrap(r.payload()).getLong();
  }

  private Response call(int op, byte[] payload, int... alsoAccepted) {
    return calls.call(op, payload, alsoAccepted);
  }

  private CompletableFuture<Response> send(int op, byte[] payload) {
    return calls.send(op, payload);
  }
}
