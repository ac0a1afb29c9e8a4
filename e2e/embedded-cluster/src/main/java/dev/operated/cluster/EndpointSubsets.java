package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code subsets} of a Service's v1 Endpoints, as kube-controller-manager's Endpoints
 * controller computes them (pkg/controller/endpoint, {@code syncService}): each selected pod that
 * {@code ShouldPodBeInEndpoints} (an IP, not finished, not being deleted unless the Service
 * publishes not-ready addresses) is an address (its IP, node and pod) under each Service port
 * whose target it has ({@code FindPort}), ready when the pod is ready or the Service publishes
 * not-ready addresses; then packed into the canonical form of {@code RepackSubsets}
 * (pkg/api/v1/endpoints): one subset per set of addresses that share the same ports, an address
 * not ready on any of a subset's ports not ready in it. Addresses are sorted by IP and pod UID as
 * there; the ports and the subsets, which Kubernetes orders by an MD5 of their Go form, are
 * sorted here by name and port, and by first address.
 */
final class EndpointSubsets {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Comparator<JsonNode> BY_IP_AND_UID = Comparator
      .comparing((JsonNode address) -> address.path("ip").asText())
      .thenComparing(address -> address.path("targetRef").path("uid").asText());

  private EndpointSubsets() {
  }

  /** The subsets for these pods of the Service; empty when none is in it. */
  static ArrayNode of(JsonNode service, List<ObjectNode> selectedPods) {
    boolean publishNotReady = service.path("spec").path("publishNotReadyAddresses").asBoolean();
    JsonNode servicePorts = service.path("spec").path("ports");
    // port → address (by IP and pod UID) → ready; not ready on a port wins (mapAddressByPort)
    Map<JsonNode, Map<String, Boolean>> readyByPort = new LinkedHashMap<>();
    Map<String, ObjectNode> addresses = new LinkedHashMap<>();
    ObjectNode portless = NODES.objectNode();
    for (ObjectNode pod : selectedPods) {
      if (!inEndpoints(pod, publishNotReady)) {
        continue;
      }
      ObjectNode address = address(pod);
      boolean ready = publishNotReady || ReplicaSetController.ready(pod);
      if (servicePorts.isEmpty()) {
        // a headless Service may have no ports: its pods' addresses alone, in one subset
        if ("None".equals(service.path("spec").path("clusterIP").asText())) {
          portless.withArray(ready ? "addresses" : "notReadyAddresses").add(address);
        }
        continue;
      }
      String key = address.path("ip").asText() + "/" + address.path("targetRef").path("uid")
          .asText();
      addresses.put(key, address);
      for (JsonNode slicePort : EndpointSliceController.ports(service, pod)) {
        ObjectNode port = ((ObjectNode) slicePort).deepCopy();
        if (port.path("name").asText().isEmpty()) {
          port.remove("name"); // EndpointPort.Name is omitempty, an EndpointSlice's is not
        }
        readyByPort.computeIfAbsent(port, p -> new TreeMap<>())
            .merge(key, ready, Boolean::logicalAnd);
      }
    }
    ArrayNode subsets = NODES.arrayNode();
    if (!portless.isEmpty()) {
      portless.fields().forEachRemaining(list -> sort((ArrayNode) list.getValue()));
      subsets.add(portless);
      return subsets;
    }
    // the addresses (with their readiness) → the ports they all offer
    Map<Map<String, Boolean>, List<JsonNode>> portsByAddresses = new LinkedHashMap<>();
    readyByPort.forEach((port, ready) ->
        portsByAddresses.computeIfAbsent(ready, r -> new ArrayList<>()).add(port));
    List<ObjectNode> packed = new ArrayList<>();
    portsByAddresses.forEach((ready, ports) -> {
      List<JsonNode> readyAddresses = new ArrayList<>();
      List<JsonNode> notReadyAddresses = new ArrayList<>();
      ready.forEach((key, isReady) -> (isReady ? readyAddresses : notReadyAddresses)
          .add(addresses.get(key)));
      readyAddresses.sort(BY_IP_AND_UID);
      notReadyAddresses.sort(BY_IP_AND_UID);
      ports.sort(Comparator.comparing((JsonNode port) -> port.path("name").asText())
          .thenComparingInt(port -> port.path("port").asInt()));
      ObjectNode subset = NODES.objectNode();
      if (!readyAddresses.isEmpty()) { // omitempty, as the Go type writes them
        subset.putArray("addresses").addAll(readyAddresses);
      }
      if (!notReadyAddresses.isEmpty()) {
        subset.putArray("notReadyAddresses").addAll(notReadyAddresses);
      }
      subset.putArray("ports").addAll(ports);
      packed.add(subset);
    });
    packed.sort(Comparator.comparing(EndpointSubsets::firstAddress, BY_IP_AND_UID));
    subsets.addAll(packed);
    return subsets;
  }

  private static void sort(ArrayNode addresses) {
    List<JsonNode> sorted = new ArrayList<>();
    addresses.forEach(sorted::add);
    sorted.sort(BY_IP_AND_UID);
    addresses.removeAll().addAll(sorted);
  }

  /** endpointslice/util's ShouldPodBeInEndpoints. */
  private static boolean inEndpoints(JsonNode pod, boolean includeTerminating) {
    String phase = pod.path("status").path("phase").asText();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase)
        && !pod.path("status").path("podIP").asText("").isEmpty()
        && (includeTerminating || !pod.path("metadata").hasNonNull("deletionTimestamp"));
  }

  /** podToEndpointAddressForService. */
  private static ObjectNode address(JsonNode pod) {
    return EndpointSliceController.placed(
        NODES.objectNode().put("ip", pod.path("status").path("podIP").asText()), pod);
  }

  private static JsonNode firstAddress(ObjectNode subset) {
    JsonNode ready = subset.path("addresses");
    return ready.isEmpty() ? subset.path("notReadyAddresses").path(0) : ready.path(0);
  }
}
