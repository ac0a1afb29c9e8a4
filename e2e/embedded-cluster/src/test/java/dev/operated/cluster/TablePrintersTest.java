package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Tables kubectl prints, each case from the upstream print function it follows in
 * kubernetes/kubernetes pkg/printers/internalversion/printers.go (and its printers_test.go),
 * and for custom resources apiextensions-apiserver's tableconvertor.
 */
class TablePrintersTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final String CREATED = "2026-01-01T11:55:00Z"; // 5m before NOW
  private final TablePrinters printers = new TablePrinters(Clock.fixed(NOW, ZoneOffset.UTC));

  private static ObjectNode json(String text) {
    return (ObjectNode) Storage.parse(text.replace('\'', '"'));
  }

  private static ObjectNode pod(String status) {
    return json("{'kind':'Pod','metadata':{'name':'p','creationTimestamp':'" + CREATED + "'},"
        + "'spec':{'nodeName':'embedded-node','containers':[{'name':'app'},{'name':'side'}]},"
        + "'status':" + status + "}");
  }

  private static List<Object> cells(List<Object> row, int... indexes) {
    return java.util.Arrays.stream(indexes).mapToObj(row::get).toList();
  }

  /** printPod: NAME READY STATUS RESTARTS AGE, then IP NODE NOMINATED NODE READINESS GATES. */
  @Test
  void printPodRunningReadyContainers() {
    List<Object> row = TablePrinters.printPod(pod("{'phase':'Running','podIPs':[{'ip':"
        + "'127.0.10.1'}],'containerStatuses':["
        + "{'name':'app','ready':true,'restartCount':0,'state':{'running':{}}},"
        + "{'name':'side','ready':true,'restartCount':0,'state':{'running':{}}}]}"), NOW);
    assertThat(row).containsExactly("p", "2/2", "Running", "0", "5m", "127.0.10.1",
        "embedded-node", "<none>", "<none>");
  }

  /**
   * printEndpoints (FormatEndpoints): each ready address under each port of its subset, the
   * first three, then how many more; not-ready addresses are not shown; empty for none.
   */
  @Test
  void printEndpointsFirstThreeThenHowManyMore() {
    ObjectNode endpoints = json("{'metadata':{'name':'web','creationTimestamp':'" + CREATED
        + "'},'subsets':[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}],"
        + "'notReadyAddresses':[{'ip':'10.0.0.9'}],'ports':[{'port':80},{'port':443}]}]}");
    assertThat(TablePrinters.printEndpoints(endpoints, NOW)).containsExactly("web",
        "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...", "5m");
    ObjectNode none = json("{'metadata':{'name':'web','creationTimestamp':'" + CREATED + "'}}");
    assertThat(TablePrinters.printEndpoints(none, NOW)).containsExactly("web", "", "5m");
  }

  /** printPod: a waiting container's reason is the STATUS (ContainerCreating). */
  @Test
  void printPodWaitingReason() {
    List<Object> row = TablePrinters.printPod(pod("{'phase':'Pending','containerStatuses':["
        + "{'name':'app','ready':false,'restartCount':0,'state':{'waiting':"
        + "{'reason':'ContainerCreating'}}},"
        + "{'name':'side','ready':false,'restartCount':0,'state':{'waiting':"
        + "{'reason':'ContainerCreating'}}}]}"), NOW);
    assertThat(cells(row, 1, 2, 5)).containsExactly("0/2", "ContainerCreating", "<none>");
  }

  /** printPod: CrashLoopBackOff with "N (age ago)" restarts from lastState.terminated. */
  @Test
  void printPodCrashLoopBackOffWithLastRestart() {
    List<Object> row = TablePrinters.printPod(pod("{'phase':'Running','containerStatuses':["
        + "{'name':'app','ready':false,'restartCount':3,'state':{'waiting':"
        + "{'reason':'CrashLoopBackOff'}},'lastState':{'terminated':{'exitCode':1,"
        + "'finishedAt':'2026-01-01T11:59:30Z'}}},"
        + "{'name':'side','ready':true,'restartCount':0,'state':{'running':{}}}]}"), NOW);
    assertThat(cells(row, 1, 2, 3)).containsExactly("1/2", "CrashLoopBackOff", "3 (30s ago)");
  }

  /** printPod: Completed, and Running again while another container still runs and is Ready. */
  @Test
  void printPodCompletedUnlessAnotherContainerRuns() {
    ObjectNode completed = pod("{'phase':'Succeeded','containerStatuses':["
        + "{'name':'app','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},"
        + "{'name':'side','state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}");
    assertThat(TablePrinters.printPod(completed, NOW).get(2)).isEqualTo("Completed");
    ObjectNode oneRunning = pod("{'phase':'Running','conditions':[{'type':'Ready',"
        + "'status':'True'}],'containerStatuses':["
        + "{'name':'app','ready':true,'state':{'running':{}}},"
        + "{'name':'side','state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}");
    assertThat(TablePrinters.printPod(oneRunning, NOW).get(2)).isEqualTo("Running");
  }

  /** printPod: a deleted pod that has not finished is Terminating. */
  @Test
  void printPodTerminating() {
    ObjectNode pod = pod("{'phase':'Running','containerStatuses':[]}");
    ((ObjectNode) pod.get("metadata")).put("deletionTimestamp", "2026-01-01T11:59:00Z");
    assertThat(TablePrinters.printPod(pod, NOW).get(2)).isEqualTo("Terminating");
  }

  /** printPod: an init container not yet done shows Init:N/M; a native sidecar counts as ready. */
  @Test
  void printPodInitContainersAndNativeSidecars() {
    ObjectNode initializing = json("{'metadata':{'name':'p','creationTimestamp':'" + CREATED
        + "'},'spec':{'initContainers':[{'name':'migrate'}],'containers':[{'name':'app'}]},"
        + "'status':{'phase':'Pending','initContainerStatuses':[{'name':'migrate',"
        + "'state':{'running':{}}}]}}");
    assertThat(cells(TablePrinters.printPod(initializing, NOW), 1, 2))
        .containsExactly("0/1", "Init:0/1");
    ObjectNode sidecar = json("{'metadata':{'name':'p','creationTimestamp':'" + CREATED
        + "'},'spec':{'initContainers':[{'name':'collector','restartPolicy':'Always'}],"
        + "'containers':[{'name':'app'}]},'status':{'phase':'Running','conditions':[{'type':"
        + "'Initialized','status':'True'}],'initContainerStatuses':[{'name':'collector',"
        + "'started':true,'ready':true,'restartCount':1,'state':{'running':{}}}],"
        + "'containerStatuses':[{'name':'app','ready':true,'restartCount':0,"
        + "'state':{'running':{}}}]}}");
    assertThat(cells(TablePrinters.printPod(sidecar, NOW), 1, 2, 3))
        .containsExactly("2/2", "Running", "1");
  }

  /** printDeployment: READY ready/desired, UP-TO-DATE, AVAILABLE; wide: containers, selector. */
  @Test
  void printDeploymentColumns() {
    ObjectNode deployment = json("{'metadata':{'name':'d','creationTimestamp':'" + CREATED
        + "'},'spec':{'replicas':3,'selector':{'matchLabels':{'b':'2','a':'1'}},'template':"
        + "{'spec':{'containers':[{'name':'app','image':'x:1'}]}}},'status':{'readyReplicas':"
        + "2,'updatedReplicas':3,'availableReplicas':2}}");
    assertThat(TablePrinters.printDeployment(deployment, NOW))
        .containsExactly("d", "2/3", 3L, 2L, "5m", "app", "x:1", "a=1,b=2");
  }

  /** printReplicaSet: DESIRED CURRENT READY as integers. */
  @Test
  void printReplicaSetColumns() {
    ObjectNode replicaSet = json("{'metadata':{'name':'r','creationTimestamp':'" + CREATED
        + "'},'spec':{'replicas':2,'template':{'spec':{'containers':[{'name':'app','image':"
        + "'x:1'}]}}},'status':{'replicas':2,'readyReplicas':1}}");
    assertThat(TablePrinters.printReplicaSet(replicaSet, NOW).subList(0, 5))
        .containsExactly("r", 2L, 2L, 1L, "5m");
  }

  /** printService: TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR (makePortString). */
  @Test
  void printServiceColumns() {
    ObjectNode service = json("{'metadata':{'name':'s','creationTimestamp':'" + CREATED
        + "'},'spec':{'type':'ClusterIP','clusterIPs':['10.0.0.7'],'ports':[{'port':8080,"
        + "'protocol':'TCP'},{'port':53,'protocol':'UDP'}],'selector':{'app':'s'}}}");
    assertThat(TablePrinters.printService(service, NOW))
        .containsExactly("s", "ClusterIP", "10.0.0.7", "<none>", "8080/TCP,53/UDP", "5m",
            "app=s");
  }

  /** printNode: NAME STATUS ROLES AGE VERSION, then the wide columns. */
  @Test
  void printNodeColumns() {
    ObjectNode node = json("{'metadata':{'name':'n','creationTimestamp':'" + CREATED
        + "','labels':{'node-role.kubernetes.io/control-plane':''}},'spec':{'unschedulable':true},"
        + "'status':{'conditions':[{'type':'Ready','status':'False'}],'addresses':[{'type':"
        + "'InternalIP','address':'10.0.0.2'}],'nodeInfo':{'kubeletVersion':'v1.33.0',"
        + "'osImage':'Debian','kernelVersion':'6.1','containerRuntimeVersion':'containerd://2'}}}");
    assertThat(TablePrinters.printNode(node, NOW)).containsExactly("n",
        "NotReady,SchedulingDisabled", "control-plane", "5m", "v1.33.0", "10.0.0.2", "<none>",
        "Debian", "6.1", "containerd://2");
  }

  /**
   * makePortString prints a node port when it is above 0: an explicit {@code nodePort: 0}, which
   * a protobuf body carries for every port (Go writes its non-pointer zeros), is none.
   */
  @Test
  void printServiceShowsANodePortOnlyWhenThereIsOne() {
    ObjectNode service = json("{'metadata':{'name':'s','creationTimestamp':'" + CREATED
        + "'},'spec':{'type':'NodePort','ports':[{'port':80,'nodePort':30080,'protocol':'TCP'},"
        + "{'port':81,'nodePort':0,'protocol':'TCP'}]}}");
    assertThat(TablePrinters.printService(service, NOW).get(4)).isEqualTo("80:30080/TCP,81/TCP");
  }

  /** printEvent: LAST SEEN (xN over first), TYPE, REASON, OBJECT kind/name, MESSAGE. */
  @Test
  void printEventColumns() {
    ObjectNode event = json("{'metadata':{'name':'e.1'},'type':'Warning','reason':"
        + "'AppNotReady','message':'not ready ','count':3,'firstTimestamp':"
        + "'2026-01-01T11:50:00Z','lastTimestamp':'2026-01-01T11:59:00Z','involvedObject':"
        + "{'kind':'OperatedService','name':'sample-service'},'source':{'component':"
        + "'operated'}}");
    assertThat(TablePrinters.printEvent(event, NOW)).containsExactly("60s (x3 over 10m)",
        "Warning", "AppNotReady", "operatedservice/sample-service", "", "operated",
        "not ready", "10m", 3L, "e.1");
  }

  /** duration.HumanDuration, the AGE of every row. */
  @Test
  void humanDurationAsApimachineryPrintsIt() {
    assertThat(List.of(Duration.ofSeconds(119), Duration.ofSeconds(150), Duration.ofMinutes(10),
        Duration.ofMinutes(190), Duration.ofMinutes(7 * 60 + 5), Duration.ofHours(30),
        Duration.ofHours(50), Duration.ofDays(30)).stream()
        .map(TablePrinters::humanDuration))
        .containsExactly("119s", "2m30s", "10m", "3h10m", "7h5m", "30h", "2d2h", "30d");
  }

  /** tableconvertor: Name, then the CRD's columns; a date is an age, nothing is a null cell. */
  @Test
  void customResourceColumnsFromTheCrd() {
    JsonNode crd = json("{'spec':{'versions':[{'name':'v1alpha1','additionalPrinterColumns':["
        + "{'name':'Ready','type':'string','jsonPath':'.status.ready'},"
        + "{'name':'Reason','type':'string','jsonPath':"
        + "'.status.conditions[?(@.type==\\'Ready\\')].reason'},"
        + "{'name':'Age','type':'date','jsonPath':'.metadata.creationTimestamp'}]}]}}");
    ApiTarget target = new ApiTarget("operated.dev", "v1alpha1", "default", "operatedservices",
        null, null, Map.of());
    ObjectNode ready = json("{'metadata':{'name':'a','creationTimestamp':'" + CREATED + "'},"
        + "'status':{'ready':'2/2','conditions':[{'type':'Progressing','reason':'Done'},"
        + "{'type':'Ready','reason':'AllReplicasReady'}]}}");
    ObjectNode fresh = json("{'metadata':{'name':'b','creationTimestamp':'" + CREATED + "'}}");
    ObjectNode table = printers.table(target, List.of(ready, fresh), "7", "v1", null, crd);
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Ready", "Reason", "Age");
    assertThat(table.path("rows").get(0).path("cells").toString())
        .isEqualTo("[\"a\",\"2/2\",\"AllReplicasReady\",\"5m\"]");
    assertThat(table.path("rows").get(1).path("cells").toString())
        .isEqualTo("[\"b\",null,null,\"5m\"]");
    assertThat(table.path("rows").get(0).path("object").path("kind").asText())
        .isEqualTo("PartialObjectMetadata");
    assertThat(table.path("metadata").path("resourceVersion").asText()).isEqualTo("7");
  }

  /** includeObject=None|Object|Metadata, as the API server's transformObject honours it. */
  @Test
  void includeObjectChoosesWhatEachRowCarries() {
    ApiTarget target = new ApiTarget("", "v1", "default", "configmaps", null, null, Map.of());
    ObjectNode object = json("{'kind':'ConfigMap','metadata':{'name':'c','creationTimestamp':'"
        + CREATED + "'},'data':{'k':'v'}}");
    assertThat(printers.table(target, List.of(object), null, "v1beta1", "None", null)
        .path("rows").get(0).has("object")).isFalse();
    assertThat(printers.table(target, List.of(object), null, "v1", "Object", null)
        .path("rows").get(0).path("object").path("data").path("k").asText()).isEqualTo("v");
    ObjectNode table = printers.table(target, List.of(object), null, "v1beta1", null, null);
    assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1beta1");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .as("printConfigMap's columns").containsExactly("Name", "Data", "Age");
  }

  /**
   * printHorizontalPodAutoscaler and formatHPAMetrics (printers_test.go's HPA cases): a
   * utilization as current/target with {@code <unknown>} before a measurement, an average value
   * as a quantity, the first two metrics and how many more.
   */
  @Test
  void anAutoscalerPrintsItsTargetAndItsFirstTwoMetrics() {
    ObjectNode autoscaler = json("{'kind':'HorizontalPodAutoscaler','metadata':{'name':'web',"
        + "'creationTimestamp':'" + CREATED + "'},'spec':{'scaleTargetRef':{'apiVersion':"
        + "'apps/v1','kind':'Deployment','name':'web'},'minReplicas':2,'maxReplicas':6,"
        + "'metrics':[{'type':'Resource','resource':{'name':'cpu','target':{'type':"
        + "'Utilization','averageUtilization':80}}},{'type':'Resource','resource':{'name':"
        + "'memory','target':{'type':'AverageValue','averageValue':'512Mi'}}},{'type':'Pods',"
        + "'pods':{'metric':{'name':'rps'},'target':{'type':'AverageValue','averageValue':"
        + "'10'}}}]},'status':{'currentReplicas':3,'currentMetrics':[{'type':'Resource',"
        + "'resource':{'name':'cpu','current':{'averageUtilization':45}}}]}}");

    assertThat(TablePrinters.printHorizontalPodAutoscaler(autoscaler, NOW)).containsExactly(
        "web", "Deployment/web", "cpu: 45%/80%, memory: <unknown>/512Mi + 1 more...", "2", 6L,
        3L, "5m");

    ObjectNode unmeasured = json("{'kind':'HorizontalPodAutoscaler','metadata':{'name':'api',"
        + "'creationTimestamp':'" + CREATED + "'},'spec':{'scaleTargetRef':{'kind':"
        + "'Deployment','name':'api'},'maxReplicas':4,'metrics':[{'type':'Resource',"
        + "'resource':{'name':'cpu','target':{'type':'Utilization'}}}]}}");
    assertThat(TablePrinters.printHorizontalPodAutoscaler(unmeasured, NOW)).containsExactly(
        "api", "Deployment/api", "cpu: <unknown>/<auto>", "<unset>", 4L, 0L, "5m");
  }
}
