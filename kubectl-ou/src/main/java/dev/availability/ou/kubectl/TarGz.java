package dev.availability.ou.kubectl;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** A .tar.gz written entry by entry (text files, readable by the owner only: a report is for support, not for everyone). */
final class TarGz implements AutoCloseable {
  private final TarArchiveOutputStream tar;
  private final Instant time;

  TarGz(Path file, Instant time) {
    this.time = time;
    try {
      OutputStream out = Files.newOutputStream(file);
      tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out));
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage());
    }
  }

  void add(String path, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry entry = new TarArchiveEntry(path);
    entry.setSize(bytes.length);
    entry.setMode(0600);
    entry.setModTime(Date.from(time));
    try {
      tar.putArchiveEntry(entry);
      tar.write(bytes);
      tar.closeArchiveEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      tar.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
