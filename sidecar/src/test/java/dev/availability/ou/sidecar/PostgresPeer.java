package dev.availability.ou.sidecar;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * PostgreSQL as the benchmark's peer for Synchronous: a primary and one synchronous standby (streaming
 * replication) on loopback, data beside the sidecars' on the same disk, Debian's defaults otherwise.
 * Subjects: {@code pg-sync} (synchronous_commit=on with synchronous_standby_names naming the standby: a
 * commit returns once the standby has flushed it) and {@code pg-local}, the same primary with the session's
 * synchronous_commit=local (a commit waits for the primary's own flush only; the standby keeps streaming,
 * asynchronously). The baseline is set per session rather than by emptying synchronous_standby_names: no
 * reload to wait for between cells, and nothing else on the server changes between the two subjects.
 * Each write is one autocommitted upsert of a key of the cells' key set, driven through JDBC by the same
 * client harness as the sidecar's cells.
 */
final class PostgresPeer implements Peer {
  static final int PORT = 15432;
  private static final String STANDBY_NAME = "ou_bench_standby";
  private static final String UPSERT =
      "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v";

  private final Path bin;
  private final Path dir;
  private final String primaryHost;
  private final String standbyHost;
  private final String user;
  private PeerProcess primary;
  private PeerProcess standby;
  private boolean closed;

  /** {@code bin}: the directory of initdb, postgres and pg_basebackup; {@code dir}: a new directory for both servers' data. */
  PostgresPeer(Path bin, Path dir, String primaryHost, String standbyHost) {
    this.bin = bin;
    this.dir = dir;
    this.primaryHost = primaryHost;
    this.standbyHost = standbyHost;
    this.user = PeerProcess.root() ? "postgres" : null;
  }

  synchronized void start() throws Exception {
    Files.createDirectories(dir);
    if (user != null)
      PeerProcess.run(
          "giving the PostgreSQL data directory to " + user,
          List.of("chown", user, dir.toString()),
          dir.resolve("setup.log"),
          null);
    Path log = dir.resolve("setup.log");
    Path p = dir.resolve("primary");
    PeerProcess.run(
        "initdb",
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            p.toString(),
            "-U",
            "bench",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C"),
        log,
        user);
    Files.writeString(
        p.resolve("postgresql.conf"),
        String.join(
            "\n",
            "",
            "# bench/replication",
            "listen_addresses = '" + primaryHost + "'",
            "port = " + PORT,
            "unix_socket_directories = ''",
            "max_connections = 300",
            "wal_level = replica",
            "max_wal_senders = 4",
            "fsync = on",
            "synchronous_commit = on",
            "synchronous_standby_names = '" + STANDBY_NAME + "'",
            ""),
        StandardOpenOption.APPEND);
    Files.writeString(
        p.resolve("pg_hba.conf"),
        "\nhost all all 127.0.0.0/8 trust\nhost replication all 127.0.0.0/8 trust\n",
        StandardOpenOption.APPEND);
    primary = PeerProcess.start(
        "postgresql-primary",
        List.of(bin.resolve("postgres").toString(), "-D", p.toString()),
        dir.resolve("primary.log"),
        user);
    awaitAccepting(primaryHost, primary);
    try (Connection c = connect(primaryHost);
        Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = local"); // the standby does not exist yet
      s.execute("CREATE TABLE kv (k text PRIMARY KEY, v bytea NOT NULL)");
      // The cells' values repeat one byte; PostgreSQL would compress them to nothing. EXTERNAL:
      // stored as they are.
      s.execute("ALTER TABLE kv ALTER COLUMN v SET STORAGE EXTERNAL");
    }
    Path sb = dir.resolve("standby");
    PeerProcess.run(
        "pg_basebackup (the standby's copy)",
        List.of(
            bin.resolve("pg_basebackup").toString(),
            "-h",
            primaryHost,
            "-p",
            Integer.toString(PORT),
            "-U",
            "bench",
            "-D",
            sb.toString(),
            "-X",
            "stream",
            "-c",
            "fast"),
        log,
        user);
    // Later lines win: the standby listens on its own address and follows the primary under the
    // name the primary waits for.
    Files.writeString(
        sb.resolve("postgresql.conf"),
        String.join(
            "\n",
            "",
            "listen_addresses = '" + standbyHost + "'",
            "primary_conninfo = 'host=" + primaryHost + " port=" + PORT
                + " user=bench application_name=" + STANDBY_NAME + "'",
            ""),
        StandardOpenOption.APPEND);
    Files.writeString(sb.resolve("standby.signal"), "");
    if (user != null)
      PeerProcess.run(
          "giving the standby's files to " + user,
          List.of("chown", "-R", user, sb.toString()),
          log,
          null);
    standby = PeerProcess.start(
        "postgresql-standby",
        List.of(bin.resolve("postgres").toString(), "-D", sb.toString()),
        dir.resolve("standby.log"),
        user);
    awaitAccepting(standbyHost, standby);
    awaitSyncStandby();
  }

