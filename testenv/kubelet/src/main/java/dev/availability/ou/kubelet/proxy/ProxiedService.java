package dev.availability.ou.kubelet.proxy;

import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One Service as the proxy serves it: a {@link TcpForwarder} per proxied port, its address files, and each port's ready
 * endpoints, which new connections follow. A port's listener stays on its address as long as the Service keeps that
 * port, whatever its endpoints do.
 *
 * <p>{@link #ports}, {@link #endpoints} and {@link #close} are called by one thread at a time; {@link #address} by any.
 */
final class ProxiedService implements AutoCloseable {
  private final String namespace;
  private final String name;
  private final String listenHost;
  private final Duration connectTimeout;
  private final AddressFiles files;
  private final Consumer<String> log;
  private final Map<PortId, Listener> listeners = new ConcurrentHashMap<>();
  private String lastReady;

  /** One proxied port: its forwarder and the endpoints its new connections go to. */
  private static final class Listener {
    private volatile ServicePort port;
    private volatile List<InetSocketAddress> ready = List.of();
    private TcpForwarder forwarder;

    private Listener(ServicePort port) {
      this.port = port;
    }
  }

  ProxiedService(
      String namespace,
      String name,
      String listenHost,
      Duration connectTimeout,
      AddressFiles files,
      Consumer<String> log) {
    this.namespace = namespace;
    this.name = name;
    this.listenHost = listenHost;
    this.connectTimeout = connectTimeout;
    this.files = files;
    this.log = log;
  }

  /** Opens a listener for each port not yet served and closes those of ports the Service no longer has. */
  void ports(List<ServicePort> wanted) {
    Map<PortId, ServicePort> byId = new LinkedHashMap<>();
    wanted.forEach(p -> byId.put(PortId.of(p), p));
    boolean changed = false;
    for (PortId id : List.copyOf(listeners.keySet())) {
      if (!byId.containsKey(id)) {
        closeListener(id, listeners.remove(id));
        changed = true;
      }
    }
    for (Map.Entry<PortId, ServicePort> entry : byId.entrySet()) {
      Listener existing = listeners.get(entry.getKey());
      if (existing != null) {
        existing.port = entry.getValue();
      } else {
        changed |= open(entry.getKey(), entry.getValue());
      }
    }
    if (changed) {
      files.sync(namespace, name, addressFiles());
    }
  }

  /** Recomputes each port's ready endpoints from the Service's slices; logs a line when they changed. */
  void endpoints(Collection<EndpointSlice> slices) {
    for (Listener listener : listeners.values()) {
      listener.ready = ReadyEndpoints.of(listener.port, slices);
    }
    String ready = sortedIds().stream()
        .map(id -> id + " -> " + text(listeners.get(id).ready))
        .collect(Collectors.joining("; "));
    if (!ready.equals(lastReady)) {
      lastReady = ready;
      log.accept(this + " ready: " + (ready.isEmpty() ? "no ports" : ready));
    }
  }

  /**
   * The listening address of the port named {@code port} (its name or number); for a null or empty {@code port}, the
   * address of the only port.
   */
  Optional<InetSocketAddress> address(String port) {
    if (port == null || port.isEmpty()) {
      return listeners.size() == 1
          ? Optional.of(listeners.values().iterator().next().forwarder.address())
          : Optional.empty();
    }
    return listeners.entrySet().stream()
        .filter(e -> e.getKey().matches(port))
        .map(e -> e.getValue().forwarder.address())
        .findFirst();
  }

  /** Closes every listener (and the connections through it) and removes the Service's address files. */
  @Override
  public void close() {
    for (PortId id : sortedIds()) {
      closeListener(id, listeners.remove(id));
    }
    files.remove(namespace, name);
  }

  private boolean open(PortId id, ServicePort port) {
    Listener listener = new Listener(port);
    try {
      listener.forwarder = TcpForwarder.open(listenHost, () -> listener.ready, connectTimeout);
    } catch (IOException e) {
      log.accept(this + " " + id + " cannot listen on " + listenHost + ": " + e.getMessage());
      return false;
    }
    listeners.put(id, listener);
    log.accept(this + " " + id + " listening on " + HostPort.of(listener.forwarder.address()));
    return true;
  }

  private void closeListener(PortId id, Listener listener) {
    listener.forwarder.close();
    log.accept(this + " " + id + " closed (was " + HostPort.of(listener.forwarder.address()) + ")");
  }

  private Map<String, String> addressFiles() {
    Map<String, String> files = new LinkedHashMap<>();
    listeners.forEach((id, listener) ->
        id.fileNames().forEach(file -> files.put(file, HostPort.of(listener.forwarder.address()))));
    return files;
  }

  private List<PortId> sortedIds() {
    return listeners.keySet().stream()
        .sorted(Comparator.comparingInt(PortId::number))
        .toList();
  }

  private static String text(List<InetSocketAddress> ready) {
    return ready.isEmpty()
        ? "none"
        : ready.stream().map(HostPort::of).collect(Collectors.joining(" "));
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
