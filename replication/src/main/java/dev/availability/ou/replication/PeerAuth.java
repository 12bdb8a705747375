package dev.availability.ou.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge/response with the per-unit key: each side proves it holds the key by an HMAC-SHA256
 * over a direction label, the epoch and both fresh nonces, so a proof cannot be replayed in another
 * session or reflected back to its sender. After the proofs, both sides derive the connection's
 * {@link FrameSeal} keys from the same inputs (HKDF-SHA256, one key per direction).
 */
public final class PeerAuth {
  private static final byte[] STANDBY = "ou-standby-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PRIMARY = "ou-primary-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TO_STANDBY =
      "ou-stream-v2 primary->standby".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TO_PRIMARY =
      "ou-stream-v2 standby->primary".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NEWER_EPOCH = "ou-newer-epoch-v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final byte[] keyBytes;
  private final boolean sealStream;

  public PeerAuth(byte[] key) {
    this(key, true);
  }

  /**
   * {@code sealStream} false: this member does not ask for a sealed stream. The peers still prove the key
   * to each other; frames after the handshake go in plaintext with their CRC only when neither member
   * asks for sealing (see {@link #sealed}), for networks that encrypt pod traffic already.
   */
  public PeerAuth(byte[] key, boolean sealStream) {
    if (key == null || key.length < 16)
      throw new IllegalArgumentException("the peer key must have at least 16 bytes");
    this.keyBytes = key.clone();
    this.key = new SecretKeySpec(keyBytes, "HmacSHA256");
    this.sealStream = sealStream;
  }

  /** Whether this member asks for a sealed stream. */
  public boolean sealsStream() {
    return sealStream;
  }

  public static byte[] nonce() {
    byte[] n = new byte[Messages.NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  /**
   * The standby's proof, covering both sides' sealing wishes as each side sent them: a man in the middle
   * who flips one to downgrade the stream breaks the proof.
   */
  public byte[] standbyProof(
      long epoch,
      byte[] primaryNonce,
      byte[] standbyNonce,
      boolean primaryWantsSeal,
      boolean standbyWantsSeal) {
    return mac(STANDBY, epoch, primaryNonce, standbyNonce, primaryWantsSeal, standbyWantsSeal);
  }

  /** The primary's proof, covering both sealing wishes (see {@link #standbyProof(long, byte[], byte[], boolean, boolean)}). */
  public byte[] primaryProof(
      long epoch,
      byte[] primaryNonce,
      byte[] standbyNonce,
      boolean primaryWantsSeal,
      boolean standbyWantsSeal) {
    return mac(PRIMARY, epoch, primaryNonce, standbyNonce, primaryWantsSeal, standbyWantsSeal);
  }

  /** A standby's proof that it is at {@code newerEpoch}, bound to the refused primary's nonce. */
  public byte[] newerEpochProof(long newerEpoch, byte[] primaryNonce) {
    return mac(NEWER_EPOCH, newerEpoch, primaryNonce, new byte[0], false, false);
  }

  /**
   * Whether a connection is sealed: when either member asks for it. So a unit changing
   * {@code encryptStream} keeps replicating while its pods are replaced one by one, and the stream is
   * sealed as long as one side still asks for it.
   */
  public static boolean sealed(boolean primaryWantsSeal, boolean standbyWantsSeal) {
    return primaryWantsSeal || standbyWantsSeal;
  }

  /** The primary's end of the sealed stream, once the standby's proof checked out. */
  public FrameSeal primarySeal(long epoch, byte[] primaryNonce, byte[] standbyNonce) {
    return new FrameSeal(
        streamKey(TO_STANDBY, epoch, primaryNonce, standbyNonce),
        streamKey(TO_PRIMARY, epoch, primaryNonce, standbyNonce),
        FrameSeal.MAX_BLOCKS);
  }

  /** The standby's end of the sealed stream, once the primary's proof checked out. */
  public FrameSeal standbySeal(long epoch, byte[] primaryNonce, byte[] standbyNonce) {
    return new FrameSeal(
        streamKey(TO_PRIMARY, epoch, primaryNonce, standbyNonce),
        streamKey(TO_STANDBY, epoch, primaryNonce, standbyNonce),
        FrameSeal.MAX_BLOCKS);
  }

  /**
   * HKDF-SHA256 (RFC 5869) of the unit key: extract with salt = primary nonce ‖ standby nonce, expand
   * with info = direction label ‖ u64 epoch to one 32-byte block (an AES-256 key). The nonces are fresh
   * on both sides, so every connection gets its own keys, and the labels give each direction its own.
   */
  byte[] streamKey(byte[] label, long epoch, byte[] primaryNonce, byte[] standbyNonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] salt = new byte[primaryNonce.length + standbyNonce.length];
      System.arraycopy(primaryNonce, 0, salt, 0, primaryNonce.length);
      System.arraycopy(standbyNonce, 0, salt, primaryNonce.length, standbyNonce.length);
      mac.init(new SecretKeySpec(salt, "HmacSHA256"));
      byte[] prk = mac.doFinal(keyBytes);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      mac.update(label);
      mac.update(ByteBuffer.allocate(8).putLong(epoch).array());
      mac.update((byte) 1);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison. */
  public static boolean same(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  private byte[] mac(byte[] label, long epoch, byte[] n1, byte[] n2, boolean seal1, boolean seal2) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(label);
      mac.update(ByteBuffer.allocate(8).putLong(epoch).array());
      mac.update(n1);
      mac.update(n2);
      mac.update((byte) ((seal1 ? 1 : 0) | (seal2 ? 2 : 0)));
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
