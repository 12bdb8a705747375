package dev.availability.ou.sidecar;

import java.util.List;

/**
 * A database the replication benchmark measures beside the sidecar, on the same disk and cores, with the
 * same writers, values and keys: its processes on loopback, and its subjects (a replicated write and its
 * own baseline) as cells of the same interleaved rounds.
 */
interface Peer extends AutoCloseable {
  /** What runs, for the header: the server and its version. */
  String version() throws Exception;

  /** The subjects this peer measures in every round, in the order they run. */
  List<String> subjects();

  /** A writer for one cell of a subject; each writer thread gets its own connection, closed with the cell. */
  Cell cell(String subject) throws Exception;

  /** The pids of the peer's servers (primary, replica): their CPU, and that of their direct children, counts for its cells. */
  List<Long> pids();

  /** Blocks until the replica has everything the primary acknowledged, so one cell's backlog does not slow the next. */
  void waitInSync() throws Exception;

  /** Stops the servers and deletes their data; safe to call twice (shutdown hook and finally). */
  @Override
  void close();

  /** The writes of one cell. */
  interface Cell extends CellRunner.Writer, AutoCloseable {
    @Override
    void close();
  }
}
