package dev.availability.ou.replication;

import java.util.Arrays;

/**
 * One replication frame: protocol version, type, epoch of the sender's session, a sequence number
 * (meaning depends on the type) and a payload. The checksum is computed on encode and verified on decode.
 */
public record Frame(FrameType type, long epoch, long seq, byte[] payload) {
  public Frame {
    if (payload == null) payload = new byte[0];
  }

  public static Frame of(FrameType type, long epoch, long seq) {
    return new Frame(type, epoch, seq, new byte[0]);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f
        && f.type == type
        && f.epoch == epoch
        && f.seq == seq
        && Arrays.equals(f.payload, payload);
  }

  @Override
  public int hashCode() {
    return (type.hashCode() * 31 + Long.hashCode(epoch)) * 31
        + Long.hashCode(seq)
        + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return type + "{epoch=" + epoch + ", seq=" + seq + ", payload=" + payload.length + "B}";
  }
}
