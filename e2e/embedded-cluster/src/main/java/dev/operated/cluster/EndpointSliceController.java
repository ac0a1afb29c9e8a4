package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-controller-manager's EndpointSlice controller (pkg/controller/endpointslice and its
 * reconciler in k8s.io/endpointslice): a Service with a selector gets EndpointSlices, named after
 * it with a random suffix, labelled {@code kubernetes.io/service-name} and
 * {@code endpointslice.kubernetes.io/managed-by}, owned by it, listing each selected pod that has
 * an IP and has not finished: its address, node and pod, and its conditions (ready: ready and not
 * terminating, or the Service publishes not-ready addresses; serving: ready; terminating: being
 * deleted). The ports are the Service's, each target port found in the pod's container ports
 * ({@code FindPort}); pods whose ports resolve differently are in slices of their own, and a
 * Service that selects no pod has one slice with neither ports nor endpoints. {@code kubectl
 * describe service} prints the ready endpoints from them; {@code kubectl get endpointslices} lists
 * them. A slice is not split at 100 endpoints.
 *
 * <p>From the same pods, its Endpoints controller's v1 Endpoints (pkg/controller/endpoint,
 * {@code syncService}; deprecated in 1.33, still written and what {@code kubectl get endpoints}
 * lists): named after the Service, with its labels, {@link EndpointSubsets}; written when they
 * differ from what is stored, made again when deleted, deleted with the Service (they have no
 * owner). A Service without a selector gets none, so the Endpoints a user writes for it stay.
 *
 * <p>Works from views kept from the store's changes ({@link PodsByLabel}, the Services by what
 * they select) and writes a slice only when what it lists changes.
 */
final class EndpointSliceController implements AutoCloseable {

  static final String MANAGED_BY = "endpointslice-controller.k8s.io";
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
  private static final Logger LOG = LoggerFactory.getLogger(EndpointSliceController.class);
  private static final ApiTarget SLICES = ApiTarget.parse(
      "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices");
  private static final ApiTarget ENDPOINTS =
      ApiTarget.parse("/api/v1/namespaces/default/endpoints");
  private static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Storage api;
  private final PodsByLabel pods;
  private final WorkQueue queue;
  private final PodSelectors selectors = new PodSelectors();
  /** "namespace/name" → the Service as stored. */
  private final Map<String, ObjectNode> services = new ConcurrentHashMap<>();
  /** "namespace/service" → slice name → what it was last written with. */
  private final Map<String, Map<String, ObjectNode>> slices = new ConcurrentHashMap<>();

  EndpointSliceController(Storage api, PodsByLabel pods) {
    this.api = api;
    this.pods = pods;
    this.queue = new WorkQueue("embedded-cluster-endpointslice-controller", this::sync,
        () -> { }, LOG);
    api.addListener(this::changed);
    queue.start();
  }

  // ---- the views, under the store's write lock: note and return ----

  private void changed(Storage.Change change) {
    ObjectNode object = change.object();
    ObjectNode before = change.previous();
    String namespace = change.target().namespace();
    String name = change.target().name();
    switch (change.target().plural()) {
      case "services" -> {
        if (!change.target().group().isEmpty()) {
          return;
        }
        String key = namespace + "/" + name;
        if (object == null) {
          services.remove(key);
          selectors.put(namespace, name, null);
          slices.remove(key); // the garbage collector deletes what the Service owned
          queue.enqueue(namespace, name); // but not its Endpoints, which it does not own
          return;
        }
        services.put(key, object);
        JsonNode selector = object.path("spec").path("selector");
        selectors.put(namespace, name, selector.isObject() && !selector.isEmpty()
            ? NODES.objectNode().set("matchLabels", selector) : null);
        if (before == null || !before.path("spec").equals(object.path("spec"))
            || !before.path("metadata").path("labels").equals(object.path("metadata")
                .path("labels"))) {
          queue.enqueue(namespace, name);
        }
      }
      case "pods" -> {
        if (!change.target().group().isEmpty()
            || before != null && object != null && Objects.equals(endpointFacts(before),
                endpointFacts(object))) {
          return;
        }
        for (ObjectNode pod : new ObjectNode[] {before, object}) {
          if (pod != null) {
            selectors.selecting(namespace, pod.path("metadata").path("labels"))
                .forEach(service -> queue.enqueue(namespace, service));
          }
        }
      }
      case "endpointslices" -> {
        JsonNode gone = object == null ? before : null;
        if (gone != null && MANAGED_BY.equals(gone.path("metadata").path("labels")
            .path(MANAGED_BY_LABEL).asText())) {
          String service = gone.path("metadata").path("labels").path(SERVICE_NAME_LABEL)
              .asText();
          Map<String, ObjectNode> owned = slices.get(namespace + "/" + service);
          if (owned != null && owned.remove(name) != null) {
            queue.enqueue(namespace, service); // deleted by someone else: made again
          }
        }
      }
      case "endpoints" -> {
        if (object == null && change.target().group().isEmpty()
            && services.containsKey(namespace + "/" + name)
            && selectors.get(namespace, name) != null) {
          queue.enqueue(namespace, name); // onEndpointsDelete: made again
        }
      }
      default -> { }
    }
  }

