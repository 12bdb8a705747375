package dev.availability.ou.operator;

import dev.availability.ou.api.OperationalUnitSpec;
import dev.availability.ou.api.ReplicationMode;
import dev.availability.ou.api.ReplicationSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A short hash of everything in the spec that shapes a member pod; a member with another hash is rolled. The
 * failover settings and the choice between Synchronous and Asynchronous are not in it: they reach running sidecars
 * in their assignments (MemberSettings). Journal is: its members run the application another way.
 */
final class TemplateHash {
  private TemplateHash() {}

  static String of(OperationalUnitSpec spec) {
    ReplicationSpec replication = Serialization.clone(spec.getReplication());
    if (replication.getMode() != ReplicationMode.Journal) replication.setMode(null);
    String text =
        Serialization.asJson(List.of(spec.getTemplate(), replication, spec.getPlacement()));
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
