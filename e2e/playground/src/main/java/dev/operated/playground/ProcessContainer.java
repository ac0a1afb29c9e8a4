package dev.operated.playground;

import dev.operated.cluster.ContainerReport;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container run as a local Java process, the way the kubelet runs one: its environment, its
 * startup, readiness and liveness probes with their periods and thresholds, a restart with
 * back-off when it exits or fails liveness, the termination message from its last log lines, and
 * termination by preStop hook, SIGTERM and SIGKILL at the end of the grace period.
 */
final class ProcessContainer implements LocalContainer {

  /** The kubelet keeps at most this much of the log as a termination message. */
  static final int TERMINATION_MESSAGE_BYTES = 2048;
  static final int TERMINATION_MESSAGE_LINES = 80;
  private static final Logger LOG = LoggerFactory.getLogger(ProcessContainer.class);
  private static final HttpClient PROBES = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();

  private final Container spec;
  private final boolean init;
  private final List<String> command;
  private final Map<String, String> env;
  private final String podIp;
  /** Container port to the port it listens on here (itself, unless the node maps ports). */
  private final IntUnaryOperator hostPort;
  private final Path log;
  private final LocalNodeSettings settings;
  private final ScheduledExecutorService scheduler;
  private final Runnable onChange;
  private final ContainerEvents.Sink events;

  private final Object lock = new Object();
  private Process process;
  private final List<ScheduledFuture<?>> probes = new ArrayList<>();
  private boolean started;
  private boolean ready;
  private int restartCount;
  private boolean terminating;
  private boolean preStopRan;
  /** Done once the last exit is handled and recorded: a stop waits for it before it returns. */
  private CompletableFuture<Void> exitHandled = CompletableFuture.completedFuture(null);
  private boolean stopped;
  private String waitingReason = "ContainerCreating";
  private ContainerReport.Termination lastTermination;
  private int startupFailures;
  private int livenessFailures;
  private int readinessFailures;
  private int readinessSuccesses;

  ProcessContainer(Container spec, boolean init, List<String> command, Map<String, String> env,
      String podIp, IntUnaryOperator hostPort, Path log, LocalNodeSettings settings, ScheduledExecutorService scheduler,
      Runnable onChange, ContainerEvents.Sink events) {
    this.spec = spec;
    this.init = init;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.podIp = podIp;
    this.hostPort = hostPort;
    this.log = log;
    this.settings = settings;
    this.scheduler = scheduler;
    this.onChange = onChange;
    this.events = events;
  }

  @Override
  public String name() {
    return spec.getName();
  }

  @Override
  public void start() {
    synchronized (lock) {
      if (terminating) {
        return;
      }
      ProcessBuilder builder = new ProcessBuilder(command);
      // A container sees only its own environment, not the node's.
      builder.environment().clear();
      builder.environment().putAll(env);
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      long logStart = logSize();
      try {
        process = builder.start();
      } catch (IOException e) {
        waitingReason = "RunContainerError";
        LOG.warn("cannot start container {}: {}", name(), e.getMessage());
        changed();
        return;
      }
      Process current = process;
      events.record(ContainerEvents.Kind.STARTED); // hook: the kubelet's record
      waitingReason = null;
      started = spec.getStartupProbe() == null;
      ready = false;
      startupFailures = 0;
      livenessFailures = 0;
      readinessFailures = 0;
      readinessSuccesses = 0;
      exitHandled = current.onExit().thenRun(() -> exited(current, logStart));
      schedule(spec.getStartupProbe(), this::startupResult);
      schedule(spec.getReadinessProbe(), this::readinessResult);
      schedule(spec.getLivenessProbe(), this::livenessResult);
    }
    changed();
  }

  private void schedule(Probe probe, Consumer<Boolean> onResult) {
    if (probe == null) {
      return;
    }
    long period = Math.max(1, value(probe.getPeriodSeconds(), 10)) * 1000L;
    long initialDelay = value(probe.getInitialDelaySeconds(), 0) * 1000L;
    Process current = process;
    probes.add(scheduler.scheduleWithFixedDelay(() -> {
      if (!isCurrent(current) || (probe != spec.getStartupProbe() && !startedNow())) {
        return;
      }
      boolean success = probe(probe);
      synchronized (lock) {
        if (process == current && !stopped) {
          onResult.accept(success);
        }
      }
    }, initialDelay, period, TimeUnit.MILLISECONDS));
  }

  private boolean isCurrent(Process current) {
    synchronized (lock) {
      return process == current && current.isAlive() && !stopped;
    }
  }

  private boolean startedNow() {
    synchronized (lock) {
      return started;
    }
  }

