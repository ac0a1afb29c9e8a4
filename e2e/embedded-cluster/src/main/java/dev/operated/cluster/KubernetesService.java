package dev.operated.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's own Service, {@code default/kubernetes}, which every cluster has: what
 * kube-apiserver's kubernetesservice controller creates
 * (pkg/controlplane/controller/kubernetesservice, {@code CreateOrUpdateMasterServiceIfNeeded}:
 * labels {@code provider=kubernetes, component=apiserver}, no selector, the first address of the
 * Service range, port {@code https} 443 to the server's port) and the Endpoints its endpoint
 * reconciler writes (pkg/controlplane/reconcilers, lease.go: the server's address and port,
 * labelled so that the mirroring controller skips them) with the EndpointSlice beside them
 * (endpointsadapter.go {@code endpointSliceFromEndpoints}). Whichever of the three is deleted is
 * made again, as the controller's loop does every ten seconds; here at once.
 */
final class KubernetesService implements AutoCloseable {

  static final String NAME = "kubernetes";
  /** The first address of {@link ServiceAddresses#CLUSTER_IP_RANGE}, kept out of allocation. */
  static final String CLUSTER_IP = "10.96.0.1";
  private static final String NAMESPACE = "default";
  private static final String PORT_NAME = "https";
  private static final String ADDRESS = "127.0.0.1";
  private static final ApiTarget SERVICES = ApiTarget.parse("/api/v1/namespaces/default/services");
  private static final ApiTarget ENDPOINTS =
      ApiTarget.parse("/api/v1/namespaces/default/endpoints");
  private static final ApiTarget SLICES =
      ApiTarget.parse("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices");
  private static final List<ApiTarget> KINDS = List.of(SERVICES, ENDPOINTS, SLICES);
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesService.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Storage api;
  private final int port;
  private final WorkQueue queue;

  /** Creates the three at once, then keeps them. */
  KubernetesService(Storage api, int port) {
    this.api = api;
    this.port = port;
    this.queue = new WorkQueue("embedded-cluster-kubernetes-service", (namespace, name) ->
        createMissing(), () -> { }, LOG);
    createMissing();
    api.addListener(change -> {
      ApiTarget target = change.target();
      if (change.object() == null && NAMESPACE.equals(target.namespace())
          && NAME.equals(target.name()) && KINDS.stream().anyMatch(kind ->
              kind.group().equals(target.group()) && kind.plural().equals(target.plural()))) {
        queue.enqueue(NAMESPACE, NAME);
      }
    });
    queue.start();
  }

  private void createMissing() {
    if (api.get(SERVICES.withName(NAME)) == null) {
      api.createInternal(SERVICES, service(), CrdEstablisher.MANAGER);
    }
    if (api.get(ENDPOINTS.withName(NAME)) == null) {
      api.createInternal(ENDPOINTS, endpoints(), CrdEstablisher.MANAGER);
    }
    if (api.get(SLICES.withName(NAME)) == null) {
      api.createInternal(SLICES, slice(), CrdEstablisher.MANAGER);
    }
  }

  private ObjectNode service() {
    ObjectNode service = object("v1", "Service");
    ((ObjectNode) service.get("metadata")).putObject("labels").put("provider", "kubernetes")
        .put("component", "apiserver");
    ObjectNode spec = service.putObject("spec");
    spec.putArray("ports").addObject().put("name", PORT_NAME).put("port", 443)
        .put("protocol", "TCP").put("targetPort", port);
    spec.put("clusterIP", CLUSTER_IP).put("ipFamilyPolicy", "SingleStack")
        .put("sessionAffinity", "None").put("type", "ClusterIP");
    return service;
  }

  private ObjectNode endpoints() {
    ObjectNode endpoints = object("v1", "Endpoints");
    ((ObjectNode) endpoints.get("metadata")).putObject("labels")
        .put("endpointslice.kubernetes.io/skip-mirror", "true");
    ObjectNode subset = endpoints.putArray("subsets").addObject();
    subset.putArray("addresses").addObject().put("ip", ADDRESS);
    subset.putArray("ports").addObject().put("name", PORT_NAME).put("port", port)
        .put("protocol", "TCP");
    return endpoints;
  }

  private ObjectNode slice() {
    ObjectNode slice = object("discovery.k8s.io/v1", "EndpointSlice");
    ((ObjectNode) slice.get("metadata")).putObject("labels")
        .put(EndpointSliceController.SERVICE_NAME_LABEL, NAME);
    slice.put("addressType", "IPv4");
    ObjectNode endpoint = slice.putArray("endpoints").addObject();
    endpoint.putArray("addresses").add(ADDRESS);
    endpoint.putObject("conditions").put("ready", true);
    slice.putArray("ports").addObject().put("name", PORT_NAME).put("port", port)
        .put("protocol", "TCP");
    return slice;
  }

  private static ObjectNode object(String apiVersion, String kind) {
    ObjectNode object = NODES.objectNode().put("apiVersion", apiVersion).put("kind", kind);
    object.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
    return object;
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
