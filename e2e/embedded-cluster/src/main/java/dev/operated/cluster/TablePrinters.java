package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Server-side Table output ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}), what
 * {@code kubectl get} prints. The columns and cells of the built-in kinds are those of
 * {@code AddHandlers} and the print functions in kubernetes/kubernetes
 * {@code pkg/printers/internalversion/printers.go} (printPod, printDeployment, printReplicaSet,
 * printService, printEvent, printNamespace), rendered with every column, as the API server's
 * {@code TableConvertor} renders them ({@code GenerateOptions{Wide: true}}): kubectl hides the
 * columns of priority 1 unless {@code -o wide}. A custom resource gets its CRD's
 * {@code additionalPrinterColumns} after Name (apiextensions-apiserver {@code tableconvertor.New});
 * any other kind Name and Age.
 */
final class TablePrinters {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is "
      + "required when creating resources, although some resources may allow a client to request "
      + "the generation of an appropriate name automatically. Name is primarily intended for "
      + "creation idempotence and configuration definition. Cannot be updated. More info: "
      + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
  private static final String AGE_DESCRIPTION = "CreationTimestamp is a timestamp representing "
      + "the server time when this object was created.";

  /** A column as {@code metav1.TableColumnDefinition}. */
  record Column(String name, String type, String format, int priority, String description) {

    static Column of(String name, String type, int priority, String description) {
      return new Column(name, type, "", priority, description);
    }

    ObjectNode json() {
      ObjectNode column = NODES.objectNode();
      column.put("name", name).put("type", type).put("format", format)
          .put("description", description).put("priority", priority);
      return column;
    }
  }

  /** How a kind prints: its columns and the cells of one object at a given time. */
  record Printer(List<Column> columns, BiFunction<JsonNode, Instant, List<Object>> cells) {
  }

  private static final Column NAME = new Column("Name", "string", "name", 0, NAME_DESCRIPTION);
  private static final Column AGE = Column.of("Age", "string", 0, AGE_DESCRIPTION);

  /**
   * rest.DefaultTableConvertor, and the roles' printer: the name and when it was created, as a
   * date rather than an age.
   */
  private static final Printer CREATED_AT = new Printer(List.of(NAME,
      Column.of("Created At", "date", 0, AGE_DESCRIPTION)),
      (object, now) -> List.of(name(object),
          object.path("metadata").path("creationTimestamp").asText("")));
  /** printRoleBinding, printClusterRoleBinding: the role as Kind/name, the subjects when wide. */
  private static final Printer BINDING = new Printer(List.of(NAME,
      Column.of("Role", "string", 0, "RoleRef can reference a Role in the current namespace or "
          + "a ClusterRole in the global namespace."), AGE,
      Column.of("Users", "string", 1, "Users in the roleBinding"),
      Column.of("Groups", "string", 1, "Groups in the roleBinding"),
      Column.of("ServiceAccounts", "string", 1, "ServiceAccounts in the roleBinding")),
      TablePrinters::printBinding);

