package dev.operated.reconciler;

import dev.operated.api.OperatedService;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Optional;

/**
 * The Deployment the operator applies for a service: the one of the service's name. JOSDK finds
 * secondaries by owner, and a copy made with {@code kubectl get -o yaml} keeps the owner
 * reference, so "the" owned Deployment is not always one; JOSDK's singular
 * {@code getSecondaryResource} then throws, which stopped every later reconcile of the service.
 */
final class ServiceDeployment {

  private ServiceDeployment() {
  }

  static Optional<Deployment> of(OperatedService service, Context<OperatedService> context) {
    String name = service.getMetadata().getName();
    return context.getSecondaryResources(Deployment.class).stream()
        .filter(deployment -> name.equals(deployment.getMetadata().getName()))
        .findFirst();
  }
}
