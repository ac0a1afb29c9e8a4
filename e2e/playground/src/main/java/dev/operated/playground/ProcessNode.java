package dev.operated.playground;

import dev.operated.cluster.ContainerReport;
import dev.operated.cluster.Node;
import dev.operated.cluster.PodReporter;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node that runs the embedded cluster's pods as local processes. Each pod gets an address of
 * its own in 127.0.0.0/8 (Linux routes the whole block to the loopback interface, so no set-up
 * and no privileges are needed, and every pod can listen on its container port as it would in its
 * own network namespace); the app learns it from {@code BIND_ADDRESS}, the one variable the node
 * adds, standing in for the namespace a real pod has. Where only 127.0.0.1 exists (macOS), every
 * pod is on 127.0.0.1 instead and the node maps each container port to a free host port
 * ({@link PodAddressing#PORT_PER_POD}): the app learns its port from {@code PORT}, and probes,
 * preStop hooks and {@link ServiceFront} reach the pod through {@link #endpoint}.
 *
 * <p>Init containers run first, in order; a native sidecar (restartPolicy Always) must have
 * started before the next one starts. On deletion the app containers run their preStop hooks and
 * get SIGTERM together, SIGKILL at the end of the grace period, and the native sidecars are
 * stopped after them, last started first stopped, each with at least 2 s; their own preStop
 * hooks run as the termination begins (kubelet's {@code killContainer} and
 * {@code newTerminationOrdering}, pkg/kubelet/kuberuntime).
 * Every start, preStop hook, signal and exit is recorded ({@link #events()}).
 */
public final class ProcessNode implements Node {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessNode.class);
  private static final Duration POLL = Duration.ofMillis(100);
  /** 127.0.10.1 to 127.0.13.254. */
  static final int ADDRESSES = 4 * 254;
  private static final String LOOPBACK = "127.0.0.1";
  /** A native sidecar gets at least this much after the app containers, as the kubelet gives. */
  private static final Duration MIN_SIDECAR_GRACE = Duration.ofSeconds(2);

  private final LocalNodeSettings settings;
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4,
      runnable -> {
        Thread thread = new Thread(runnable, "local-node");
        thread.setDaemon(true);
        return thread;
      });
  private final Map<String, PodRun> pods = new ConcurrentHashMap<>();
  private final Deque<String> freeAddresses = new ArrayDeque<>();
  private final Map<String, String> addresses = new ConcurrentHashMap<>();
  /** Per pod uid, container port to host port; only in port-per-pod mode. */
  private final Map<String, Map<Integer, Integer>> hostPorts = new ConcurrentHashMap<>();
  /** Set once the API server runs: it starts after its node. */
  private volatile PodApiAccess apiAccess;
  // hook: what the kubelet did and when, and the webhook stand-in pods pass through
  private final ContainerEvents events = new ContainerEvents();
  private volatile UnaryOperator<Pod> admission = UnaryOperator.identity();

  public ProcessNode(LocalNodeSettings settings) {
    this.settings = settings;
    try {
      Files.createDirectories(settings.logDirectory());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // 127.0.10.1 .. 127.0.13.254; the host itself keeps 127.0.0.1
    for (int block = 10; block < 14; block++) {
      for (int host = 1; host < 255; host++) {
        freeAddresses.add("127.0." + block + "." + host);
      }
    }
    // start at a random place in the block, so two local nodes on one machine (test JVMs side
    // by side) rarely hand out the same address at the same moment
    for (int skip = java.util.concurrent.ThreadLocalRandom.current().nextInt(ADDRESSES);
        skip > 0; skip--) {
      freeAddresses.addLast(freeAddresses.poll());
    }
  }

  /** Lets pods with a ServiceAccount reach the API server as it ({@link PodApiAccess}). */
  public void connect(PodApiAccess access) {
    this.apiAccess = access;
  }

  /** What this node's kubelet did to each container, and when. */
  public ContainerEvents events() {
    return events;
  }

  /**
   * Runs every pod as a mutating admission webhook would have changed it at creation (a mesh's
   * sidecar injector, {@link IstioSidecarInjection}); the embedded API server has no webhooks, so
   * the pod object keeps its spec and shows the added containers only in its status.
   */
  public void admitPodsWith(UnaryOperator<Pod> webhook) {
    this.admission = webhook;
  }

  /** The process running a container now, e.g. to freeze it the way a hung process freezes. */
  public Optional<ProcessHandle> process(String namespace, String pod, String container) {
    return pods.values().stream()
        .filter(run -> run.pod.getMetadata().getNamespace().equals(namespace)
            && run.pod.getMetadata().getName().equals(pod))
        .flatMap(run -> run.all().stream())
        .filter(c -> c.name().equals(container))
        .findFirst().flatMap(LocalContainer::process);
  }

  /** Where a container's output goes (the last run's and every earlier one's). */
  public Path logOf(Pod pod, String container) {
    return settings.logDirectory().resolve(pod.getMetadata().getNamespace() + "_"
        + pod.getMetadata().getName() + "_" + container + ".log");
  }

  /** What {@code kubectl logs} reads: the file {@link #logOf} names, once the container wrote. */
  @Override
  public Optional<Path> containerLog(Pod pod, String container) {
    return Optional.of(logOf(pod, container));
  }

  /** Processes started and still alive: for tests that prove nothing is left behind. */
  public long runningProcesses() {
    return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
  }

  public PodAddressing addressing() {
    return settings.addressing();
  }

  /**
   * Where a pod's container port is reached on this machine: its own address and that port, or
   * 127.0.0.1 and the host port the node mapped it to.
   */
  public InetSocketAddress endpoint(Pod pod, int containerPort) {
    String uid = pod.getMetadata().getUid();
    if (settings.addressing() == PodAddressing.PORT_PER_POD) {
      Integer hostPort = hostPorts.getOrDefault(uid, Map.of()).get(containerPort);
      return new InetSocketAddress(LOOPBACK, hostPort == null ? containerPort : hostPort);
    }
    String ip = addresses.get(uid);
    return new InetSocketAddress(ip != null ? ip : pod.getStatus().getPodIP(), containerPort);
  }

  /**
   * Each pod's own address, taken from the pool when the kubelet asks and kept until it ends; in
   * port-per-pod mode, 127.0.0.1 for every pod.
   */
  @Override
  public String addressOf(Pod pod) {
    if (settings.addressing() == PodAddressing.PORT_PER_POD) {
      return LOOPBACK;
    }
    return addresses.computeIfAbsent(pod.getMetadata().getUid(), uid -> {
      synchronized (freeAddresses) {
        // another local node on this machine (a test JVM next to this one) draws from the same
        // block: an address whose ports are taken there goes to the back of the queue
        for (int tried = 0; tried < freeAddresses.size(); tried++) {
          String ip = freeAddresses.poll();
          if (portsFree(ip, pod)) {
            return ip;
          }
          freeAddresses.addLast(ip);
        }
        throw new IllegalStateException("no address left for pod "
            + pod.getMetadata().getName() + ": the local node runs at most "
            + ADDRESSES + " pods at once, and the free ones have its ports taken");
      }
    });
  }

  private static boolean portsFree(String ip, Pod pod) {
    List<Integer> ports = new ArrayList<>();
    pod.getSpec().getContainers().forEach(c -> c.getPorts().forEach(p -> ports.add(
        p.getContainerPort())));
    pod.getSpec().getInitContainers().forEach(c -> c.getPorts().forEach(p -> ports.add(
        p.getContainerPort())));
    for (int port : ports) {
      try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
        socket.bind(new java.net.InetSocketAddress(ip, port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void podAdded(Pod created, PodReporter reporter) {
    String ip = addressOf(created);
    Pod pod = admission.apply(created); // hook: a webhook's mutation, see admitPodsWith
    if (settings.addressing() == PodAddressing.PORT_PER_POD) {
      hostPorts.put(pod.getMetadata().getUid(), mapPorts(pod));
    }
    PodRun run = new PodRun(pod, ip, reporter);
    pods.put(pod.getMetadata().getUid(), run);
    Thread thread = new Thread(run::start, "pod-" + pod.getMetadata().getName());
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void podDeleted(Pod pod, PodReporter reporter) {
    PodRun run = pods.get(pod.getMetadata().getUid());
    if (run == null) {
      reporter.terminated();
      return;
    }
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    if (grace == null) {
      grace = pod.getSpec().getTerminationGracePeriodSeconds();
    }
    Instant deadline = Instant.now().plusSeconds(grace == null ? 30 : grace);
    events.sink(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), "")
        .record(ContainerEvents.Kind.TERMINATING, (int) (grace == null ? 30 : grace)); // hook
    Thread thread = new Thread(() -> {
      run.terminate(deadline);
      pods.remove(pod.getMetadata().getUid());
      hostPorts.remove(pod.getMetadata().getUid());
      if (addresses.remove(pod.getMetadata().getUid()) != null) {
        synchronized (freeAddresses) {
          freeAddresses.addLast(run.ip);
        }
      }
      reporter.terminated();
    }, "terminate-" + pod.getMetadata().getName());
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A free host port for every port the pod's containers declare. The containers of a pod share
   * one network namespace, so one map serves them all.
   */
  private static Map<Integer, Integer> mapPorts(Pod pod) {
    Map<Integer, Integer> mapped = new LinkedHashMap<>();
    List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
    all.addAll(pod.getSpec().getContainers());
    for (Container container : all) {
      for (ContainerPort port : container.getPorts()) {
        mapped.computeIfAbsent(port.getContainerPort(), p -> freeHostPort());
      }
    }
    return Map.copyOf(mapped);
  }

  /** A port the kernel reports free now; the process binds it moments later. */
  private static int freeHostPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + LOOPBACK + " to map a container port to",
          e);
    }
  }

  @Override
  public void close() {
    for (PodRun run : pods.values()) {
      run.kill();
    }
    pods.clear();
    scheduler.shutdownNow();
  }

  /** One pod: its containers in start order. */
  private final class PodRun {
    private final Pod pod;
    private final String ip;
    private final PodReporter reporter;
    private final List<LocalContainer> initContainers = new ArrayList<>();
    private final List<LocalContainer> containers = new ArrayList<>();
    private volatile boolean terminating;

    PodRun(Pod pod, String ip, PodReporter reporter) {
      this.pod = pod;
      this.ip = ip;
      this.reporter = reporter;
    }

    void start() {
      report();
      for (Container spec : pod.getSpec().getInitContainers()) {
        boolean sidecar = "Always".equals(spec.getRestartPolicy());
        LocalContainer container = create(spec, true, !sidecar);
        synchronized (this) {
          if (terminating) {
            return;
          }
          initContainers.add(container);
        }
        container.start();
        report();
        while (!terminating && !(sidecar ? container.started() : container.finished())) {
          pause();
        }
      }
      synchronized (this) {
        if (terminating) {
          return;
        }
        for (Container spec : pod.getSpec().getContainers()) {
          containers.add(create(spec, false, false));
        }
      }
      containers.forEach(LocalContainer::start);
      report();
    }

    private LocalContainer create(Container spec, boolean init, boolean runsToCompletion) {
      Optional<Path> jar = settings.jarFor(spec.getImage());
      if (jar.isEmpty()) {
        return new SimulatedContainer(spec.getName(), init, runsToCompletion);
      }
      Map<String, String> env = new LinkedHashMap<>(PodLoopback.inPod(
          ContainerEnvironment.of(pod, spec, ip, "127.0.0.1"), ip)); // hook: localhost is the pod
      env.put("BIND_ADDRESS", ip);
      if (settings.addressing() == PodAddressing.PORT_PER_POD && !spec.getPorts().isEmpty()) {
        // the one port an app can be told about: its first, as the sample-service reads PORT
        env.put("PORT", String.valueOf(hostPort(spec.getPorts().get(0).getContainerPort())));
      }
      // the operator's name for the same thing (dev.operated.runtime.Setting.BIND_ADDRESS)
      env.put("OPERATED_BIND_ADDRESS", ip);
      PodApiAccess access = apiAccess;
      if (access != null) {
        env.putAll(access.environment(pod));
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(settings.jvmOptionsFor(spec.getImage()));
      command.add("-jar");
      command.add(jar.get().toString());
      command.addAll(LocalNodeSettings.argsFor(spec.getImage(), spec.getArgs()));
      return new ProcessContainer(spec, init, command, env, ip, this::hostPort,
          logOf(pod, spec.getName()),
          settings, scheduler, this::report, events.sink(pod.getMetadata().getNamespace(),
              pod.getMetadata().getName(), spec.getName()));
    }

    /** Where this pod's container port listens on the host. */
    int hostPort(int containerPort) {
      return endpoint(pod, containerPort).getPort();
    }

    synchronized List<LocalContainer> all() {
      List<LocalContainer> all = new ArrayList<>(initContainers);
      all.addAll(containers);
      return all;
    }

    void terminate(Instant deadline) {
      List<LocalContainer> apps;
      List<LocalContainer> sidecars;
      synchronized (this) {
        terminating = true;
        apps = List.copyOf(containers);
        sidecars = new ArrayList<>(initContainers);
      }
      // hook: the kubelet's killContainer runs each container's preStop hook before the
      // container waits for its turn (kuberuntime_container.go), so a native sidecar's hook runs
      // as the termination begins, alongside the app's
      Map<LocalContainer, Thread> sidecarHooks = new LinkedHashMap<>();
      for (LocalContainer sidecar : sidecars) {
        Thread hook = new Thread(() -> sidecar.preStop(deadline),
            "prestop-" + pod.getMetadata().getName() + "-" + sidecar.name());
        hook.setDaemon(true);
        hook.start();
        sidecarHooks.put(sidecar, hook);
      }
      List<Thread> stopping = new ArrayList<>();
      for (LocalContainer container : apps) {
        Thread thread = new Thread(() -> container.terminate(deadline),
            "stop-" + pod.getMetadata().getName() + "-" + container.name());
        thread.setDaemon(true);
        thread.start();
        stopping.add(thread);
      }
      for (Thread thread : stopping) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      Collections.reverse(sidecars);
      for (LocalContainer sidecar : sidecars) {
        try {
          sidecarHooks.get(sidecar).join(); // hook: its own preStop first, as above
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        Instant floor = Instant.now().plus(MIN_SIDECAR_GRACE);
        sidecar.terminate(deadline.isAfter(floor) ? deadline : floor);
      }
      report();
    }

    void kill() {
      synchronized (this) {
        terminating = true;
      }
      Instant now = Instant.now();
      containers.forEach(container -> container.terminate(now));
      initContainers.forEach(container -> container.terminate(now));
    }

    void report() {
      List<ContainerReport> reports = new ArrayList<>();
      synchronized (this) {
        List<String> created = new ArrayList<>();
        for (LocalContainer container : initContainers) {
          reports.add(container.report());
          created.add(container.name());
        }
        for (Container spec : pod.getSpec().getInitContainers()) {
          if (!created.contains(spec.getName())) {
            reports.add(ContainerReport.waiting(spec.getName(), true, "PodInitializing"));
          }
        }
        for (LocalContainer container : containers) {
          reports.add(container.report());
          created.add(container.name());
        }
        for (Container spec : pod.getSpec().getContainers()) {
          if (!created.contains(spec.getName())) {
            reports.add(ContainerReport.waiting(spec.getName(), false, "PodInitializing"));
          }
        }
      }
      try {
        reporter.report(reports);
      } catch (RuntimeException e) {
        LOG.debug("pod {} status not written: {}", pod.getMetadata().getName(), e.toString());
      }
    }

    private void pause() {
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        terminating = true;
      }
    }
  }
}