  @Override
  public String version() throws SQLException {
    try (Connection c = connect(primaryHost);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW server_version")) {
      r.next();
      return "PostgreSQL " + r.getString(1);
    }
  }

  @Override
  public List<String> subjects() {
    return List.of("pg-sync", "pg-local");
  }

  @Override
  public Peer.Cell cell(String subject) {
    boolean sync = subject.equals("pg-sync");
    return new PerThreadCell<Upserter>(
        () -> new Upserter(connect(primaryHost), sync), Upserter::upsert);
  }

  @Override
  public List<Long> pids() {
    return List.of(primary.pid(), standby.pid());
  }

  @Override
  public void waitInSync() throws Exception {
    try (Connection c = connect(primaryHost);
        Statement s = c.createStatement()) {
      for (int i = 0; i < 600; i++) {
        try (ResultSet r = s.executeQuery(
            "SELECT pg_current_wal_lsn() <= flush_lsn FROM pg_stat_replication WHERE application_name = '"
                + STANDBY_NAME + "'")) {
          if (r.next() && r.getBoolean(1)) return;
        }
        Thread.sleep(50);
      }
    }
  }

  /** One writer's connection and statement; its session's synchronous_commit is the subject's. */
  static final class Upserter implements AutoCloseable {
    final Connection connection;
    final PreparedStatement upsert;

    Upserter(Connection connection, boolean sync) throws SQLException {
      this.connection = connection;
      try (Statement s = connection.createStatement()) {
        s.execute("SET synchronous_commit = " + (sync ? "on" : "local"));
      }
      upsert = connection.prepareStatement(UPSERT);
    }

    void upsert(byte[] key, byte[] value) throws SQLException {
      upsert.setString(1, new String(key, StandardCharsets.US_ASCII));
      upsert.setBytes(2, value);
      upsert.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }

  private Connection connect(String host) throws SQLException {
    Connection c = DriverManager.getConnection(
        "jdbc:postgresql://" + host + ":" + PORT + "/postgres?user=bench&tcpKeepAlive=true");
    c.setAutoCommit(true);
    return c;
  }

  private void awaitAccepting(String host, PeerProcess server) throws Exception {
    SQLException last = null;
    for (int i = 0; i < 300; i++) {
      if (!server.alive())
        throw new IllegalStateException(server.name + " exited while starting\n" + server.tail());
      try (Connection c = connect(host)) {
        return;
      } catch (SQLException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        server.name + " did not accept connections in 30 s (" + last + ")\n" + server.tail());
  }

  private void awaitSyncStandby() throws Exception {
    try (Connection c = connect(primaryHost);
        Statement s = c.createStatement()) {
      for (int i = 0; i < 300; i++) {
        try (ResultSet r =
            s.executeQuery("SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
                + STANDBY_NAME + "'")) {
          if (r.next() && "sync".equals(r.getString(1))) return;
        }
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "the PostgreSQL standby did not become the synchronous standby in 30 s\n" + standby.tail()
            + "\n" + primary.tail());
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    try {
      if (standby != null)
        standby.stop("INT"); // SIGINT: PostgreSQL's fast shutdown (does not wait for clients)
      if (primary != null) primary.stop("INT");
      ReplicationBench.deleteTree(dir);
    } catch (Exception e) {
      System.err.println("warning: could not stop PostgreSQL or delete " + dir + " cleanly: " + e);
    }
  }
}
