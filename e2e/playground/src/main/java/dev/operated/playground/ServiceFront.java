package dev.operated.playground;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Service's address on this machine, doing what kube-proxy does: each new TCP connection goes
 * to one of the ready endpoints, round robin, and an established connection stays with its pod.
 * An endpoint joins or leaves the rotation {@code propagation} after its pod became ready, or
 * stopped being ready or started terminating: the delay with which endpoint changes reach every
 * node's proxy, and so the race a preStop drain has to cover.
 */
public final class ServiceFront implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceFront.class);

  private final Service service;
  private final Duration propagation;
  private final ServerSocket listener;
  private final SharedIndexInformer<Pod> pods;
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(
      runnable -> daemon(runnable, "service-front-endpoints"));
  private final ExecutorService connections = Executors.newCachedThreadPool(
      runnable -> daemon(runnable, "service-front-connection"));
  private final AtomicInteger next = new AtomicInteger();
  private volatile List<InetSocketAddress> endpoints = List.of();
  private volatile boolean closed;

  /** Where a pod's port is reached from this machine. */
  @FunctionalInterface
  public interface PodEndpoints {
    /** A real cluster's: the pod's IP and the container port. */
    PodEndpoints POD_IP = (pod, port) -> new InetSocketAddress(pod.getStatus().getPodIP(), port);

    InetSocketAddress endpoint(Pod pod, int containerPort);
  }

  private final PodEndpoints podEndpoints;

  public ServiceFront(KubernetesClient client, Service service, Duration propagation) {
    this(client, service, propagation, PodEndpoints.POD_IP);
  }

  /** With the node's port mapping, for a node that maps container ports to host ports. */
  public ServiceFront(KubernetesClient client, Service service, Duration propagation,
      PodEndpoints podEndpoints) {
    this.podEndpoints = podEndpoints;
    this.service = service;
    this.propagation = propagation;
    try {
      listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> selector = service.getSpec().getSelector();
    // Assigned before it starts: the handlers read its store from the first event on.
    pods = client.pods().inNamespace(service.getMetadata().getNamespace()).withLabels(selector)
        .runnableInformer(0);
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        changed();
      }

      @Override
      public void onUpdate(Pod before, Pod after) {
        changed();
      }

      @Override
      public void onDelete(Pod pod, boolean finalStateUnknown) {
        changed();
      }
    });
    pods.run();
    Thread acceptor = new Thread(this::accept, "service-front-" + service.getMetadata().getName());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Where clients connect: 127.0.0.1 and this port. */
  public int port() {
    return listener.getLocalPort();
  }

  /** The endpoints in the rotation now. */
  public List<InetSocketAddress> endpoints() {
    return endpoints;
  }

  private void changed() {
    List<InetSocketAddress> current = pods.getStore().list().stream()
        .filter(ServiceFront::serving)
        .map(pod -> podEndpoints.endpoint(pod, targetPort(pod)))
        .sorted(Comparator.comparing(InetSocketAddress::toString))
        .toList();
    delays.schedule(() -> {
      if (!current.equals(endpoints)) {
        LOG.info("service {} endpoints: {}", service.getMetadata().getName(), current);
      }
      endpoints = current;
    }, propagation.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Ready and not terminating: what the endpoints controller puts in rotation. */
  private static boolean serving(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
        && pod.getStatus().getPodIP() != null && pod.getStatus().getConditions().stream().anyMatch(
            c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private int targetPort(Pod pod) {
    ServicePort port = service.getSpec().getPorts().get(0);
    if (port.getTargetPort() == null) {
      return port.getPort();
    }
    if (port.getTargetPort().getIntVal() != null) {
      return port.getTargetPort().getIntVal();
    }
    String name = port.getTargetPort().getStrVal();
    return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
        .filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
        .orElse(port.getPort());
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.execute(() -> forward(client));
    }
  }

  private void forward(Socket client) {
    List<InetSocketAddress> rotation = endpoints;
    if (rotation.isEmpty()) {
      close(client); // no endpoints: the connection is refused, as with a real Service
      return;
    }
    InetSocketAddress target = rotation.get(Math.floorMod(next.getAndIncrement(),
        rotation.size()));
    Socket upstream = new Socket();
    try {
      upstream.connect(target, 2000);
    } catch (IOException e) {
      close(client);
      close(upstream);
      return;
    }
    connections.execute(() -> pipe(upstream, client));
    pipe(client, upstream);
  }

  private static void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side went away: close both below
    } finally {
      close(from);
      close(to);
    }
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() {
    closed = true;
    pods.close();
    try {
      listener.close();
    } catch (IOException e) {
      // closing
    }
    delays.shutdownNow();
    connections.shutdownNow();
  }
}
