package dev.availability.ou.sidecar;

import java.util.ArrayList;
import java.util.List;

/** A peer's cell: each writer thread opens its own connection on its first write (in the warm-up); all close with the cell. */
final class PerThreadCell<C extends AutoCloseable> implements Peer.Cell {
  interface Opener<C> {
    C open() throws Exception;
  }

  interface Write<C> {
    void write(C connection, byte[] key, byte[] value) throws Exception;
  }

  private final Opener<C> opener;
  private final Write<C> write;
  private final ThreadLocal<C> mine = new ThreadLocal<>();
  private final List<C> opened = new ArrayList<>();

  PerThreadCell(Opener<C> opener, Write<C> write) {
    this.opener = opener;
    this.write = write;
  }

  @Override
  public void write(byte[] key, byte[] value) throws Exception {
    C c = mine.get();
    if (c == null) {
      c = opener.open();
      mine.set(c);
      synchronized (opened) {
        opened.add(c);
      }
    }
    write.write(c, key, value);
  }

  @Override
  public void close() {
    synchronized (opened) {
      for (C c : opened) {
        try {
          c.close();
        } catch (Exception ignored) {
          // the server may be gone already; the cell is over either way
        }
      }
      opened.clear();
    }
  }
}
