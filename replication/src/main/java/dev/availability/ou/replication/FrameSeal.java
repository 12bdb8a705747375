package dev.availability.ou.replication;

import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sealing state of one authenticated replication connection: AES-256-GCM with one key per
 * direction (derived by {@link PeerAuth} from the unit key, both handshake nonces and the epoch), a
 * 96-bit nonce made of a per-direction frame counter (4 zero bytes ‖ u64 counter), the 24 plaintext
 * header bytes as associated data and the 16-byte tag after the ciphertext.
 *
 * <p>The counter is not sent: both ends count the frames of each direction, so a replayed, dropped,
 * reordered or reflected frame (the other direction has another key) fails to open. A nonce is never
 * used twice under a key (keys are fresh per connection, the counter only goes up) and a key seals at
 * most {@link #MAX_BLOCKS} AES blocks: past that, sealing fails with an {@link IOException}, the
 * connection ends and the next handshake derives fresh keys.
 *
 * <p>Not thread-safe as a whole; the two halves are independent: one thread at a time seals (the
 * link's writer lock), one thread at a time opens (the link's reader).
 */
public final class FrameSeal {
  public static final int TAG_BYTES = 16;
  public static final int NONCE_BYTES = 12;
  /** AES blocks one key may seal (2^34 blocks = 256 GiB, far inside AES-GCM's safety margin). */
  public static final long MAX_BLOCKS = 1L << 34;
  /** Scratch buffers up to this size are kept for the next frame; larger frames get a one-off array. */
  static final int RETAINED_BYTES = (1 << 20) + TAG_BYTES;

  private final Half sealing;
  private final Half opening;

  FrameSeal(byte[] sealKey, byte[] openKey, long maxBlocks) {
    this.sealing = new Half(sealKey, Cipher.ENCRYPT_MODE, maxBlocks);
    this.opening = new Half(openKey, Cipher.DECRYPT_MODE, Long.MAX_VALUE);
  }

  /** Frames sealed so far (the next sealing nonce). */
  public long sealedFrames() {
    return sealing.counter;
  }

  /** Frames opened so far (the next opening nonce). */
  public long openedFrames() {
    return opening.counter;
  }

  /**
   * Seals {@code len} bytes of {@code in} from {@code off} under the next sending nonce with the first
   * 24 bytes of {@code header} as associated data. Returns an array whose first {@code len + TAG_BYTES}
   * bytes are the ciphertext and the tag; it may be reused by the next call.
   */
  byte[] seal(byte[] header, byte[] in, int off, int len) throws IOException {
    Half h = sealing;
    long blocks = (len + 15L) / 16 + 1;
    if (h.failed || h.blocks + blocks > h.maxBlocks) {
      throw new IOException(
          "the session key has sealed its share of data; reconnect for fresh keys");
    }
    byte[] out = h.scratch(len + TAG_BYTES);
    try {
      h.cipher.init(Cipher.ENCRYPT_MODE, h.key, h.nextNonce());
      h.cipher.updateAAD(header, 0, 24);
      int n = h.cipher.doFinal(in, off, len, out, 0);
      if (n != len + TAG_BYTES)
        throw new IllegalStateException("sealed " + n + " bytes, expected " + (len + TAG_BYTES));
    } catch (GeneralSecurityException e) {
      h.failed = true;
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
    h.counter++;
    h.blocks += blocks;
    return out;
  }

  /**
   * Opens a sealed payload ({@code len} bytes of ciphertext and tag) received under the next opening
   * nonce; the first 24 bytes of {@code header} are the associated data. Returns the plaintext. A frame
   * that does not open (tampered, forged with another key, replayed, reordered, after a lost frame) is
   * refused with {@link Refusal#BAD_MAC}, and so is every later frame of this connection.
   */
  byte[] open(byte[] header, byte[] in, int off, int len) throws ProtocolException {
    Half h = opening;
    if (h.failed) throw new ProtocolException(Refusal.BAD_MAC, "an earlier frame failed to open");
    if (len < TAG_BYTES)
      throw new ProtocolException(Refusal.MALFORMED, "sealed payload of " + len + " bytes");
    byte[] plain = new byte[len - TAG_BYTES];
    try {
      h.cipher.init(Cipher.DECRYPT_MODE, h.key, h.nextNonce());
      h.cipher.updateAAD(header, 0, 24);
      h.cipher.doFinal(in, off, len, plain, 0);
    } catch (AEADBadTagException e) {
      h.failed = true;
      throw new ProtocolException(
          Refusal.BAD_MAC, "frame " + h.counter + " of this direction does not authenticate");
    } catch (GeneralSecurityException e) {
      h.failed = true;
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
    h.counter++;
    return plain;
  }

  /** A scratch array of at least {@code n} bytes for reading a sealed payload. */
  byte[] openScratch(int n) {
    return opening.scratch(n);
  }

  private static final class Half {
    final SecretKeySpec key;
    final Cipher cipher;
    final long maxBlocks;
    final byte[] nonce = new byte[NONCE_BYTES];
    long counter;
    long blocks;
    boolean failed;
    byte[] scratch = new byte[0];

    Half(byte[] key, int mode, long maxBlocks) {
      if (key.length != 32) throw new IllegalArgumentException("AES-256 needs a 32-byte key");
      this.key = new SecretKeySpec(key, "AES");
      this.maxBlocks = maxBlocks;
      try {
        this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        // Fails early (at the handshake, not in the stream) if the JDK lacks AES-GCM.
        cipher.init(mode, this.key, new GCMParameterSpec(TAG_BYTES * 8, new byte[] {
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
        }));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM unavailable", e);
      }
    }

    GCMParameterSpec nextNonce() {
      long c = counter;
      for (int i = 0; i < 8; i++) nonce[NONCE_BYTES - 1 - i] = (byte) (c >>> (8 * i));
      return new GCMParameterSpec(TAG_BYTES * 8, nonce); // copies the nonce
    }

    byte[] scratch(int n) {
      if (scratch.length >= n) return scratch;
      byte[] b = new byte[n];
      if (n <= RETAINED_BYTES) scratch = b;
      return b;
    }
  }
}
