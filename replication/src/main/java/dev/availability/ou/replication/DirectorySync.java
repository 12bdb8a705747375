package dev.availability.ou.replication;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes a directory's entries durable (fsync of the directory itself). A file's own fsync does not cover its
 * name: after a power loss a new log segment could vanish with the acknowledged records in it, a rename could
 * be undone, or a segment cut for a diverged tail could come back. Done after every create, rename and delete
 * in the log and state directories.
 */
public final class DirectorySync {
  private static final AtomicLong FORCED = new AtomicLong();

  private DirectorySync() {}

  public static void force(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
      FORCED.incrementAndGet();
    } catch (IOException e) {
      // Some file systems cannot fsync a directory (the call is refused, not the data lost): their
      // renames are atomic anyway.
      if (!"Invalid argument".equals(e.getMessage())
          && !(e instanceof java.nio.file.AccessDeniedException)) throw e;
    }
  }

  /** How many directory syncs this process made (for tests). */
  public static long forced() {
    return FORCED.get();
  }
}
