package dev.availability.ou.replication;

/**
 * Strict size bounds. Every length read from the wire or from disk is checked against these before
 * anything is allocated.
 *
 * @param maxKeyBytes largest key
 * @param maxValueBytes largest value
 * @param maxBatchBytes largest BATCH payload (must hold one largest record)
 * @param maxChunkBytes largest SNAPSHOT_CHUNK payload
 * @param maxControlBytes largest handshake/control payload
 */
public record Limits(
    int maxKeyBytes, int maxValueBytes, int maxBatchBytes, int maxChunkBytes, int maxControlBytes) {
  public static final Limits DEFAULT = new Limits(1024, 4 << 20, 8 << 20, 1 << 20, 256 << 10);

  public Limits {
    if (maxBatchBytes < maxRecordBytes(maxKeyBytes, maxValueBytes)) {
      throw new IllegalArgumentException("maxBatchBytes must hold one largest record");
    }
  }

  static int maxRecordBytes(int key, int value) {
    return LogRecord.HEADER_BYTES + 1 + 2 + key + value + 64;
  }

  /** Largest encoded log record (header included). */
  public int maxRecordBytes() {
    return maxRecordBytes(maxKeyBytes, maxValueBytes);
  }

  public int maxPayload(FrameType type) {
    return switch (type) {
      case BATCH -> maxBatchBytes;
      case SNAPSHOT_CHUNK -> maxChunkBytes;
      default -> maxControlBytes;
    };
  }

  public Limits withValueBytes(int maxValue) {
    return new Limits(
        maxKeyBytes,
        maxValue,
        Math.max(maxBatchBytes, maxRecordBytes(maxKeyBytes, maxValue)),
        maxChunkBytes,
        maxControlBytes);
  }
}
