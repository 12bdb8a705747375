package dev.availability.ou.sidecar;

import dev.availability.ou.contract.MemberReport;

/**
 * A control source for tests of the lease alone: it requires a lease, starts, publishes and closes nothing; the test
 * says how renewals answer.
 */
abstract class LeaseOnlyControl implements ControlSource {
  @Override
  public void start(Replica r) {}

  @Override
  public boolean leaseRequired() {
    return true;
  }

  @Override
  public void publish(MemberReport report) {}

  @Override
  public MemberReport lastReport() {
    return null;
  }

  @Override
  public void close() {}
}
