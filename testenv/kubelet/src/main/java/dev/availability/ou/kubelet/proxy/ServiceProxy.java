package dev.availability.ou.kubelet.proxy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A userspace kube-proxy for the local control plane: every Service with a cluster IP gets, for each of its TCP ports,
 * a listener on {@code listenHost} (an ephemeral port, kept as long as the Service exists) that forwards each new
 * connection to one of the Service's ready endpoints, round-robin, following its EndpointSlices. Established
 * connections keep their endpoint when the endpoints change, as with kube-proxy.
 *
 * <p>Each listener's address is also a file, {@code <stateDir>/services/<namespace>/<service>/<port>} holding one line
 * {@code host:port}, under the port's number and, for a named port, under its name too (see {@link AddressFiles});
 * files go when the Service does. {@link #start()} clears what an earlier run left there; {@link #close()} removes them.
 *
 * <p>Logs on stderr one line per listener opened or closed and per change of a Service's ready endpoints.
 */
public final class ServiceProxy implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final String BY_SERVICE = "namespace/service-name";

  private final KubernetesClient client;
  private final String listenHost;
  private final AddressFiles files;
  private final Consumer<String> log = ProxyLog::line;
  private final Map<String, ProxiedService> services = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private volatile SharedIndexInformer<EndpointSlice> slices;
  private volatile SharedIndexInformer<Service> serviceInformer;
  private boolean started;
  private volatile boolean closed;

  /**
   * @param client the API server to follow
   * @param stateDir where the address files go (under {@code services/})
   * @param listenHost the address every listener binds, e.g. {@code 127.0.0.1}
   */
  public ServiceProxy(KubernetesClient client, Path stateDir, String listenHost) {
    this.client = client;
    this.listenHost = listenHost;
    this.files = new AddressFiles(stateDir.resolve("services"));
  }

  /**
   * Starts following Services and EndpointSlices; returns once both are listed and every Service listed has its
   * listeners open and its address files written.
   */
  public void start() {
    synchronized (lock) {
      if (started || closed) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      started = true;
      files.clear();
    }
    slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
    slices
        .addIndexers(Map.of(BY_SERVICE, slice -> List.of(sliceServiceKey(slice))))
        .addEventHandler(handler(
            this::sliceChanged,
            (old, slice) -> {
              sliceChanged(old);
              sliceChanged(slice);
            },
            this::sliceChanged))
        .run();
    serviceInformer = client.services().inAnyNamespace().runnableInformer(0);
    serviceInformer
        .addEventHandler(handler(
            this::serviceChanged, (old, service) -> serviceChanged(service), this::serviceGone))
        .run();
    if (closed) { // close() ran meanwhile and may have missed an informer
      stop(serviceInformer);
      stop(slices);
      return;
    }
    // The events of the initial list are handled on the informer's thread; handle the listed
    // Services here as well (doing it twice changes nothing) so that their addresses are there when
    // start() returns; the store is read again under the lock, so that a Service deleted meanwhile
    // stays deleted.
    for (Service listed : serviceInformer.getStore().list()) {
      handle(
          service -> {
            Service current = serviceInformer.getStore().get(service);
            if (current != null) {
              serviceChanged(current);
            }
          },
          listed);
    }
  }

  /**
   * The listening address of a Service port, by the port's name or number ({@code null} or empty: the Service's only
   * port); empty when the Service is unknown, has no cluster IP, or has no such TCP port.
   */
  public Optional<InetSocketAddress> address(String namespace, String service, String port) {
    ProxiedService proxied = services.get(key(namespace, service));
    return proxied == null ? Optional.empty() : proxied.address(port);
  }

  /** Stops the informers, closes every listener and connection, and removes the address files. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stop(serviceInformer);
    stop(slices);
    synchronized (lock) {
      services.values().forEach(ProxiedService::close);
      services.clear();
      files.clear();
    }
  }

  private void serviceChanged(Service service) {
    String key = key(service.getMetadata().getNamespace(), service.getMetadata().getName());
    var ports = ProxiedPorts.of(service);
    if (ports.isEmpty()) {
      serviceGone(service);
      return;
    }
    ProxiedService proxied = services.computeIfAbsent(
        key,
        k -> new ProxiedService(
            service.getMetadata().getNamespace(),
            service.getMetadata().getName(),
            listenHost,
            CONNECT_TIMEOUT,
            files,
            log));
    proxied.ports(ports);
    proxied.endpoints(slices.getIndexer().byIndex(BY_SERVICE, key));
  }

  private void serviceGone(Service service) {
    ProxiedService proxied = services.remove(
        key(service.getMetadata().getNamespace(), service.getMetadata().getName()));
    if (proxied != null) {
      proxied.close();
    }
  }

  /** Recomputes the endpoints of the Service the slice belongs to (after an update, call it for the old one too). */
  private void sliceChanged(EndpointSlice slice) {
    String key = sliceServiceKey(slice);
    ProxiedService proxied = services.get(key);
    if (proxied != null) {
      proxied.endpoints(slices.getIndexer().byIndex(BY_SERVICE, key));
    }
  }

  /** Runs every event under the lock, after close() not at all, and logs (never throws) what goes wrong. */
  private <T extends HasMetadata> ResourceEventHandler<T> handler(
      Consumer<T> added, BiConsumer<T, T> updated, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        handle(added, obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        handle(obj -> updated.accept(oldObj, obj), newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        handle(deleted, obj);
      }
    };
  }

  private <T extends HasMetadata> void handle(Consumer<T> action, T obj) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        action.accept(obj);
      } catch (RuntimeException e) {
        log.accept(obj.getKind() + " " + obj.getMetadata().getNamespace() + "/"
            + obj.getMetadata().getName() + " not handled: " + e);
      }
    }
  }

  private static String sliceServiceKey(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    return key(slice.getMetadata().getNamespace(), service == null ? "" : service);
  }

  private static String key(String namespace, String service) {
    return namespace + "/" + service;
  }

  private static void stop(SharedIndexInformer<?> informer) {
    if (informer != null) {
      informer.close();
    }
  }
}
