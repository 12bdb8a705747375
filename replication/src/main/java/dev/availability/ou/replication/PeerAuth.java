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
 * session or reflected back to its sender.
 */
public final class PeerAuth {
  private static final byte[] STANDBY = "ou-standby-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PRIMARY = "ou-primary-v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  public PeerAuth(byte[] key) {
    if (key == null || key.length < 16) throw new IllegalArgumentException("the peer key must have at least 16 bytes");
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  public static byte[] nonce() {
    byte[] n = new byte[Messages.NONCE_BYTES];
    RANDOM.nextBytes(n);
    return n;
  }

  /** The standby's proof. */
  public byte[] standbyProof(long epoch, byte[] primaryNonce, byte[] standbyNonce) {
    return mac(STANDBY, epoch, primaryNonce, standbyNonce);
  }

  /** The primary's proof. */
  public byte[] primaryProof(long epoch, byte[] primaryNonce, byte[] standbyNonce) {
    return mac(PRIMARY, epoch, primaryNonce, standbyNonce);
  }

  /** Constant-time comparison. */
  public static boolean same(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  private byte[] mac(byte[] label, long epoch, byte[] n1, byte[] n2) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(label);
      mac.update(ByteBuffer.allocate(8).putLong(epoch).array());
      mac.update(n1);
      mac.update(n2);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