  /** What of a pod its endpoint shows: a change to anything else writes no slice. */
  private static List<Object> endpointFacts(JsonNode pod) {
    return List.of(pod.path("metadata").path("labels"), pod.path("status").path("podIP"),
        pod.path("status").path("phase"), ReplicaSetController.ready(pod),
        pod.path("metadata").has("deletionTimestamp"), pod.path("spec").path("nodeName"));
  }

  // ---- the sync, on the controller's own thread ----

  private void sync(String namespace, String name) {
    String key = namespace + "/" + name;
    ObjectNode service = services.get(key);
    JsonNode selector = selectors.get(namespace, name);
    if (service == null) {
      api.deleteInternal(ENDPOINTS.withNamespace(namespace).withName(name), NODES.objectNode());
      return;
    }
    if (selector == null) {
      return;
    }
    Map<JsonNode, ArrayNode> byPorts = new LinkedHashMap<>();
    List<ObjectNode> selected = new ArrayList<>(pods.selected(namespace, selector));
    selected.sort(Comparator.comparing(pod -> pod.path("metadata").path("name").asText()));
    for (ObjectNode pod : selected) {
      if (pod.path("status").path("podIP").asText("").isEmpty()
          || List.of("Succeeded", "Failed").contains(pod.path("status").path("phase").asText())) {
        continue;
      }
      byPorts.computeIfAbsent(ports(service, pod), ports -> NODES.arrayNode())
          .add(endpoint(service, pod));
    }
    if (byPorts.isEmpty()) {
      byPorts.put(NullNode.instance, null); // the placeholder: no ports, no endpoints
    }
    Map<String, ObjectNode> owned = slices.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    Map<String, ObjectNode> unused = new HashMap<>(owned);
    for (Map.Entry<JsonNode, ArrayNode> group : byPorts.entrySet()) {
      ObjectNode content = content(service, group.getKey(), group.getValue());
      String reused = unused.entrySet().stream()
          .filter(slice -> slice.getValue().path("ports").equals(content.path("ports")))
          .map(Map.Entry::getKey).findFirst()
          .orElse(unused.isEmpty() ? null : unused.keySet().iterator().next());
      if (reused != null) {
        unused.remove(reused);
        if (!content.equals(owned.get(reused))) {
          if (written(namespace, reused, content)) {
            owned.put(reused, content);
          } else { // deleted meanwhile: its deletion queued this Service again
            owned.remove(reused);
          }
        }
      } else {
        owned.put(create(service, content), content);
      }
    }
    for (String leftOver : unused.keySet()) {
      owned.remove(leftOver);
      api.deleteInternal(SLICES.withNamespace(namespace).withName(leftOver),
          NODES.objectNode());
    }
    writeEndpoints(namespace, service, selected);
  }

  /**
   * The Endpoints controller's write: created, or updated when the stored subsets or labels
   * differ (a user's edit included), never rewritten unchanged.
   */
  private void writeEndpoints(String namespace, ObjectNode service, List<ObjectNode> selected) {
    String name = service.path("metadata").path("name").asText();
    ArrayNode subsets = EndpointSubsets.of(service, selected);
    ObjectNode labels = service.path("metadata").path("labels").isObject()
        ? ((ObjectNode) service.path("metadata").path("labels")).deepCopy() : NODES.objectNode();
    String clusterIp = service.path("spec").path("clusterIP").asText("");
    if (clusterIp.isEmpty() || "None".equals(clusterIp)) { // !helper.IsServiceIPSet
      labels.put(HEADLESS_LABEL, "");
    }
    ApiTarget target = ENDPOINTS.withNamespace(namespace).withName(name);
    ObjectNode current = api.get(target);
    if (current == null) {
      ObjectNode endpoints = NODES.objectNode().put("apiVersion", "v1").put("kind", "Endpoints");
      endpoints.putObject("metadata").put("name", name).set("labels", labels);
      if (!subsets.isEmpty()) {
        endpoints.set("subsets", subsets);
      }
      api.createInternal(ENDPOINTS.withNamespace(namespace), endpoints,
          DeploymentController.MANAGER);
      return;
    }
    JsonNode storedSubsets = current.path("subsets");
    JsonNode storedLabels = current.path("metadata").path("labels");
    if ((storedSubsets.isMissingNode() ? NODES.arrayNode() : storedSubsets).equals(subsets)
        && (storedLabels.isMissingNode() ? NODES.objectNode() : storedLabels).equals(labels)) {
      return;
    }
    api.updateInternal(target, stored -> {
      Storage.metadataOf(stored).set("labels", labels.deepCopy());
      if (subsets.isEmpty()) {
        stored.remove("subsets");
      } else {
        stored.set("subsets", subsets.deepCopy());
      }
      return stored;
    }, DeploymentController.MANAGER);
  }

