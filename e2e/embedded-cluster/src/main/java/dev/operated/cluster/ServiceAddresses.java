package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The Service REST storage's allocators (pkg/registry/core/service/storage/alloc.go) on a
 * single-stack IPv4 cluster: a Service that needs one gets a cluster IP from
 * {@value #CLUSTER_IP_RANGE} (kube-apiserver's default {@code --service-cluster-ip-range}) and,
 * when it is a NodePort or LoadBalancer, a node port from {@value #FIRST_NODE_PORT}-{@value
 * #LAST_NODE_PORT} for each port; the IP family fields are set as {@code initIPFamilyFields}
 * sets them. An update that leaves them out keeps them ({@code patchAllocatedValues}); one that
 * changes a cluster IP is refused ({@code validateUpgradeDowngradeClusterIPs}).
 *
 * <p>Runs after field management, as the allocation runs in the REST storage after the handler's
 * field manager: what is allocated belongs to no manager, so the next apply that leaves it out
 * keeps it. Nothing here routes traffic to a cluster IP: the playground's Service front does
 * that on 127.0.0.1.
 */
final class ServiceAddresses {

  static final String CLUSTER_IP_RANGE = "10.96.0.0/12";
  static final int FIRST_NODE_PORT = 30000;
  static final int LAST_NODE_PORT = 32767;
  private static final int RANGE_BASE = address("10.96.0.0");
  private static final int RANGE_SIZE = 1 << 20;
  /**
   * ipallocator's static band: the lowest addresses are left to Services that name their IP, and
   * AllocateNext takes from above them (min(max(16, size/16), 256)).
   */
  private static final int STATIC_BAND = 256;
  private static final String NONE = "None";

  /** Who holds an address or port: the Service's "namespace/name". */
  private final ConcurrentMap<Integer, String> clusterIps = new ConcurrentHashMap<>();
  private final ConcurrentMap<Integer, String> nodePorts = new ConcurrentHashMap<>();
  /** The stored Service by "namespace/name", to take back what a failed write left held. */
  private final Function<String, JsonNode> storedService;

  ServiceAddresses(Function<String, JsonNode> storedService) {
    this.storedService = storedService;
  }

  /** Fills in and checks the allocated fields of a Service about to be stored. */
  void allocate(ObjectNode service, ObjectNode current) {
    if (!(service.get("spec") instanceof ObjectNode spec)) {
      return;
    }
    if ("ExternalName".equals(spec.path("type").asText())) {
      return;
    }
    String holder = holder(service);
    JsonNode before = current == null ? null : current.path("spec");
    List<FieldError> errors = new ArrayList<>();
    keepAllocated(spec, before);
    alignClusterIpFields(spec);
    defaultIpFamilies(spec);
    String clusterIp = spec.path("clusterIP").asText("");
    boolean keptFromBefore = before != null && clusterIp.equals(before.path("clusterIP").asText());
    if (before != null && before.hasNonNull("clusterIP") && !keptFromBefore
        && !"ExternalName".equals(before.path("type").asText())) {
      errors.add(new FieldError("spec.clusterIPs[0]", FieldError.Type.INVALID,
          FieldError.goStrings(strings(spec.path("clusterIPs"))), "may not change once set"));
    } else if (!NONE.equals(clusterIp) && !keptFromBefore) {
      clusterIp = clusterIp.isEmpty() ? allocateNextIp(holder) : allocateIp(clusterIp, holder,
          spec, errors);
      if (clusterIp != null) {
        spec.put("clusterIP", clusterIp);
        spec.putArray("clusterIPs").add(clusterIp);
      }
    }
    if (errors.isEmpty() && wantsNodePorts(spec)) {
      allocateNodePorts(spec, holder, errors);
    }
    if (!errors.isEmpty()) {
      throw ApiErrors.invalid("Service", "", service.path("metadata").path("name").asText(),
          errors);
    }
  }

  /** A deleted Service's addresses and ports are free again. */
  void release(JsonNode deleted) {
    String holder = holder(deleted);
    Integer clusterIp = parse(deleted.path("spec").path("clusterIP").asText(""));
    if (clusterIp != null) {
      clusterIps.remove(clusterIp, holder);
    }
    deleted.path("spec").path("ports").findValues("nodePort")
        .forEach(nodePort -> nodePorts.remove(nodePort.asInt(), holder));
  }

  /** patchAllocatedValues: an update that leaves the allocated fields out keeps them. */
  private static void keepAllocated(ObjectNode spec, JsonNode before) {
    if (before == null || "ExternalName".equals(before.path("type").asText())) {
      return;
    }
    if (!spec.hasNonNull("clusterIP") && !spec.hasNonNull("clusterIPs")) {
      for (String field : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
        if (before.has(field) && !spec.hasNonNull(field)) {
          spec.set(field, before.get(field).deepCopy());
        }
      }
    }
    if (spec.get("ports") instanceof ArrayNode ports && before.path("ports").isArray()) {
      for (JsonNode port : ports) {
        if (port instanceof ObjectNode open && open.path("nodePort").asInt(0) == 0) {
          for (JsonNode old : before.get("ports")) {
            if (samePort(old, port) && old.path("nodePort").asInt(0) > 0) {
              open.put("nodePort", old.get("nodePort").asInt());
            }
          }
        }
      }
    }
  }

  /** The v1 conversion: clusterIP is clusterIPs[0], whichever of the two was given. */
  private static void alignClusterIpFields(ObjectNode spec) {
    String clusterIp = spec.path("clusterIP").asText("");
    JsonNode clusterIps = spec.path("clusterIPs");
    if (clusterIp.isEmpty() && clusterIps.isArray() && !clusterIps.isEmpty()) {
      spec.put("clusterIP", clusterIps.get(0).asText());
    } else if (!clusterIp.isEmpty() && (!clusterIps.isArray() || clusterIps.isEmpty())) {
      spec.putArray("clusterIPs").add(clusterIp);
    }
  }

  /** initIPFamilyFields on a single-stack IPv4 cluster. */
  private static void defaultIpFamilies(ObjectNode spec) {
    boolean headlessWithoutSelector = NONE.equals(spec.path("clusterIP").asText())
        && spec.path("selector").isEmpty();
    if (!spec.hasNonNull("ipFamilyPolicy")) {
      spec.put("ipFamilyPolicy", headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
    }
    if (!spec.path("ipFamilies").isArray() || spec.path("ipFamilies").isEmpty()) {
      ArrayNode families = spec.putArray("ipFamilies").add("IPv4");
      // headless and selectorless: the one case a single-stack cluster lists both families
      if (headlessWithoutSelector && !"SingleStack".equals(spec.path("ipFamilyPolicy").asText())) {
        families.add("IPv6");
      }
    }
  }

  private String allocateNextIp(String holder) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (true) {
      int candidate = RANGE_BASE + STATIC_BAND + random.nextInt(RANGE_SIZE - STATIC_BAND - 1);
      if (claim(clusterIps, candidate, holder, this::holdsIp)) {
        return dotted(candidate);
      }
    }
  }

  private String allocateIp(String ip, String holder, ObjectNode spec, List<FieldError> errors) {
    Integer parsed = parse(ip);
    if (parsed == null) {
      // validateServiceClusterIPsRelatedFields, before any allocation
      errors.add(new FieldError("spec.clusterIPs[0]", FieldError.Type.INVALID,
          FieldError.goStrings(strings(spec.path("clusterIPs"))), ip.contains(":")
              ? "IPv6 is not configured on this cluster"
              : "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
      return null;
    }
    String problem;
    if (parsed - RANGE_BASE <= 0 || parsed - RANGE_BASE >= RANGE_SIZE - 1) {
      problem = "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is "
          + CLUSTER_IP_RANGE;
    } else if (!claim(clusterIps, parsed, holder, this::holdsIp)) {
      problem = "provided IP is already allocated";
    } else {
      return ip;
    }
    errors.add(new FieldError("spec.clusterIPs", FieldError.Type.INVALID,
        FieldError.goStrings(strings(spec.path("clusterIPs"))),
        "failed to allocate IP " + ip + ": " + problem));
    return null;
  }

  private void allocateNodePorts(ObjectNode spec, String holder, List<FieldError> errors) {
    if (!(spec.get("ports") instanceof ArrayNode ports)) {
      return;
    }
    for (int i = 0; i < ports.size(); i++) {
      if (!(ports.get(i) instanceof ObjectNode port)) {
        continue;
      }
      int nodePort = port.path("nodePort").asInt(0);
      if (nodePort == 0) {
        port.put("nodePort", allocateNextPort(holder));
        continue;
      }
      String problem = nodePort < FIRST_NODE_PORT || nodePort > LAST_NODE_PORT
          ? "provided port is not in the valid range. The range of valid ports is "
              + FIRST_NODE_PORT + "-" + LAST_NODE_PORT
          : claim(nodePorts, nodePort, holder, this::holdsPort) ? null
              : "provided port is already allocated";
      if (problem != null) {
        errors.add(new FieldError("spec.ports[" + i + "].nodePort", FieldError.Type.INVALID,
            port.get("nodePort"), problem));
      }
    }
  }

  private int allocateNextPort(String holder) {
    for (int tries = 0; tries < 4 * (LAST_NODE_PORT - FIRST_NODE_PORT); tries++) {
      int candidate = FIRST_NODE_PORT
          + ThreadLocalRandom.current().nextInt(LAST_NODE_PORT - FIRST_NODE_PORT + 1);
      if (claim(nodePorts, candidate, holder, this::holdsPort)) {
        return candidate;
      }
    }
    throw new ApiErrors.ApiException(500, "InternalError",
        "failed to allocate a nodePort: range is full");
  }

  /**
   * Takes {@code value} for {@code holder}: free, already its own, or held by a Service that no
   * longer has it (a write that failed after its allocation, as alloc.go's transaction reverts).
   */
  private static boolean claim(ConcurrentMap<Integer, String> held, int value, String holder,
      HolderCheck stillHolds) {
    String previous = held.putIfAbsent(value, holder);
    if (previous == null || previous.equals(holder)) {
      return true;
    }
    // a hold its Service no longer has is taken over, unless another write took it first
    return !stillHolds.holds(previous, value) && held.replace(value, previous, holder);
  }

  @FunctionalInterface
  private interface HolderCheck {
    boolean holds(String holder, int value);
  }

  private boolean holdsIp(String holder, int ip) {
    JsonNode service = storedService.apply(holder);
    return service != null && dotted(ip).equals(service.path("spec").path("clusterIP").asText());
  }

  private boolean holdsPort(String holder, int port) {
    JsonNode service = storedService.apply(holder);
    return service != null && service.path("spec").path("ports").findValues("nodePort").stream()
        .anyMatch(nodePort -> nodePort.asInt() == port);
  }

  private static boolean wantsNodePorts(JsonNode spec) {
    String type = spec.path("type").asText("ClusterIP");
    return "NodePort".equals(type) || "LoadBalancer".equals(type)
        && spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
  }

  private static boolean samePort(JsonNode a, JsonNode b) {
    return a.path("port").asInt() == b.path("port").asInt()
        && Objects.equals(a.path("protocol").asText("TCP"), b.path("protocol").asText("TCP"));
  }

  private static String holder(JsonNode service) {
    JsonNode metadata = service.path("metadata");
    return metadata.path("namespace").asText() + "/" + metadata.path("name").asText();
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static Integer parse(String ip) {
    String[] octets = ip.split("\\.", -1);
    if (octets.length != 4) {
      return null;
    }
    int value = 0;
    for (String octet : octets) {
      if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
        return null;
      }
      value = value << 8 | Integer.parseInt(octet);
    }
    return value;
  }

  private static int address(String ip) {
    return Objects.requireNonNull(parse(ip));
  }

  private static String dotted(int ip) {
    return (ip >>> 24) + "." + (ip >> 16 & 0xff) + "." + (ip >> 8 & 0xff) + "." + (ip & 0xff);
  }
}
