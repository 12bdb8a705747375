package dev.availability.ou.sidecar;

import dev.availability.ou.contract.Assignment;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.ContractJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The member's assignment as its pod was created, from a file the kubelet writes before any container starts (a
 * downward API volume of the assignment annotation, {@code OU_ASSIGNMENT_FILE}). A new standby takes its role from it
 * as soon as its log is recovered, so its primary's stream starts without waiting for the sidecar's first read through
 * the API server: in a cold JVM on a loaded node that read (TLS handshake, HTTP client) took 0.6–1.9 s in the
 * node-kill drill, while a Synchronous primary with {@code dataDurability: Required} acknowledged nothing. Only a
 * Standby role is taken from it: a standby acknowledges no client write, so acting on an assignment the operator has
 * since changed costs nothing the watch's first read does not set right; a primary's role always comes through the
 * API server, which also holds the lease it needs.
 */
final class AssignmentFile {
  private AssignmentFile() {}

  /** The Standby assignment {@code path} holds; empty when there is no file, it is empty or unreadable, or another role. */
  static Optional<Assignment> standby(String path) {
    if (path == null) return Optional.empty();
    String json;
    try {
      json = Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      Logs.warn("cannot read " + path + " (" + e.getMessage()
          + "): the first assignment comes from the API server");
      return Optional.empty();
    }
    if (json.isEmpty()) return Optional.empty(); // created without one (a pool's pod)
    Assignment a;
    try {
      a = ContractJson.assignment(json);
    } catch (IllegalArgumentException e) {
      Logs.warn(path + " holds no assignment (" + e.getMessage()
          + "): the first assignment comes from the API server");
      return Optional.empty();
    }
    if (a.role() != Role.Standby) return Optional.empty();
    Logs.info("first assignment from " + path + " (as the pod was created): Standby at epoch "
        + a.epoch() + " of " + a.peer());
    return Optional.of(a);
  }
}
