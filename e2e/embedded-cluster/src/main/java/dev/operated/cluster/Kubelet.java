package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler and kubelet of the one node: binds every new pod to the node, hands it to the
 * {@link Node}, writes the pod status from what the node reports, and removes a gracefully
 * deleted pod once the node says its containers stopped.
 */
final class Kubelet implements AutoCloseable {

  static final String MANAGER = "kubelet";
  static final String NODE_NAME = "embedded-node";
  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);

  private final Storage api;
  private final Node node;
  private final Clock clock;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "embedded-cluster-kubelet");
    thread.setDaemon(true);
    return thread;
  });
  /** Pods handed to the node, by uid, and those whose stop was requested. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Set<String> stopping = ConcurrentHashMap.newKeySet();
  /** hook: pausing the kubelet. */
  final ControllerGate gate = new ControllerGate();

  Kubelet(Storage api, Node node, Clock clock) {
    this.api = api;
    this.node = node;
    this.clock = clock;
    api.addListener(change -> {
      if ("pods".equals(change.target().plural()) && change.object() != null) {
        ObjectNode pod = change.object();
        String uid = pod.path("metadata").path("uid").asText();
        boolean deleting = pod.path("metadata").hasNonNull("deletionTimestamp");
        if (!deleting && !running.contains(uid)) {
          running.add(uid);
          worker.execute(() -> guarded(() -> gated("start " + uid,
              () -> start(change.target(), uid))));
        } else if (deleting && stopping.add(uid)) {
          worker.execute(() -> guarded(() -> gated("stop " + uid,
              () -> stop(change.target(), pod))));
        }
      } else if ("pods".equals(change.target().plural())) {
        String uid = change.previous().path("metadata").path("uid").asText();
        running.remove(uid);
        stopping.remove(uid);
      }
    });
  }

  // hook: pause and resume (EmbeddedCluster.pause): a step met while paused runs, the latest per
  // key, on the kubelet's thread once resumed
  private void gated(String key, Runnable action) {
    gate.run(key, action, () -> worker.execute(() -> guarded(() -> gated(key, action))));
  }

  private void guarded(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("kubelet step failed", e);
    }
  }

  private void start(ApiTarget target, String uid) {
    String now = now();
    ObjectNode bound = api.updateInternal(target, pod -> {
      ((ObjectNode) pod.get("spec")).put("nodeName", NODE_NAME);
      return pod;
    }, "kube-scheduler");
    if (bound == null || !uid.equals(bound.path("metadata").path("uid").asText())) {
      return;
    }
    Pod boundPod = StoredForm.typed(bound, Pod.class);
    String podIp = node.addressOf(boundPod);
    api.updateInternal(target.withSubresource("status"), pod -> {
      ObjectNode status = pod.putObject("status");
      status.put("phase", "Pending");
      status.put("hostIP", "127.0.0.1");
      status.put("podIP", podIp);
      status.putArray("podIPs").addObject().put("ip", podIp);
      status.put("startTime", now);
      ArrayNode conditions = status.putArray("conditions");
      conditions.add(condition("PodScheduled", true, now));
      return pod;
    }, MANAGER);
    node.podAdded(boundPod, reporter(target, uid));
  }

  private void stop(ApiTarget target, ObjectNode pod) {
    String uid = pod.path("metadata").path("uid").asText();
    if (!running.contains(uid) && !pod.path("spec").hasNonNull("nodeName")) {
      finish(target, uid);
      return;
    }
    node.podDeleted(StoredForm.typed(pod, Pod.class), reporter(target, uid));
  }

  private void finish(ApiTarget target, String uid) {
    ObjectNode current = api.get(target);
    if (current == null || !uid.equals(current.path("metadata").path("uid").asText())) {
      return;
    }
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    options.put("gracePeriodSeconds", 0);
    api.deleteInternal(target, options);
  }

  private PodReporter reporter(ApiTarget target, String uid) {
    return new PodReporter() {
      @Override
      public void report(List<ContainerReport> containers) {
        gated("status " + uid, () -> writeStatus(target, uid, containers));
      }

      @Override
      public void terminated() {
        gated("finish " + uid, () -> finish(target, uid));
      }
    };
  }

  private void writeStatus(ApiTarget target, String uid, List<ContainerReport> reports) {
    String now = now();
    api.updateInternal(target.withSubresource("status"), pod -> {
      if (!uid.equals(pod.path("metadata").path("uid").asText())) {
        return pod;
      }
      ObjectNode status = pod.has("status") && pod.get("status").isObject()
          ? (ObjectNode) pod.get("status") : pod.putObject("status");
      JsonNode previous = status.deepCopy();
      ArrayNode initStatuses = JsonNodeFactory.instance.arrayNode();
      ArrayNode containerStatuses = JsonNodeFactory.instance.arrayNode();
      boolean initialized = true;
      boolean allReady = true;
      boolean anyRunning = false;
      for (ContainerReport report : reports) {
        ObjectNode containerStatus = containerStatus(report, pod, previous, now);
        if (report.init()) {
          initStatuses.add(containerStatus);
          boolean sidecarUp = report.state() == ContainerReport.State.RUNNING && report.started();
          boolean completed = report.state() == ContainerReport.State.TERMINATED
              && Integer.valueOf(0).equals(report.exitCode());
          initialized &= sidecarUp || completed;
          if (sidecarUp) {
            allReady &= report.ready();
          }
        } else {
          containerStatuses.add(containerStatus);
          allReady &= report.ready();
          anyRunning |= report.state() == ContainerReport.State.RUNNING;
        }
      }
      if (!initStatuses.isEmpty()) {
        status.set("initContainerStatuses", initStatuses);
      }
      status.set("containerStatuses", containerStatuses);
      status.put("phase", anyRunning ? "Running" : "Pending");
      ArrayNode conditions = JsonNodeFactory.instance.arrayNode();
      conditions.add(keep(previous, condition("PodScheduled", true, now)));
      conditions.add(keep(previous, condition("Initialized", initialized, now)));
      conditions.add(keep(previous, condition("ContainersReady", allReady && initialized, now)));
      conditions.add(keep(previous, condition("Ready", allReady && initialized, now)));
      status.set("conditions", conditions);
      return pod;
    }, MANAGER);
  }

  private static ObjectNode containerStatus(ContainerReport report, ObjectNode pod,
      JsonNode previous, String now) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("name", report.name());
    status.put("image", imageOf(pod, report.name()));
    status.put("imageID", "");
    status.put("ready", report.ready());
    status.put("started", report.started());
    status.put("restartCount", report.restartCount());
    ObjectNode state = status.putObject("state");
    String since = previousStartedAt(previous, report, now);
    switch (report.state()) {
      case RUNNING -> state.putObject("running").put("startedAt", since);
      case WAITING -> {
        ObjectNode waiting = state.putObject("waiting").put("reason",
            report.reason() == null ? "ContainerCreating" : report.reason());
        if (report.message() != null) {
          waiting.put("message", report.message());
        }
      }
      case TERMINATED -> {
        ObjectNode terminated = state.putObject("terminated");
        terminated.put("exitCode", report.exitCode() == null ? 0 : report.exitCode());
        terminated.put("reason", report.reason() == null ? "Completed" : report.reason());
        if (report.message() != null) {
          terminated.put("message", report.message());
        }
        terminated.put("finishedAt", now);
      }
    }
    if (report.lastTermination() != null) {
      ContainerReport.Termination last = report.lastTermination();
      ObjectNode terminated = status.putObject("lastState").putObject("terminated");
      terminated.put("exitCode", last.exitCode());
      terminated.put("reason", last.reason());
      if (last.message() != null) {
        terminated.put("message", last.message());
      }
    }
    return status;
  }

  private static String previousStartedAt(JsonNode previous, ContainerReport report,
      String now) {
    String field = report.init() ? "initContainerStatuses" : "containerStatuses";
    for (JsonNode status : previous.path(field)) {
      if (report.name().equals(status.path("name").asText())) {
        String startedAt = status.path("state").path("running").path("startedAt").asText(null);
        if (startedAt != null) {
          return startedAt;
        }
      }
    }
    return now;
  }

  private static String imageOf(ObjectNode pod, String container) {
    for (String list : List.of("containers", "initContainers")) {
      for (JsonNode candidate : pod.path("spec").path(list)) {
        if (container.equals(candidate.path("name").asText())) {
          return candidate.path("image").asText("");
        }
      }
    }
    return "";
  }

  private static ObjectNode condition(String type, boolean value, String now) {
    ObjectNode condition = JsonNodeFactory.instance.objectNode();
    condition.put("type", type);
    condition.put("status", value ? "True" : "False");
    condition.putNull("lastProbeTime");
    condition.put("lastTransitionTime", now);
    return condition;
  }

  /** A condition keeps its lastTransitionTime while its status does not change. */
  private static ObjectNode keep(JsonNode previousStatus, ObjectNode condition) {
    for (JsonNode old : previousStatus.path("conditions")) {
      if (old.path("type").asText().equals(condition.path("type").asText())
          && old.path("status").asText().equals(condition.path("status").asText())) {
        condition.set("lastTransitionTime", old.get("lastTransitionTime"));
      }
    }
    return condition;
  }

  /**
   * Registers the node as a kubelet does on start (registerWithAPIServer): a Node named as the
   * pods' {@code spec.nodeName}, Ready, with the labels, addresses and node info
   * {@code kubectl get nodes -o wide} and {@code describe node} show. Its Ready condition is the
   * node's as a whole; each pod's readiness is still what the {@link Node} reports for it.
   */
  void registerNode(String kubeletVersion) {
    String now = now();
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    object.put("apiVersion", "v1").put("kind", "Node");
    ObjectNode metadata = object.putObject("metadata").put("name", NODE_NAME);
    String arch = "amd64".equals(System.getProperty("os.arch"))
        || "x86_64".equals(System.getProperty("os.arch")) ? "amd64"
        : System.getProperty("os.arch");
    metadata.putObject("labels").put("kubernetes.io/hostname", NODE_NAME)
        .put("kubernetes.io/os", "linux").put("kubernetes.io/arch", arch);
    object.putObject("spec");
    // a create keeps no status: it is posted after, as the kubelet's first updateNodeStatus does
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
        .put("reason", "KubeletReady").put("message", "kubelet is posting ready status")
        .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", "127.0.0.1");
    addresses.addObject().put("type", "Hostname").put("address", NODE_NAME);
    String processors = Integer.toString(Runtime.getRuntime().availableProcessors());
    for (String resources : List.of("capacity", "allocatable")) {
      status.putObject(resources).put("cpu", processors).put("pods", "110");
    }
    status.putObject("nodeInfo").put("kubeletVersion", kubeletVersion)
        .put("operatingSystem", "linux").put("architecture", arch)
        .put("osImage", System.getProperty("os.name") + " (the embedded cluster's local node)")
        .put("kernelVersion", System.getProperty("os.version"))
        .put("containerRuntimeVersion", "local-process://java-" + Runtime.version().feature());
    ApiTarget nodes = new ApiTarget("", "v1", null, "nodes", null, null, Map.of());
    api.createInternal(nodes, object, MANAGER);
    api.updateInternal(nodes.withName(NODE_NAME).withSubresource("status"), node -> {
      node.set("status", status);
      return node;
    }, MANAGER);
    // the heartbeat Lease kubectl describe node reads (the kubelet's nodelease controller),
    // written once: nothing here watches it for a node that stops
    ObjectNode lease = JsonNodeFactory.instance.objectNode();
    lease.put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
    lease.putObject("metadata").put("name", NODE_NAME).put("namespace", "kube-node-lease");
    lease.putObject("spec").put("holderIdentity", NODE_NAME).put("leaseDurationSeconds", 40)
        .put("renewTime", StoredForm.MICRO_TIME.format(clock.instant()));
    api.createInternal(new ApiTarget("coordination.k8s.io", "v1", "kube-node-lease", "leases",
        null, null, Map.of()), lease, MANAGER);
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
  }

  @Override
  public void close() {
    worker.shutdownNow();
    node.close();
  }

  Map<String, Integer> runningCount() {
    return Map.of("running", running.size());
  }
}