  private static final Map<String, Printer> BUILT_IN = Map.ofEntries(
      Map.entry("pods", new Printer(List.of(NAME,
          Column.of("Ready", "string", 0, "The aggregate readiness state of this pod for "
              + "accepting traffic."),
          Column.of("Status", "string", 0, "The aggregate status of the containers in this "
              + "pod."),
          Column.of("Restarts", "string", 0, "The number of times the containers in this pod "
              + "have been restarted and when the last container in this pod has restarted."),
          AGE,
          Column.of("IP", "string", 1, "podIP address allocated to the pod."),
          Column.of("Node", "string", 1, "NodeName indicates in which node this pod is "
              + "scheduled."),
          Column.of("Nominated Node", "string", 1, "nominatedNodeName is set only when this pod "
              + "preempts other pods on the node."),
          Column.of("Readiness Gates", "string", 1, "If specified, all readiness gates will be "
              + "evaluated for pod readiness.")), TablePrinters::printPod)),
      Map.entry("deployments", new Printer(List.of(NAME,
          Column.of("Ready", "string", 0, "Number of the pod with ready state"),
          Column.of("Up-to-date", "string", 0, "Total number of non-terminated pods targeted by "
              + "this deployment that have the desired template spec."),
          Column.of("Available", "string", 0, "Total number of available pods (ready for at "
              + "least minReadySeconds) targeted by this deployment."),
          AGE,
          Column.of("Containers", "string", 1, "Names of each container in the template."),
          Column.of("Images", "string", 1, "Images referenced by each container in the "
              + "template."),
          Column.of("Selector", "string", 1, "Label selector for pods.")),
          TablePrinters::printDeployment)),
      Map.entry("replicasets", new Printer(List.of(NAME,
          Column.of("Desired", "integer", 0, "Replicas is the number of desired replicas."),
          Column.of("Current", "integer", 0, "Replicas is the most recently observed number of "
              + "replicas."),
          Column.of("Ready", "integer", 0, "The number of ready replicas for this replica set."),
          AGE,
          Column.of("Containers", "string", 1, "Names of each container in the template."),
          Column.of("Images", "string", 1, "Images referenced by each container in the "
              + "template."),
          Column.of("Selector", "string", 1, "Selector is a label query over pods that should "
              + "match the replica count.")), TablePrinters::printReplicaSet)),
      Map.entry("services", new Printer(List.of(NAME,
          Column.of("Type", "string", 0, "type determines how the Service is exposed."),
          Column.of("Cluster-IP", "string", 0, "clusterIP is the IP address of the service."),
          Column.of("External-IP", "string", 0, "externalIPs is a list of IP addresses for "
              + "which nodes in the cluster will also accept traffic for this service."),
          Column.of("Port(s)", "string", 0, "The list of ports that are exposed by this "
              + "service."),
          AGE,
          Column.of("Selector", "string", 1, "Route service traffic to pods with label keys "
              + "and values matching this selector.")), TablePrinters::printService)),
      Map.entry("events", new Printer(List.of(
          Column.of("Last Seen", "string", 0, "The time at which the most recent occurrence of "
              + "this event was recorded."),
          Column.of("Type", "string", 0, "Type of this event (Normal, Warning)."),
          Column.of("Reason", "string", 0, "This should be a short, machine understandable "
              + "string that gives the reason for the transition into the object's current "
              + "status."),
          Column.of("Object", "string", 0, "The object that this event is about."),
          Column.of("Subobject", "string", 1, "If referring to a piece of an object instead of "
              + "an entire object, this string should contain a valid JSON/Go field access "
              + "statement."),
          Column.of("Source", "string", 1, "The component reporting this event."),
          Column.of("Message", "string", 0, "A human-readable description of the status of "
              + "this operation."),
          Column.of("First Seen", "string", 1, "The time at which the event was first "
              + "recorded."),
          Column.of("Count", "string", 1, "The number of times this event has occurred."),
          new Column("Name", "string", "name", 1, NAME_DESCRIPTION)),
          TablePrinters::printEvent)),
      Map.entry("nodes", new Printer(List.of(NAME,
          Column.of("Status", "string", 0, "The status of the node"),
          Column.of("Roles", "string", 0, "The roles of the node"), AGE,
          Column.of("Version", "string", 0, "Kubelet Version reported by the node."),
          Column.of("Internal-IP", "string", 1, "List of internal IPs."),
          Column.of("External-IP", "string", 1, "List of external IPs."),
          Column.of("OS-Image", "string", 1, "OS Image reported by the node from "
              + "/etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
          Column.of("Kernel-Version", "string", 1, "Kernel Version reported by the node from "
              + "'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
          Column.of("Container-Runtime", "string", 1, "Container runtime version reported by "
              + "the node through runtime remote API (e.g. containerd://1.4.2).")),
          TablePrinters::printNode)),
      Map.entry("namespaces", new Printer(List.of(NAME,
          Column.of("Status", "string", 0, "The status of the namespace"), AGE),
          (namespace, now) -> List.of(name(namespace),
              namespace.path("status").path("phase").asText("Active"), age(namespace, now)))),
      Map.entry("poddisruptionbudgets", new Printer(List.of(NAME,
          Column.of("Min Available", "string", 0, "The minimum number of pods that must be "
              + "available."),
          Column.of("Max Unavailable", "string", 0, "The maximum number of pods that may be "
              + "unavailable."),
          Column.of("Allowed Disruptions", "integer", 0, "Calculated number of pods that may be "
              + "disrupted at this time."), AGE),
          (budget, now) -> List.of(name(budget),
              budget.path("spec").path("minAvailable").asText("N/A"),
              budget.path("spec").path("maxUnavailable").asText("N/A"),
              budget.path("status").path("disruptionsAllowed").asLong(0), age(budget, now)))),
      Map.entry("horizontalpodautoscalers", new Printer(List.of(NAME,
          Column.of("Reference", "string", 0, "scaleTargetRef points to the target resource to "
              + "scale, and is used to the pods for which metrics should be collected, as well as "
              + "to actually change the replica count."),
          Column.of("Targets", "string", 0, "metrics contains the specifications for which to "
              + "use to calculate the desired replica count (the maximum replica count across "
              + "all metrics will be used)."),
          Column.of("MinPods", "string", 0, "minReplicas is the lower limit for the number of "
              + "replicas to which the autoscaler can scale down."),
          Column.of("MaxPods", "integer", 0, "maxReplicas is the upper limit for the number of "
              + "replicas to which the autoscaler can scale up."),
          Column.of("Replicas", "integer", 0, "currentReplicas is current number of replicas of "
              + "pods managed by this autoscaler, as last seen by the autoscaler."), AGE),
          TablePrinters::printHorizontalPodAutoscaler)),
      Map.entry("configmaps", new Printer(List.of(NAME,
          Column.of("Data", "string", 0, "Data contains the configuration data."), AGE),
          (configMap, now) -> List.of(name(configMap), (long) (configMap.path("data").size()
              + configMap.path("binaryData").size()), age(configMap, now)))),
      Map.entry("secrets", new Printer(List.of(NAME,
          Column.of("Type", "string", 0, "The type of the secret's data."),
          Column.of("Data", "string", 0, "The number of keys in the secret's data."), AGE),
          (secret, now) -> List.of(name(secret), secret.path("type").asText("Opaque"),
              (long) secret.path("data").size(), age(secret, now)))),
      Map.entry("serviceaccounts", new Printer(List.of(NAME,
          Column.of("Secrets", "string", 0, "Secrets is a list of the secrets in the same "
              + "namespace that pods running using this ServiceAccount are allowed to use."), AGE),
          (account, now) -> List.of(name(account), (long) account.path("secrets").size(),
              age(account, now)))),
      Map.entry("leases", new Printer(List.of(NAME,
          Column.of("Holder", "string", 0, "The holder of the lease."), AGE),
          (lease, now) -> List.of(name(lease), lease.path("spec").path("holderIdentity")
              .asText(""), age(lease, now)))),
      Map.entry("endpoints", new Printer(List.of(NAME,
          Column.of("Endpoints", "string", 0, "The set of all endpoints is the union of all "
              + "subsets."), AGE), TablePrinters::printEndpoints)),
      Map.entry("endpointslices", new Printer(List.of(NAME,
          Column.of("AddressType", "string", 0, "Type of address carried by this "
              + "EndpointSlice."),
          Column.of("Ports", "string", 0, "Ports allocated with this EndpointSlice."),
          Column.of("Endpoints", "string", 0, "Endpoints included in this EndpointSlice."),
          AGE), TablePrinters::printEndpointSlice)),
      Map.entry("roles", CREATED_AT),
      Map.entry("clusterroles", CREATED_AT),
      Map.entry("rolebindings", BINDING),
      Map.entry("clusterrolebindings", BINDING));

  private static final Printer GENERIC = new Printer(List.of(NAME, AGE),
      (object, now) -> List.of(name(object), age(object, now)));

  private final Clock clock;

  TablePrinters(Clock clock) {
    this.clock = clock;
  }

  /**
   * The Table of these objects.
   *
   * @param version       meta.k8s.io's version the client accepts: v1 or v1beta1
   * @param includeObject Object, Metadata (the default) or None, as the query parameter says
   * @param crd           the CustomResourceDefinition of a custom resource, else null
   */
  ObjectNode table(ApiTarget target, List<? extends JsonNode> objects, String resourceVersion,
      String version, String includeObject, JsonNode crd) {
    Printer printer = printerOf(target, crd);
    Instant now = clock.instant();
    ObjectNode table = NODES.objectNode();
    table.put("kind", "Table").put("apiVersion", "meta.k8s.io/" + version);
    ObjectNode metadata = table.putObject("metadata");
    if (resourceVersion != null) {
      metadata.put("resourceVersion", resourceVersion);
    }
    ArrayNode columns = table.putArray("columnDefinitions");
    printer.columns().forEach(column -> columns.add(column.json()));
    ArrayNode rows = table.putArray("rows");
    for (JsonNode object : objects) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      printer.cells().apply(object, now).forEach(cell -> cells.add(cell == null ? NODES.nullNode()
          : cell instanceof Number number ? NODES.numberNode(number.longValue())
          : cell instanceof JsonNode node ? node : NODES.textNode(cell.toString())));
      if ("pods".equals(target.plural()) && target.group().isEmpty()) {
        conditionsOfPod(object).ifPresent(conditions -> row.set("conditions", conditions));
      }
      switch (includeObject == null ? "Metadata" : includeObject) {
        case "None" -> {
        }
        case "Object" -> row.set("object", object);
        default -> row.set("object", partialMetadata(object, version));
      }
    }
    return table;
  }

  private static Printer printerOf(ApiTarget target, JsonNode crd) {
    if (crd != null) {
      return crdPrinter(crd, target.version());
    }
    // a built-in kind without a printer of its own gets rest.DefaultTableConvertor's columns
    return BUILT_IN.getOrDefault(target.plural(), CREATED_AT);
  }

  /**
   * printEndpoints' cell (FormatEndpoints): each ready address with each port of its subset as
   * host:port (an address alone in a subset without ports), the first three, then
   * "+ N more..."; empty for none.
   */
  static List<Object> printEndpoints(JsonNode endpoints, Instant now) {
    List<String> shown = new ArrayList<>();
    int count = 0;
    for (JsonNode subset : endpoints.path("subsets")) {
      List<String> addresses = new ArrayList<>();
      subset.path("addresses").forEach(address -> addresses.add(address.path("ip").asText()));
      List<String> targets = new ArrayList<>();
      if (subset.path("ports").isEmpty()) {
        targets.addAll(addresses);
      }
      subset.path("ports").forEach(port -> addresses.forEach(ip -> targets.add(
          (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port.path("port").asInt())));
      count += targets.size();
      targets.stream().limit(Math.max(0, 3 - shown.size())).forEach(shown::add);
    }
    String cell = String.join(",", shown);
    return List.of(name(endpoints), count > 3 ? cell + " + " + (count - 3) + " more..." : cell,
        age(endpoints, now));
  }

  /**
   * printEndpointSlice: the first three ports (a port's number, else its name, else "*") and
   * addresses, then "+ N more...", "<unset>" for none (formatDiscoveryPorts,
   * formatDiscoveryEndpoints, listWithMoreString).
   */
  static List<Object> printEndpointSlice(JsonNode slice, Instant now) {
    List<String> ports = new ArrayList<>();
    slice.path("ports").forEach(port -> ports.add(port.hasNonNull("port")
        ? port.get("port").asText() : port.hasNonNull("name") ? port.get("name").asText() : "*"));
    List<String> addresses = new ArrayList<>();
    slice.path("endpoints").forEach(endpoint -> endpoint.path("addresses")
        .forEach(address -> addresses.add(address.asText())));
    return List.of(name(slice), slice.path("addressType").asText(), firstThree(ports),
        firstThree(addresses), age(slice, now));
  }

  private static String firstThree(List<String> values) {
    if (values.isEmpty()) {
      return "<unset>";
    }
    String shown = String.join(",", values.subList(0, Math.min(3, values.size())));
    return values.size() > 3 ? shown + " + " + (values.size() - 3) + " more..." : shown;
  }

  /** printRoleBinding's cells: subjects by kind (rbac.SubjectsStrings: accounts as ns/name). */
  static List<Object> printBinding(JsonNode binding, Instant now) {
    List<String> users = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> accounts = new ArrayList<>();
    for (JsonNode subject : binding.path("subjects")) {
      String subjectName = subject.path("name").asText();
      switch (subject.path("kind").asText()) {
        case "User" -> users.add(subjectName);
        case "Group" -> groups.add(subjectName);
        case "ServiceAccount" -> accounts.add(subject.path("namespace").asText() + "/"
            + subjectName);
        default -> { }
      }
    }
    JsonNode role = binding.path("roleRef");
    return List.of(name(binding), role.path("kind").asText() + "/" + role.path("name").asText(),
        age(binding, now), String.join(", ", users), String.join(", ", groups),
        String.join(", ", accounts));
  }

  /** Upstream's {@code PartialObjectMetadata} row object: the metadata only. */
  private static ObjectNode partialMetadata(JsonNode object, String version) {
    ObjectNode partial = NODES.objectNode();
    partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/" + version);
    partial.set("metadata", object.path("metadata").deepCopy());
    return partial;
  }

  // ---- custom resources: apiextensions-apiserver pkg/registry/customresource/tableconvertor ----

  private static Printer crdPrinter(JsonNode crd, String version) {
    JsonNode columnsOfVersion = NODES.arrayNode();
    for (JsonNode served : crd.path("spec").path("versions")) {
      if (version.equals(served.path("name").asText())) {
        columnsOfVersion = served.path("additionalPrinterColumns");
      }
    }
    if (columnsOfVersion.isEmpty()) {
      // The CRD's default printer column when it declares none (apiextensions defaulting).
      return GENERIC;
    }
    List<Column> columns = new ArrayList<>();
    List<JsonPathColumn> paths = new ArrayList<>();
    columns.add(NAME);
    for (JsonNode column : columnsOfVersion) {
      columns.add(new Column(column.path("name").asText(), column.path("type").asText("string"),
          column.path("format").asText(""), column.path("priority").asInt(0),
          column.path("description").asText("Custom resource definition column (in JSONPath "
              + "format): " + column.path("jsonPath").asText())));
      paths.add(new JsonPathColumn(column.path("type").asText("string"),
          JsonPathColumn.parse(column.path("jsonPath").asText())));
    }
    return new Printer(List.copyOf(columns), (object, now) -> {
      List<Object> cells = new ArrayList<>();
      cells.add(name(object));
      for (JsonPathColumn path : paths) {
        cells.add(path.cell(object, now));
      }
      return cells;
    });
  }

  // ---- printPod ----

  /**
   * printPod: READY counts ready running app containers and started restartable init
   * containers (native sidecars); STATUS is the phase, overridden by the first unfinished init
   * container ("Init:N/M", "Init:CrashLoopBackOff"), then by each app container's waiting or
   * terminated reason ("ContainerCreating", "CrashLoopBackOff", "Completed", "Error"),
   * "Running" again while a container still runs after another completed, and "Terminating"
   * once deleted.
   */
  static List<Object> printPod(JsonNode pod, Instant now) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    int restarts = 0;
    int restartableInitRestarts = 0;
    int total = spec.path("containers").size();
    int ready = 0;
    Instant lastRestart = null;
    String reason = status.path("phase").asText("");
    if (!status.path("reason").asText("").isEmpty()) {
      reason = status.path("reason").asText();
    }
    Map<String, Boolean> restartableInit = new TreeMap<>();
    for (JsonNode init : spec.path("initContainers")) {
      boolean restartable = "Always".equals(init.path("restartPolicy").asText());
      restartableInit.put(init.path("name").asText(), restartable);
      if (restartable) {
        total++;
      }
    }
    boolean initializing = false;
    int index = 0;
    for (JsonNode container : status.path("initContainerStatuses")) {
      restarts += container.path("restartCount").asInt(0);
      lastRestart = later(lastRestart, container.path("lastState").path("terminated")
          .path("finishedAt").asText(null));
      boolean restartable = restartableInit.getOrDefault(container.path("name").asText(), false);
      if (restartable) {
        restartableInitRestarts += container.path("restartCount").asInt(0);
      }
      JsonNode terminated = container.path("state").path("terminated");
      JsonNode waiting = container.path("state").path("waiting");
      if (terminated.isObject() && terminated.path("exitCode").asInt(-1) == 0) {
        index++;
        continue;
      }
      if (restartable && container.path("started").asBoolean(false)) {
        if (container.path("ready").asBoolean(false)) {
          ready++;
        }
        index++;
        continue;
      }
      if (terminated.isObject()) {
        if (terminated.path("reason").asText("").isEmpty()) {
          reason = terminated.path("signal").asInt(0) != 0
              ? "Init:Signal:" + terminated.path("signal").asInt()
              : "Init:ExitCode:" + terminated.path("exitCode").asInt();
        } else {
          reason = "Init:" + terminated.path("reason").asText();
        }
      } else if (waiting.isObject() && !waiting.path("reason").asText("").isEmpty()
          && !"PodInitializing".equals(waiting.path("reason").asText())) {
        reason = "Init:" + waiting.path("reason").asText();
      } else {
        reason = "Init:" + index + "/" + spec.path("initContainers").size();
      }
      initializing = true;
      break;
    }
    if (!initializing || conditionTrue(status, "Initialized")) {
      restarts = restartableInitRestarts;
      boolean hasRunning = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode container = statuses.get(i);
        restarts += container.path("restartCount").asInt(0);
        lastRestart = later(lastRestart, container.path("lastState").path("terminated")
            .path("finishedAt").asText(null));
        JsonNode waiting = container.path("state").path("waiting");
        JsonNode terminated = container.path("state").path("terminated");
        if (waiting.isObject() && !waiting.path("reason").asText("").isEmpty()) {
          reason = waiting.path("reason").asText();
        } else if (terminated.isObject() && !terminated.path("reason").asText("").isEmpty()) {
          reason = terminated.path("reason").asText();
        } else if (terminated.isObject()) {
          reason = terminated.path("signal").asInt(0) != 0
              ? "Signal:" + terminated.path("signal").asInt()
              : "ExitCode:" + terminated.path("exitCode").asInt();
        } else if (container.path("ready").asBoolean(false)
            && container.path("state").path("running").isObject()) {
          hasRunning = true;
          ready++;
        }
      }
      if ("Completed".equals(reason) && hasRunning) {
        reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
      }
    }
    String phase = status.path("phase").asText("");
    boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
    if (pod.path("metadata").hasNonNull("deletionTimestamp")
        && "NodeLost".equals(status.path("reason").asText())) {
      reason = "Unknown";
    } else if (pod.path("metadata").hasNonNull("deletionTimestamp") && !terminal) {
      reason = "Terminating";
    }
    String restartsCell = lastRestart == null ? String.valueOf(restarts)
        : restarts + " (" + humanDuration(Duration.between(lastRestart, now)) + " ago)";
    JsonNode podIps = status.path("podIPs");
    String ip = podIps.size() > 0 ? podIps.get(0).path("ip").asText("") : "";
    int gates = spec.path("readinessGates").size();
    String readinessGates = "<none>";
    if (gates > 0) {
      int passed = 0;
      for (JsonNode gate : spec.path("readinessGates")) {
        passed += conditionTrue(status, gate.path("conditionType").asText()) ? 1 : 0;
      }
      readinessGates = passed + "/" + gates;
    }
    List<Object> cells = new ArrayList<>(List.of(name(pod), ready + "/" + total, reason,
        restartsCell, age(pod, now)));
    cells.add(ip.isEmpty() ? "<none>" : ip);
    cells.add(spec.path("nodeName").asText("").isEmpty() ? "<none>"
        : spec.path("nodeName").asText());
    String nominated = status.path("nominatedNodeName").asText("");
    cells.add(nominated.isEmpty() ? "<none>" : nominated);
    cells.add(readinessGates);
    return cells;
  }

