package dev.availability.ou.replication;

/** What a log record does to the replicated state. */
public enum RecordType {
  /** Marks the start of a primary's term; changes no state. */
  TERM_START(0),
  /** Sets a key to a value. */
  PUT(1),
  /** Removes a key. */
  DELETE(2),
  /** A stimulus (request, transaction) with this id began. */
  BEGIN(3),
  /** The stimulus with this id ended. */
  END(4);

  private final int code;

  RecordType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static RecordType of(int code) {
    return switch (code) {
      case 0 -> TERM_START;
      case 1 -> PUT;
      case 2 -> DELETE;
      case 3 -> BEGIN;
      case 4 -> END;
      default -> null;
    };
  }
}
