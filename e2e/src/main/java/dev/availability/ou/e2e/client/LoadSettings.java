package dev.availability.ou.e2e.client;

import java.time.Duration;

/**
 * What the load client does.
 *
 * @param address the store's {@code host:port}: a loopback address that forwards to the unit's Service
 * @param writers how many writer threads
 * @param rate writes per second, all writers together
 * @param timeout how long one write may take, connecting included: past it the write counts as failed
 */
public record LoadSettings(String address, int writers, double rate, Duration timeout) {
  public LoadSettings {
    if (address == null || address.lastIndexOf(':') <= 0)
      throw new IllegalArgumentException("address is host:port, got " + address);
    if (writers < 1)
      throw new IllegalArgumentException("writers must be at least 1, got " + writers);
    if (!(rate > 0))
      throw new IllegalArgumentException("rate must be above 0 writes/s, got " + rate);
    if (timeout.isNegative() || timeout.isZero())
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
  }

  /** 4 writers, 200 writes/s, 1 s per write. */
  public static LoadSettings defaults(String address) {
    return new LoadSettings(address, 4, 200, Duration.ofSeconds(1));
  }

  public LoadSettings withAddress(String hostPort) {
    return new LoadSettings(hostPort, writers, rate, timeout);
  }

  public LoadSettings withWriters(int n) {
    return new LoadSettings(address, n, rate, timeout);
  }

  public LoadSettings withRate(double writesPerSecond) {
    return new LoadSettings(address, writers, writesPerSecond, timeout);
  }

  public LoadSettings withTimeout(Duration t) {
    return new LoadSettings(address, writers, rate, t);
  }

  /** The time between two writes of one writer. */
  long intervalNanos() {
    return Math.max(1, Math.round(writers * 1e9 / rate));
  }

  /** The store's base URI, {@code http://host:port}. */
  String baseUri() {
    return "http://" + address;
  }
}