  private void startupResult(boolean success) {
    if (started) {
      return;
    }
    if (success) {
      started = true;
      changed();
      return;
    }
    if (++startupFailures >= value(spec.getStartupProbe().getFailureThreshold(), 3)) {
      LOG.info("container {}: startup probe failed {} times, restarting", name(),
          startupFailures);
      killForRestart();
    }
  }

  private void readinessResult(boolean success) {
    Probe probe = spec.getReadinessProbe();
    if (success) {
      readinessFailures = 0;
      if (!ready && ++readinessSuccesses >= value(probe.getSuccessThreshold(), 1)) {
        ready = true;
        changed();
      }
    } else {
      readinessSuccesses = 0;
      if (ready && ++readinessFailures >= value(probe.getFailureThreshold(), 3)) {
        ready = false;
        changed();
      }
    }
  }

  private void livenessResult(boolean success) {
    if (success) {
      livenessFailures = 0;
      return;
    }
    if (++livenessFailures >= value(spec.getLivenessProbe().getFailureThreshold(), 3)) {
      LOG.info("container {}: liveness probe failed {} times, restarting", name(),
          livenessFailures);
      killForRestart();
    }
  }

  /** As the kubelet does on a failed liveness or startup probe: stop it; the exit restarts it. */
  private void killForRestart() {
    Process current = process;
    cancelProbes();
    Thread stopper = new Thread(() -> {
      events.record(ContainerEvents.Kind.SIGTERM); // hook: the kubelet's record
      current.destroy();
      try {
        if (!current.waitFor(settings.restartGrace().toMillis(), TimeUnit.MILLISECONDS)) {
          events.record(ContainerEvents.Kind.SIGKILL); // hook: the kubelet's record
          current.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        current.destroyForcibly();
      }
    }, "kill-" + name());
    stopper.setDaemon(true);
    stopper.start();
  }

  private void exited(Process ended, long logStart) {
    boolean restart;
    synchronized (lock) {
      if (process != ended) {
        return;
      }
      cancelProbes();
      int exitCode = ended.exitValue();
      events.record(ContainerEvents.Kind.EXITED, exitCode); // hook: the kubelet's record
      String message = exitCode != 0
          && "FallbackToLogsOnError".equals(spec.getTerminationMessagePolicy())
          ? lastLogLines(logStart) : null;
      lastTermination = new ContainerReport.Termination(exitCode,
          exitCode == 0 ? "Completed" : "Error", message);
      started = false;
      ready = false;
      restart = !terminating && !init;
      if (restart) {
        restartCount++;
        waitingReason = restartCount > 1 ? "CrashLoopBackOff" : "ContainerCreating";
      } else {
        stopped = true;
      }
    }
    changed();
    if (restart) {
      scheduler.schedule(this::start, backOff().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** The kubelet's restart back-off: doubling from the initial delay, capped. */
  private Duration backOff() {
    if (restartCount <= 1) {
      return Duration.ZERO;
    }
    Duration delay = settings.initialBackOff().multipliedBy(1L << Math.min(restartCount - 2, 10));
    return delay.compareTo(settings.maxBackOff()) > 0 ? settings.maxBackOff() : delay;
  }

  @Override
  public boolean started() {
    synchronized (lock) {
      return process != null && process.isAlive() && started;
    }
  }

  @Override
  public boolean finished() {
    synchronized (lock) {
      return stopped;
    }
  }

  @Override
  public void terminate(Instant deadline) {
    Process current;
    synchronized (lock) {
      terminating = true;
      current = process;
    }
    if (current == null || !current.isAlive()) {
      if (current != null) {
        awaitExitHandled(); // a process that ended just now is recorded before the node moves on
      }
      markStopped();
      return;
    }
    preStop(deadline);
    events.record(ContainerEvents.Kind.SIGTERM); // hook: the kubelet's record
    current.destroy(); // SIGTERM
    try {
      long left = Duration.between(Instant.now(), deadline).toMillis();
      if (left <= 0 || !current.waitFor(left, TimeUnit.MILLISECONDS)) {
        LOG.info("container {} still running at the end of the grace period: SIGKILL", name());
        events.record(ContainerEvents.Kind.SIGKILL); // hook: the kubelet's record
        current.destroyForcibly();
        current.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      current.destroyForcibly();
    }
    awaitExitHandled(); // hook: the exit is recorded before the node moves on
    markStopped();
  }

  /** The exit callback runs on another thread moments after the process is reaped. */
  private void awaitExitHandled() {
    CompletableFuture<Void> handled;
    synchronized (lock) {
      handled = exitHandled;
    }
    try {
      handled.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("container {}: exit not handled: {}", name(), e.toString());
    }
  }

  @Override
  public void preStop(Instant deadline) {
    LifecycleHandler hook = spec.getLifecycle() == null ? null : spec.getLifecycle().getPreStop();
    synchronized (lock) {
      if (preStopRan || hook == null || process == null || !process.isAlive()) {
        preStopRan = true;
        return;
      }
      preStopRan = true;
    }
    events.record(ContainerEvents.Kind.PRE_STOP); // hook: the kubelet's record
    runPreStop(hook, deadline);
  }

  private void markStopped() {
    synchronized (lock) {
      stopped = true;
      cancelProbes();
    }
    changed();
  }

  /** sleep (the kubelet's own action), httpGet, or an exec of sleep: what the operator emits. */
  private void runPreStop(LifecycleHandler hook, Instant deadline) {
    if (hook == null) {
      return;
    }
    Duration sleep = null;
    if (hook.getSleep() != null) {
      sleep = Duration.ofSeconds(hook.getSleep().getSeconds());
    } else if (hook.getExec() != null) {
      List<String> exec = hook.getExec().getCommand();
      int at = exec.indexOf("sleep");
      if (at >= 0 && at + 1 < exec.size()) {
        sleep = Duration.ofSeconds(Long.parseLong(exec.get(at + 1)));
      } else {
        LOG.warn("container {}: preStop exec {} is not understood by the local node", name(),
            exec);
      }
    } else if (hook.getHttpGet() != null) {
      get(hook.getHttpGet(), Duration.between(Instant.now(), deadline));
    }
    if (sleep != null) {
      Instant until = Instant.now().plus(sleep);
      Instant end = until.isBefore(deadline) ? until : deadline;
      sleepUntil(end);
    }
  }

  private static void sleepUntil(Instant end) {
    long left;
    // nanoseconds: whole milliseconds would end the hook up to 1 ms before its time
    while ((left = Duration.between(Instant.now(), end).toNanos()) > 0) {
      try {
        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private boolean probe(Probe probe) {
    if (probe.getHttpGet() == null) {
      LOG.warn("container {}: only httpGet probes run on the local node", name());
      return true;
    }
    return get(probe.getHttpGet(), Duration.ofSeconds(value(probe.getTimeoutSeconds(), 1)));
  }

  private boolean get(HTTPGetAction action, Duration timeout) {
    try {
      String path = action.getPath() == null ? "/" : action.getPath();
      URI uri = URI.create("http://" + podIp + ":" + hostPort.applyAsInt(port(action.getPort())) + path);
      HttpResponse<Void> response = PROBES.send(HttpRequest.newBuilder(uri)
          .timeout(timeout.isNegative() || timeout.isZero() ? Duration.ofMillis(1) : timeout)
          .header("User-Agent", "kube-probe/local-node").GET().build(),
          HttpResponse.BodyHandlers.discarding());
      return response.statusCode() >= 200 && response.statusCode() < 400;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private int port(IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return spec.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("container " + name()
            + " has no port named " + port.getStrVal()));
  }

  private String lastLogLines(long from) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(from, file.length() - TERMINATION_MESSAGE_BYTES);
      byte[] tail = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(tail);
      List<String> lines = new String(tail, StandardCharsets.UTF_8).lines().toList();
      return String.join("\n",
          lines.subList(Math.max(0, lines.size() - TERMINATION_MESSAGE_LINES), lines.size()));
    } catch (IOException e) {
      return null;
    }
  }

  private long logSize() {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private void cancelProbes() {
    probes.forEach(probe -> probe.cancel(false));
    probes.clear();
  }

  private void changed() {
    onChange.run();
  }

  @Override
  public Optional<ProcessHandle> process() {
    synchronized (lock) {
      return process != null && process.isAlive() ? Optional.of(process.toHandle())
          : Optional.empty();
    }
  }

  @Override
  public ContainerReport report() {
    synchronized (lock) {
      if (stopped) {
        ContainerReport.Termination end = lastTermination;
        return new ContainerReport(name(), init, ContainerReport.State.TERMINATED, false, false,
            restartCount, end == null ? 0 : end.exitCode(),
            end == null ? "Completed" : end.reason(), end == null ? null : end.message(), null);
      }
      if (process == null || !process.isAlive() || waitingReason != null) {
        return new ContainerReport(name(), init, ContainerReport.State.WAITING, false, false,
            restartCount, null, waitingReason == null ? "ContainerCreating" : waitingReason,
            null, lastTermination);
      }
      // Without a readiness probe a started container is ready.
      boolean readyNow = spec.getReadinessProbe() == null ? started : ready;
      return new ContainerReport(name(), init, ContainerReport.State.RUNNING, started, readyNow,
          restartCount, null, null, null, lastTermination);
    }
  }

  private static int value(Integer value, int defaultValue) {
    return value == null ? defaultValue : value;
  }
}