  /** The fields of a slice this controller decides: labels, ports, endpoints. */
  private static ObjectNode content(ObjectNode service, JsonNode ports, ArrayNode endpoints) {
    ObjectNode content = NODES.objectNode();
    ObjectNode labels = content.putObject("labels");
    service.path("metadata").path("labels").fields().forEachRemaining(label ->
        labels.set(label.getKey(), label.getValue()));
    labels.put(SERVICE_NAME_LABEL, service.path("metadata").path("name").asText());
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    if ("None".equals(service.path("spec").path("clusterIP").asText())) {
      labels.put("service.kubernetes.io/headless", "");
    }
    content.set("ports", ports);
    content.set("endpoints", endpoints == null ? NullNode.instance : endpoints);
    return content;
  }

  private boolean written(String namespace, String slice, ObjectNode content) {
    return api.updateInternal(SLICES.withNamespace(namespace).withName(slice),
        stored -> { // copies: what was last written is compared with, never handed over
          Storage.metadataOf(stored).set("labels", content.get("labels").deepCopy());
          stored.set("ports", content.get("ports").deepCopy());
          stored.set("endpoints", content.get("endpoints").deepCopy());
          return stored;
        }, DeploymentController.MANAGER) != null;
  }

  private String create(ObjectNode service, ObjectNode content) {
    JsonNode metadata = service.path("metadata");
    ObjectNode slice = NODES.objectNode();
    slice.put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice");
    ObjectNode sliceMetadata = slice.putObject("metadata");
    sliceMetadata.put("generateName", metadata.path("name").asText() + "-");
    sliceMetadata.set("labels", content.get("labels").deepCopy());
    sliceMetadata.putArray("ownerReferences").addObject().put("apiVersion", "v1")
        .put("kind", "Service").put("name", metadata.path("name").asText())
        .put("uid", metadata.path("uid").asText()).put("controller", true)
        .put("blockOwnerDeletion", true);
    slice.put("addressType", "IPv4");
    slice.set("endpoints", content.get("endpoints").deepCopy());
    slice.set("ports", content.get("ports").deepCopy());
    ObjectNode created = api.createInternal(SLICES.withNamespace(metadata.path("namespace")
        .asText()), slice, DeploymentController.MANAGER);
    return created.path("metadata").path("name").asText();
  }

  /** getEndpointPorts: each Service port whose target the pod has (FindPort). */
  static JsonNode ports(JsonNode service, ObjectNode pod) {
    ArrayNode ports = NODES.arrayNode();
    for (JsonNode servicePort : service.path("spec").path("ports")) {
      JsonNode target = servicePort.path("targetPort");
      String protocol = servicePort.path("protocol").asText("TCP");
      Integer number = target.isInt() ? Integer.valueOf(target.asInt())
          : target.isTextual() ? containerPort(pod, target.asText(), protocol)
          : Integer.valueOf(servicePort.path("port").asInt());
      if (number == null) {
        continue;
      }
      ObjectNode port = ports.addObject();
      port.put("name", servicePort.path("name").asText(""));
      port.put("port", number);
      port.put("protocol", protocol);
      if (servicePort.hasNonNull("appProtocol")) {
        port.set("appProtocol", servicePort.get("appProtocol"));
      }
    }
    return ports;
  }

  private static Integer containerPort(ObjectNode pod, String name, String protocol) {
    for (JsonNode container : pod.path("spec").path("containers")) {
      for (JsonNode port : container.path("ports")) {
        if (name.equals(port.path("name").asText())
            && protocol.equals(port.path("protocol").asText("TCP"))) {
          return port.path("containerPort").asInt();
        }
      }
    }
    return null;
  }

  /** podToEndpoint. */
  private static ObjectNode endpoint(ObjectNode service, ObjectNode pod) {
    JsonNode metadata = pod.path("metadata");
    boolean terminating = metadata.hasNonNull("deletionTimestamp");
    boolean ready = ReplicaSetController.ready(pod);
    ObjectNode endpoint = NODES.objectNode();
    endpoint.putArray("addresses").add(pod.path("status").path("podIP").asText());
    endpoint.putObject("conditions")
        .put("ready", (service.path("spec").path("publishNotReadyAddresses").asBoolean()
            || ready) && !terminating)
        .put("serving", ready).put("terminating", terminating);
    placed(endpoint, pod);
    return endpoint;
  }

  /**
   * Where an endpoint is and whose it is, in a slice's endpoint and an Endpoints address alike:
   * the pod's node and a reference to the pod.
   */
  static ObjectNode placed(ObjectNode endpoint, JsonNode pod) {
    JsonNode metadata = pod.path("metadata");
    if (pod.path("spec").hasNonNull("nodeName")) {
      endpoint.set("nodeName", pod.path("spec").get("nodeName"));
    }
    endpoint.putObject("targetRef").put("kind", "Pod")
        .put("namespace", metadata.path("namespace").asText())
        .put("name", metadata.path("name").asText()).put("uid", metadata.path("uid").asText());
    return endpoint;
  }

  @Override
  public void close() throws InterruptedException {
    queue.close();
  }
}
