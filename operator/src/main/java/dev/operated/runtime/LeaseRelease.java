package dev.operated.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the Lease up on a clean shutdown. JOSDK stops its elector without releasing, which
 * leaves a standby waiting out the whole lease duration; emptying the holder (as client-go's
 * ReleaseOnCancel does) lets it take over on its next retry. Only a lease this replica still
 * holds is touched, and the write carries its resourceVersion, so a lease taken over in the
 * meantime is never overwritten.
 */
final class LeaseRelease {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseRelease.class);

  private LeaseRelease() {
  }

  /** @return whether the lease was released */
  static boolean release(KubernetesClient client, String namespace, String name,
      String identity) {
    try {
      Lease lease = client.resources(Lease.class).inNamespace(namespace).withName(name).get();
      if (lease == null || lease.getSpec() == null
          || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return false;
      }
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(ZonedDateTime.now());
      client.resource(lease).update();
      LOG.info("released lease {}/{}", namespace, name);
      return true;
    } catch (KubernetesClientException e) {
      LOG.warn("could not release lease {}/{} ({}); a standby takes over when it expires",
          namespace, name, e.getMessage());
      return false;
    }
  }
}
