package dev.availability.ou.sidecar;

import dev.availability.ou.replication.CatchUpPlan;
import dev.availability.ou.replication.Frame;
import dev.availability.ou.replication.FrameCodec;
import dev.availability.ou.replication.FrameSeal;
import dev.availability.ou.replication.FrameType;
import dev.availability.ou.replication.Messages;
import dev.availability.ou.replication.PrimarySession;
import dev.availability.ou.replication.Refusal;
import dev.availability.ou.replication.SessionAction;
import dev.availability.ou.replication.Snapshots;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.zip.CRC32C;

/**
 * The primary's side of bringing a standby up to date once the handshake planned it: from the log, or with a snapshot
 * first; or refusing, and stopping serving, when the standby holds records this primary lost. Apart from
 * {@link PrimaryLink}, which keeps the connection, the handshake and the live stream.
 */
final class StandbyCatchUp {
  private final Replica replica;
  private final FrameCodec codec;
  private final Counters counters;
  private final long epoch;

  StandbyCatchUp(Replica replica, FrameCodec codec, Counters counters, long epoch) {
    this.replica = replica;
    this.codec = codec;
    this.counters = counters;
    this.epoch = epoch;
  }

  /**
   * Starts what the handshake planned: streaming from the log, or a snapshot first. Returns the sequence to stream
   * from, or -1 when the session ends here (the standby holds what this primary lost).
   */
  long start(
      SessionAction.PlanReady plan,
      PrimarySession ps,
      OutputStream out,
      InetSocketAddress address,
      StandbyAcks standby)
      throws IOException, InterruptedException {
    CatchUpPlan p = plan.plan();
    if (p.standbyHoldsRecordsThisPrimaryLost(epoch, plan.standby())) {
      String lost = "the standby holds " + (p.commonPrefix() + 1) + ".."
          + plan.standby().lastSeq() + " of epoch " + epoch
          + ", which this primary lost (it came back with a shorter log)";
      if (replica.mode()
          != Mode
              .ASYNCHRONOUS) { // acknowledged writes, maybe: the standby keeps them, this primary
        // stops serving
        for (SessionAction a : ps.refuse(Refusal.STANDBY_AHEAD, lost))
          if (a instanceof SessionAction.Send send) codec.write(out, ps.seal(), send.frame());
        out.flush();
        replica.standbyHoldsMore(
            lost + ": stopped serving so that they are not cut; promote the standby");
        return -1;
      }
      counters.inc(
          "lostRecordsCutOnStandby"); // Asynchronous: acknowledged without the standby; this
      // primary's history wins
      Logs.warn(lost + ": Asynchronous, so the standby cuts them");
    }
    replica.acknowledgements().sessionStarting(standby, replica.lastSeq());
    long next;
    if (p.kind() == CatchUpPlan.Kind.STREAM) {
      codec.write(out, ps.seal(), ps.start(CatchUpPlan.Kind.STREAM, p.commonPrefix(), p.fromSeq()));
      next = p.fromSeq();
      standby.sessionStarted(p.commonPrefix());
      counters.inc("catchUpsFromLog");
      counters.set("lastCatchUpFromSeq", next);
      Logs.info(
          "standby " + address + " holds " + plan.standby().lastSeq() + ": streaming from " + next
              + (p.cutsTail(plan.standby().lastSeq())
                  ? " (it cuts its diverged tail after " + p.commonPrefix() + ")"
                  : ""));
    } else {
      Snapshots.Loaded snap = replica.snapshots().snapshotForTransfer();
      codec.write(
          out, ps.seal(), ps.start(CatchUpPlan.Kind.SNAPSHOT, p.commonPrefix(), snap.seq() + 1));
      sendSnapshot(out, ps.seal(), snap);
      next = snap.seq() + 1;
      counters.inc("snapshotsSent");
      Logs.info("standby " + address + " holds " + plan.standby().lastSeq() + ", log starts at "
          + replica.store().log().firstSeq() + ": sent snapshot at " + snap.seq());
    }
    return next;
  }

  private void sendSnapshot(OutputStream out, FrameSeal seal, Snapshots.Loaded snap)
      throws IOException {
    long size = Files.size(snap.path());
    codec.write(
        out,
        seal,
        new Frame(
            FrameType.SNAPSHOT_BEGIN,
            epoch,
            snap.seq(),
            new Messages.SnapshotBegin(snap.seq(), size).encode()));
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[Math.min(codec.limits().maxChunkBytes(), 256 << 10)];
    long offset = 0;
    try (InputStream in = Files.newInputStream(snap.path())) {
      int n;
      while (offset < size
          && (n = in.readNBytes(buf, 0, (int) Math.min(buf.length, size - offset))) > 0) {
        crc.update(buf, 0, n);
        codec.write(out, seal, FrameType.SNAPSHOT_CHUNK, epoch, offset, buf, 0, n);
        offset += n;
      }
    }
    codec.write(
        out,
        seal,
        new Frame(
            FrameType.SNAPSHOT_END,
            epoch,
            snap.seq(),
            ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()));
    out.flush();
    counters.add("snapshotBytesSent", size);
  }
}
