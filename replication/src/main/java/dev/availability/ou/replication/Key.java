package dev.availability.ou.replication;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable byte-string key, ordered by unsigned bytes. */
public final class Key implements Comparable<Key> {
  private final byte[] bytes;
  private final int hash;

  private Key(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** Wraps without copying; the caller must not change the array afterwards. */
  public static Key wrap(byte[] bytes) {
    return new Key(bytes);
  }

  public static Key of(String s) {
    return new Key(s.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] bytes() {
    return bytes;
  }

  @Override
  public int compareTo(Key o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
