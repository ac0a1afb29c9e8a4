package dev.operated.reconciler;

import static net.logstash.logback.argument.StructuredArguments.keyValue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.config.InformerStoppedHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when an informer stops for good after its cache had synced: fabric8 gives up on
 * an error it does not retry (a watch event it cannot read, a watch closed with an error other
 * than 410 Gone), and the cache it fed is stale from then on, so nothing the operator decides
 * from it can be trusted. JOSDK's own handler calls {@code System.exit(1)} from the informer's
 * thread; the process that owns its lifecycle decides instead ({@code whenCacheLost}: the
 * runtime exits through its shutdown path so the lease is released and the kubelet restarts the
 * container with fresh caches). An informer stopped by the operator's own stop, or one that never
 * synced (the start fails and says why), is not a lost cache.
 */
public final class StoppedInformers implements InformerStoppedHandler {

  public static final String EVENT = "informer-stopped";
  private static final Logger LOG = LoggerFactory.getLogger(StoppedInformers.class);

  private final Runnable whenCacheLost;

  public StoppedInformers(Runnable whenCacheLost) {
    this.whenCacheLost = whenCacheLost;
  }

  /** Logs a lost cache and goes on: for an operator whose caller owns neither process nor pod. */
  public static StoppedInformers logOnly() {
    return new StoppedInformers(() -> {
    });
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void onStop(SharedIndexInformer informer, Throwable error) {
    if (error == null || !informer.hasSynced()) {
      return;
    }
    Class<?> type = informer.getApiTypeClass();
    String resource = HasMetadata.class.isAssignableFrom(type)
        ? HasMetadata.getFullResourceName(type.asSubclass(HasMetadata.class))
        : type.getSimpleName();
    LOG.error("the informer for {} stopped: {}; its cache no longer follows the cluster",
        resource, error.getMessage(), keyValue("event", EVENT), keyValue("resource", resource),
        error);
    whenCacheLost.run();
  }
}
