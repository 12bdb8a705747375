package dev.availability.ou.sidecar;

import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.TermHistory;

/** The primary's log as its replication session plans a standby's catch-up: what it wrote, not only what is durable. */
record PrimaryLogView(Replica replica) implements PrimarySession.LogView {
  @Override
  public long firstSeq() {
    return replica.store().log().firstSeq();
  }

  @Override
  public long lastSeq() {
    return replica.writtenSeq();
  }

  @Override
  public TermHistory history() {
    TermHistory h = replica.store().log().history();
    h.truncateAfter(replica.writtenSeq());
    return h;
  }
}