  /** printPod's row conditions: a Succeeded or Failed pod is a completed row. */
  private static Optional<ArrayNode> conditionsOfPod(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText("");
    if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      return Optional.empty();
    }
    ArrayNode conditions = NODES.arrayNode();
    conditions.addObject().put("type", "Completed").put("status", "True").put("reason", phase)
        .put("message", "Succeeded".equals(phase) ? "The pod has completed successfully."
            : "The pod failed.");
    return Optional.of(conditions);
  }

  // ---- printDeployment, printReplicaSet, printService, printEvent ----

  /** printDeployment: READY is readyReplicas/spec.replicas. */
  static List<Object> printDeployment(JsonNode deployment, Instant now) {
    JsonNode status = deployment.path("status");
    List<Object> cells = new ArrayList<>(List.of(name(deployment),
        status.path("readyReplicas").asInt(0) + "/"
            + deployment.path("spec").path("replicas").asInt(1),
        (long) status.path("updatedReplicas").asInt(0),
        (long) status.path("availableReplicas").asInt(0), age(deployment, now)));
    addTemplateCells(deployment, cells);
    return cells;
  }

  /** printReplicaSet: DESIRED, CURRENT, READY as integers. */
  static List<Object> printReplicaSet(JsonNode replicaSet, Instant now) {
    List<Object> cells = new ArrayList<>(List.of(name(replicaSet),
        (long) replicaSet.path("spec").path("replicas").asInt(1),
        (long) replicaSet.path("status").path("replicas").asInt(0),
        (long) replicaSet.path("status").path("readyReplicas").asInt(0), age(replicaSet, now)));
    addTemplateCells(replicaSet, cells);
    return cells;
  }

  /** printHorizontalPodAutoscaler: REFERENCE is Kind/name, TARGETS formatHPAMetrics. */
  static List<Object> printHorizontalPodAutoscaler(JsonNode autoscaler, Instant now) {
    JsonNode spec = autoscaler.path("spec");
    JsonNode target = spec.path("scaleTargetRef");
    return List.of(name(autoscaler),
        target.path("kind").asText() + "/" + target.path("name").asText(),
        formatHpaMetrics(spec.path("metrics"), autoscaler.path("status").path("currentMetrics")),
        spec.hasNonNull("minReplicas") ? spec.get("minReplicas").asText() : "<unset>",
        spec.path("maxReplicas").asLong(0),
        autoscaler.path("status").path("currentReplicas").asLong(0), age(autoscaler, now));
  }

  /**
   * formatHPAMetrics: each metric as current/target, {@code <unknown>} for a current value the
   * autoscaler has not measured, the first two and how many more.
   */
  static String formatHpaMetrics(JsonNode specs, JsonNode statuses) {
    if (specs.isEmpty()) {
      return "<none>";
    }
    List<String> list = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      JsonNode spec = specs.get(i);
      String type = spec.path("type").asText();
      JsonNode status = statuses.path(i);
      list.add(switch (type) {
        case "Resource", "ContainerResource" -> {
          String field = "Resource".equals(type) ? "resource" : "containerResource";
          JsonNode source = spec.path(field);
          JsonNode current = status.path(field).path("current");
          JsonNode averageValue = source.path("target").path("averageValue");
          if (!averageValue.isMissingNode() && !averageValue.isNull()) {
            yield source.path("name").asText() + ": "
                + current.path("averageValue").asText("<unknown>") + "/" + averageValue.asText();
          }
          JsonNode utilization = source.path("target").path("averageUtilization");
          yield source.path("name").asText() + ": "
              + (current.hasNonNull("averageUtilization")
                  ? current.get("averageUtilization").asText() + "%" : "<unknown>")
              + "/" + (utilization.isMissingNode() || utilization.isNull() ? "<auto>"
                  : utilization.asText() + "%");
        }
        case "Pods" -> status.path("pods").path("current").path("averageValue")
            .asText("<unknown>") + "/" + spec.path("pods").path("target").path("averageValue")
            .asText();
        case "Object", "External" -> {
          String field = "Object".equals(type) ? "object" : "external";
          JsonNode target = spec.path(field).path("target");
          JsonNode current = status.path(field).path("current");
          yield target.hasNonNull("averageValue")
              ? current.path("averageValue").asText("<unknown>") + "/"
                  + target.get("averageValue").asText() + " (avg)"
              : current.path("value").asText("<unknown>") + "/" + target.path("value").asText();
        }
        default -> "<unknown type>";
      });
    }
    int maximum = 2;
    return list.size() > maximum
        ? String.join(", ", list.subList(0, maximum)) + " + " + (list.size() - maximum)
            + " more..."
        : String.join(", ", list);
  }

  /** layoutContainerCells and metav1.FormatLabelSelector of the wide columns. */
  private static void addTemplateCells(JsonNode workload, List<Object> cells) {
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode container : workload.path("spec").path("template").path("spec")
        .path("containers")) {
      names.add(container.path("name").asText());
      images.add(container.path("image").asText());
    }
    cells.add(String.join(",", names));
    cells.add(String.join(",", images));
    cells.add(formatLabelSelector(workload.path("spec").path("selector")));
  }

  static String formatLabelSelector(JsonNode selector) {
    if (selector.isMissingNode() || selector.isNull()) {
      return "<none>";
    }
    List<String> terms = new ArrayList<>();
    TreeMap<String, String> matchLabels = new TreeMap<>();
    selector.path("matchLabels").fields().forEachRemaining(label ->
        matchLabels.put(label.getKey(), label.getValue().asText()));
    matchLabels.forEach((key, value) -> terms.add(key + "=" + value));
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(value -> values.add(value.asText()));
      switch (expression.path("operator").asText()) {
        case "In" -> terms.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> terms.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> terms.add(key);
        case "DoesNotExist" -> terms.add("!" + key);
        default -> terms.add(key + " " + expression.path("operator").asText() + " " + values);
      }
    }
    return terms.isEmpty() ? "<none>" : String.join(",", terms);
  }

  /** printService with getServiceExternalIP and makePortString. */
  /**
   * printNode: STATUS is the Ready condition's (Ready, NotReady, Unknown), with
   * SchedulingDisabled for a cordoned node; ROLES the {@code node-role.kubernetes.io/} labels.
   */
  static List<Object> printNode(JsonNode node, Instant now) {
    JsonNode status = node.path("status");
    String ready = "Unknown";
    for (JsonNode condition : status.path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        ready = "True".equals(condition.path("status").asText()) ? "Ready" : "NotReady";
      }
    }
    if (node.path("spec").path("unschedulable").asBoolean(false)) {
      ready += ",SchedulingDisabled";
    }
    List<String> roles = new ArrayList<>();
    node.path("metadata").path("labels").fieldNames().forEachRemaining(label -> {
      if (label.startsWith("node-role.kubernetes.io/")) {
        roles.add(label.substring("node-role.kubernetes.io/".length()));
      }
    });
    List<String> internal = new ArrayList<>();
    List<String> external = new ArrayList<>();
    for (JsonNode address : status.path("addresses")) {
      if ("InternalIP".equals(address.path("type").asText())) {
        internal.add(address.path("address").asText());
      } else if ("ExternalIP".equals(address.path("type").asText())) {
        external.add(address.path("address").asText());
      }
    }
    JsonNode info = status.path("nodeInfo");
    return new ArrayList<>(List.of(name(node), ready,
        roles.isEmpty() ? "<none>" : String.join(",", roles), age(node, now),
        info.path("kubeletVersion").asText(),
        internal.isEmpty() ? "<none>" : String.join(",", internal),
        external.isEmpty() ? "<none>" : String.join(",", external),
        info.path("osImage").asText("<unknown>"), info.path("kernelVersion").asText("<unknown>"),
        info.path("containerRuntimeVersion").asText("<unknown>")));
  }

  static List<Object> printService(JsonNode service, Instant now) {
    JsonNode spec = service.path("spec");
    String type = spec.path("type").asText("ClusterIP");
    String clusterIp = spec.path("clusterIPs").size() > 0
        ? spec.path("clusterIPs").get(0).asText() : spec.path("clusterIP").asText("");
    List<String> external = new ArrayList<>();
    spec.path("externalIPs").forEach(ip -> external.add(ip.asText()));
    if ("LoadBalancer".equals(type)) {
      service.path("status").path("loadBalancer").path("ingress").forEach(ingress ->
          external.add(ingress.path("ip").asText(ingress.path("hostname").asText())));
    }
    String externalIp = "ExternalName".equals(type) ? spec.path("externalName").asText()
        : external.isEmpty() ? ("LoadBalancer".equals(type) ? "<pending>" : "<none>")
        : String.join(",", external);
    List<String> ports = new ArrayList<>();
    for (JsonNode port : spec.path("ports")) {
      String protocol = port.path("protocol").asText("TCP");
      // makePortString: a node port is shown when there is one (> 0), whatever the type
      ports.add(port.path("nodePort").asInt(0) > 0
          ? port.path("port").asInt() + ":" + port.path("nodePort").asInt() + "/" + protocol
          : port.path("port").asInt() + "/" + protocol);
    }
    List<String> selector = new ArrayList<>();
    spec.path("selector").fields().forEachRemaining(label ->
        selector.add(label.getKey() + "=" + label.getValue().asText()));
    return new ArrayList<>(List.of(name(service), type, clusterIp.isEmpty() ? "<none>"
        : clusterIp, externalIp, ports.isEmpty() ? "<none>" : String.join(",", ports),
        age(service, now), selector.isEmpty() ? "<none>"
            : String.join(",", selector.stream().sorted().toList())));
  }

  /**
   * printEvent: LAST SEEN from lastTimestamp, else eventTime, else firstTimestamp, with
   * "(xN over D)" when counted more than once; OBJECT is kind/name in lower case.
   */
  static List<Object> printEvent(JsonNode event, Instant now) {
    Instant first = instant(event.path("firstTimestamp").asText(null));
    Instant last = instant(event.path("lastTimestamp").asText(null));
    Instant eventTime = instant(event.path("eventTime").asText(null));
    if (first == null) {
      first = eventTime != null ? eventTime : instant(event.path("metadata")
          .path("creationTimestamp").asText(null));
    }
    if (last == null) {
      last = eventTime != null ? eventTime : first;
    }
    String firstSeen = first == null ? "<unknown>" : humanDuration(Duration.between(first, now));
    String lastSeen = last == null ? "<unknown>" : humanDuration(Duration.between(last, now));
    int count = event.path("count").asInt(0);
    if (count > 1 && first != null && last != null) {
      lastSeen = lastSeen + " (x" + count + " over " + firstSeen + ")";
    }
    JsonNode involved = event.path("involvedObject");
    JsonNode source = event.path("source");
    String component = source.path("component").asText(event.path("reportingComponent")
        .asText(""));
    String host = source.path("host").asText(event.path("reportingInstance").asText(""));
    String sourceCell = component.isEmpty() && host.isEmpty() ? "<none>"
        : host.isEmpty() ? component : component + ", " + host;
    return new ArrayList<>(List.of(lastSeen, event.path("type").asText(""),
        event.path("reason").asText(""), involved.path("kind").asText("").toLowerCase(
            java.util.Locale.ROOT) + "/" + involved.path("name").asText(""),
        involved.path("fieldPath").asText(""), sourceCell,
        event.path("message").asText("").trim(), firstSeen, (long) Math.max(count, 1),
        name(event)));
  }

  // ---- helpers ----

  private static String name(JsonNode object) {
    return object.path("metadata").path("name").asText();
  }

  /** translateTimestampSince of metadata.creationTimestamp. */
  private static String age(JsonNode object, Instant now) {
    Instant created = instant(object.path("metadata").path("creationTimestamp").asText(null));
    return created == null ? "<unknown>" : humanDuration(Duration.between(created, now));
  }

  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode condition : status.path("conditions")) {
      if (type.equals(condition.path("type").asText())) {
        return "True".equals(condition.path("status").asText());
      }
    }
    return false;
  }

  private static Instant later(Instant current, String timestamp) {
    Instant candidate = instant(timestamp);
    return candidate == null || (current != null && !current.isBefore(candidate)) ? current
        : candidate;
  }

  static Instant instant(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** k8s.io/apimachinery/pkg/util/duration.HumanDuration, as every AGE column prints. */
  static String humanDuration(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = duration.toMinutes();
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = duration.toHours();
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + days + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
