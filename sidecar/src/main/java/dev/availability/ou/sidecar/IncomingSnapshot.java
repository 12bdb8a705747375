package dev.availability.ou.sidecar;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/** A snapshot being received from the primary: a part file in the store's incoming directory, its CRC32C summed as it comes. */
final class IncomingSnapshot {
  private final Path file;
  private final CRC32C crc = new CRC32C();
  private OutputStream out;
  private boolean installed;

  IncomingSnapshot(Path dir) throws IOException {
    file = Files.createTempFile(dir, "snapshot-", ".part");
    out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
  }

  void write(byte[] chunk) throws IOException {
    out.write(chunk);
    crc.update(chunk);
  }

  /** Closes the file; whether what arrived sums to {@code expectedCrc}. */
  boolean finish(int expectedCrc) throws IOException {
    out.close();
    out = null;
    return (int) crc.getValue() == expectedCrc;
  }

  Path file() {
    return file;
  }

  /** The store installed the file: {@link #discard} leaves it. */
  void installed() {
    installed = true;
  }

  /** Closes and deletes the file unless it was installed; best effort (the session is ending). */
  void discard() {
    try {
      if (out != null) out.close();
      if (!installed) Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
