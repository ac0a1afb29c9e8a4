package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import dev.operated.desired.KubernetesVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's version, which decides the drain method and native sidecars. It changes only
 * when the control plane is upgraded, and there is nothing to watch for it, so it is refreshed on
 * a slow timer in the background instead of on the reconcile path. A failed read keeps the last
 * known version; until a first read succeeds the version is unknown and nothing is applied. When
 * it changes, every OperatedService is reconciled.
 */
final class ClusterVersionSource extends AbstractEventSource<Void, OperatedService> {

  static final String NAME = "cluster-version";
  static final Duration REFRESH = Duration.ofMinutes(10);
  /** Until the version is known, ask again soon: nothing can be applied without it. */
  static final Duration RETRY_UNKNOWN = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(ClusterVersionSource.class);

  private final Supplier<VersionInfo> readVersion;
  private final EventSourceContext<OperatedService> context;
  private volatile KubernetesVersion version;
  private ScheduledExecutorService timer;

  ClusterVersionSource(KubernetesClient client, EventSourceContext<OperatedService> context) {
    this(client::getKubernetesVersion, context);
  }

  ClusterVersionSource(Supplier<VersionInfo> readVersion,
      EventSourceContext<OperatedService> context) {
    super(Void.class, NAME);
    this.readVersion = readVersion;
    this.context = context;
  }

  Optional<KubernetesVersion> version() {
    return Optional.ofNullable(version);
  }

  @Override
  public void start() {
    timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "operated-cluster-version");
      thread.setDaemon(true);
      return thread;
    });
    refresh();
    super.start();
  }

  /** Rescheduled whatever happens: an exception here would end the timer, and silently. */
  private void refresh() {
    try {
      if (readOnce() && isRunning()) {
        reconcileAll();
      }
    } finally {
      timer.schedule(this::refresh, (version == null ? RETRY_UNKNOWN : REFRESH).toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /** @return whether the version changed from a known or unknown one to another known one */
  boolean readOnce() {
    KubernetesVersion before = version;
    try {
      version = KubernetesVersion.of(readVersion.get());
    } catch (RuntimeException e) { // a failed read, a 404 (fabric8 answers null), no version
      LOG.warn("cannot read the API server's version ({}); keeping {}", e.getMessage(),
          before == null ? "nothing applied until it is known" : before);
    }
    boolean changed = version != null && !version.equals(before);
    if (changed) {
      LOG.info("the API server's version is {}", version);
    }
    return changed;
  }

  private void reconcileAll() {
    context.getPrimaryCache().list().forEach(primary ->
        getEventHandler().handleEvent(new Event(ResourceID.fromResource(primary))));
  }

  @Override
  public Set<Void> getSecondaryResources(OperatedService primary) {
    return Set.of();
  }

  @Override
  public void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
    super.stop();
  }
}
