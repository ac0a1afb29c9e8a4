package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ServiceAccount {@code default} that every namespace has: what kube-controller-manager's
 * serviceaccount-controller keeps (pkg/controller/serviceaccount/serviceaccounts_controller.go,
 * {@code syncNamespace}: for each namespace that is not terminating, the accounts it is told to
 * ensure, {@code default} by default, created when missing; made again when deleted). Without it
 * {@code kubectl get sa} listed nothing and {@code kubectl create token default} was a NotFound.
 */
final class DefaultServiceAccounts implements AutoCloseable {

  static final String NAME = "default";
  private static final Logger LOG = LoggerFactory.getLogger(DefaultServiceAccounts.class);

  private final Storage api;
  private final WorkQueue queue;

  /** Ensures the account in every namespace there is, then in each one created. */
  DefaultServiceAccounts(Storage api) {
    this.api = api;
    this.queue = new WorkQueue("embedded-cluster-serviceaccounts",
        (ignored, namespace) -> ensure(namespace), () -> { }, LOG);
    api.addListener(change -> {
      ApiTarget target = change.target();
      if (!target.group().isEmpty()) {
        return;
      }
      // as syncNamespace's informer: a namespace added or updated
      if ("namespaces".equals(target.plural()) && change.object() != null) {
        queue.enqueue(null, target.name());
      } else if ("serviceaccounts".equals(target.plural()) && change.object() == null
          && NAME.equals(target.name())) {
        queue.enqueue(null, target.namespace());
      }
    });
    api.list(Storage.NAMESPACES.collectionPath()).forEach(namespace ->
        ensure(namespace.path("metadata").path("name").asText()));
    queue.start();
  }

  private void ensure(String namespace) {
    ObjectNode found = api.get(Storage.NAMESPACES.withName(namespace));
    if (found == null || NamespaceLifecycle.terminating(found)) {
      return;
    }
    ApiTarget accounts = ApiTarget.parse("/api/v1/namespaces/" + namespace + "/serviceaccounts");
    if (api.get(accounts.withName(NAME)) != null) {
      return;
    }
    ObjectNode account = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1")
        .put("kind", "ServiceAccount");
    account.putObject("metadata").put("name", NAME).put("namespace", namespace);
    try {
      api.createInternal(accounts, account, DeploymentController.MANAGER);
    } catch (ApiErrors.ApiException e) {
      // created meanwhile by someone else: nothing left to ensure; any other refusal is retried
      // by the queue, as syncNamespace's errors are
      if (e.code != 409) {
        throw e;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
