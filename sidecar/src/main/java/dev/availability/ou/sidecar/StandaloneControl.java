package dev.availability.ou.sidecar;

import dev.availability.ou.client.LocalProtocol;
import dev.availability.ou.contract.MemberReport;
import dev.availability.ou.contract.Role;
import dev.availability.ou.memberapi.MemberChannel;
import java.io.IOException;
import java.time.Duration;

/**
 * Control without Kubernetes, for processes on loopback: the initial role/epoch/peer come from
 * OU_ROLE/OU_EPOCH/OU_PEER_ENDPOINT, later ones from the local API's ASSIGN. No lease; reports are kept
 * in memory and shown on /status.
 */
final class StandaloneControl implements ControlSource {
  private final Config cfg;
  private volatile Replica replica;
  private volatile MemberReport last;

  StandaloneControl(Config cfg) {
    this.cfg = cfg;
  }

  @Override
  public void start(Replica replica) throws IOException {
    this.replica = replica;
    if (cfg.initialRole() != null) {
      Role role = switch (cfg.initialRole().toLowerCase()) {
        case "primary" -> Role.Primary;
        case "standby" -> Role.Standby;
        case "fenced" -> Role.Fenced;
        default -> throw new IllegalArgumentException("OU_ROLE must be Primary, Standby or Fenced");
      };
      replica.assign(
          role, cfg.initialEpoch(), cfg.initialPeer(), null, "initial standalone assignment");
    }
  }

  boolean assign(Role role, long epoch, String peer, Mode mode) throws IOException {
    return assign(role, epoch, peer, null, mode);
  }

  private boolean assign(Role role, long epoch, String peer, String nextPeer, Mode mode)
      throws IOException {
    return replica.assign(role, epoch, peer, nextPeer, mode, "standalone ASSIGN");
  }

  /** The local API's ASSIGN: takes it, and answers an epoch older than this member's as a bad request. */
  LocalApiTarget.Answer answerAssign(
      Role role, long epoch, String peer, String nextPeer, Mode mode) {
    try {
      boolean changed = assign(role, epoch, peer, nextPeer, mode);
      if (!changed && epoch < replica.epoch())
        return LocalApiTarget.Answer.of(
            LocalProtocol.BAD_REQUEST,
            "epoch " + epoch + " is older than this member's " + replica.epoch());
      return LocalApiTarget.Answer.OK;
    } catch (IOException e) {
      return LocalApiTarget.Answer.of(LocalProtocol.INTERNAL, e.getMessage());
    }
  }

  @Override
  public boolean leaseRequired() {
    return false;
  }

  @Override
  public MemberChannel.Renewal renewLease(long epoch) {
    return new MemberChannel.Renewal(true, Duration.ofDays(365), "standalone: no lease");
  }

  @Override
  public void publish(MemberReport report) {
    last = report;
  }

  @Override
  public MemberReport lastReport() {
    return last;
  }

  @Override
  public void close() {}
}
