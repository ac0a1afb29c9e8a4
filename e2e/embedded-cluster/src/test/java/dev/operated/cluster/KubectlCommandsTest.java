package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user types in the playground, answered as a cluster answers it. kubectl's generators
 * ({@code kubectl create deployment|serviceaccount|role|...}) build typed objects and send them
 * through client-go's typed clients, in protobuf; {@code rollout history|undo} read the
 * Deployment controller's revisions.
 */
class KubectlCommandsTest {

  @TempDir
  Path temp;
  private EmbeddedCluster cluster;
  private KubernetesClient client;
  private Kubectl kubectl;

  @BeforeEach
  void start() throws Exception {
    String executable = Kubectl.onPath().orElse(null);
    assumeTrue(executable != null, "kubectl is not on the PATH");
    cluster = EmbeddedCluster.builder().start();
    client = cluster.newClient();
    kubectl = Kubectl.against(cluster, executable, temp, temp);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void kubectlCreateDeploymentStoresWhatItWasGiven() throws Exception {
    Kubectl.Result created = kubectl.run("create", "deployment", "web", "--image=nginx:1.27",
        "--replicas=0", "--port=80");

    assertThat(created.exitCode()).as(created.output()).isZero();
    Deployment web = client.apps().deployments().inNamespace("default").withName("web").get();
    assertThat(web.getSpec().getReplicas()).as("an explicit 0 is kept, not defaulted to 1")
        .isZero();
    assertThat(web.getSpec().getSelector().getMatchLabels()).containsEntry("app", "web");
    Container container = web.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("nginx:1.27");
    assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(80);
    assertThat(web.getMetadata().getCreationTimestamp()).isNotBlank();
  }

  @Test
  void kubectlCreatesAnAccountAndWhatItMayDo() throws Exception {
    for (String[] command : new String[][] {
        {"create", "serviceaccount", "robot"},
        {"create", "role", "reader", "--verb=get,list", "--resource=pods"},
        {"create", "rolebinding", "robot-reads", "--role=reader",
            "--serviceaccount=default:robot"},
        {"create", "clusterrole", "watcher", "--verb=watch", "--resource=deployments.apps"},
        {"create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=1"},
        {"create", "service", "clusterip", "web", "--tcp=80:8080"}}) {
      Kubectl.Result created = kubectl.run(command);
      assertThat(created.exitCode()).as(String.join(" ", command) + ": " + created.output())
          .isZero();
    }

    assertThat(client.serviceAccounts().inNamespace("default").withName("robot").get())
        .isNotNull();
    assertThat(client.rbac().roles().inNamespace("default").withName("reader").get().getRules()
        .get(0).getVerbs()).containsExactly("get", "list");
    var binding = client.rbac().roleBindings().inNamespace("default").withName("robot-reads")
        .get();
    assertThat(binding.getRoleRef().getName()).isEqualTo("reader");
    assertThat(binding.getSubjects().get(0).getName()).isEqualTo("robot");
    assertThat(client.rbac().clusterRoles().withName("watcher").get().getRules().get(0)
        .getApiGroups()).containsExactly("apps");
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace("default").withName("web")
        .get().getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
    var port = client.services().inNamespace("default").withName("web").get().getSpec()
        .getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(80);
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString(8080));
  }

  @Test
  void aKindTheClusterDoesNotServeIsNotFoundRatherThanCreated() throws Exception {
    Kubectl.Result job = kubectl.run("create", "job", "once", "--image=busybox");

    assertThat(job.exitCode()).as(job.output()).isNotZero();
    assertThat(job.output()).contains("the server could not find the requested resource");
  }

  @Test
  void kubectlRollsADeploymentBackToItsPreviousRevision() throws Exception {
    assertThat(kubectl.run("create", "deployment", "web", "--image=web:1").exitCode()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(revision("web")));
    assertThat(kubectl.run("set", "image", "deployment/web", "web=web:2").exitCode()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> "2".equals(revision("web")));

    Kubectl.Result history = kubectl.run("rollout", "history", "deployment/web");
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.output()).containsPattern("(?m)^1 ").containsPattern("(?m)^2 ");

    Kubectl.Result undo = kubectl.run("rollout", "undo", "deployment/web");
    assertThat(undo.exitCode()).as(undo.output()).isZero();
    assertThat(undo.output()).contains("rolled back");
    await().atMost(Duration.ofSeconds(20)).until(() -> "3".equals(revision("web")));
    assertThat(client.apps().deployments().inNamespace("default").withName("web").get()
        .getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("web:1");
    var replicaSets = client.apps().replicaSets().inNamespace("default").withLabel("app", "web")
        .list().getItems();
    assertThat(replicaSets).as("the first template's ReplicaSet is taken again").hasSize(2);
    assertThat(replicaSets).filteredOn(rs -> "web:1".equals(rs.getSpec().getTemplate().getSpec()
        .getContainers().get(0).getImage())).singleElement()
        .satisfies(first -> assertThat(first.getMetadata().getAnnotations())
            .containsEntry(DeploymentController.REVISION, "3")
            .containsEntry(DeploymentController.REVISION_HISTORY, "1")
            .containsEntry("deployment.kubernetes.io/desired-replicas", "1")
            .containsEntry("deployment.kubernetes.io/max-replicas", "2"));
  }

  private String revision(String deployment) {
    var annotations = client.apps().deployments().inNamespace("default").withName(deployment)
        .get().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(DeploymentController.REVISION);
  }

  /** The node the pods are bound to is a Node, as the one a kubelet registers. */
  @Test
  void kubectlGetNodesShowsTheNodeThePodsRunOnReady() throws Exception {
    Kubectl.Result nodes = kubectl.run("get", "nodes", "-o", "wide");

    assertThat(nodes.exitCode()).as(nodes.output()).isZero();
    Kubectl.Result described = kubectl.run("describe", "node", Kubelet.NODE_NAME);
    assertThat(described.output()).as("its heartbeat Lease").contains("HolderIdentity:  "
        + Kubelet.NODE_NAME).doesNotContain("Failed to get lease");
    assertThat(nodes.output()).containsPattern(
        "(?m)^" + Kubelet.NODE_NAME + " +Ready +<none> +\\S+ +v" + cluster.kubernetesVersion()
            + "\\S* +127\\.0\\.0\\.1 ");
  }

  /**
   * {@code kubectl delete namespace} marks the namespace Terminating, and a create in it is then
   * refused in the admission plugin's words; the namespace controller deletes what is in it and
   * finalizes it ({@code kubectl wait --for=delete}); made again, it is empty.
   */
  @Test
  void kubectlDeletesANamespaceWithEverythingInIt() throws Exception {
    assertThat(kubectl.run("create", "namespace", "shop").exitCode()).isZero();
    assertThat(kubectl.run("create", "deployment", "web", "--image=nginx:1.27", "-n", "shop")
        .exitCode()).isZero();
    assertThat(kubectl.run("create", "configmap", "settings", "--from-literal=a=1", "-n", "shop")
        .exitCode()).isZero();
    Kubectl.Result late;
    try (EmbeddedCluster.Pause paused = cluster.pause(Controller.NAMESPACE)) {
      assertThat(kubectl.run("delete", "namespace", "shop", "--wait=false").exitCode()).isZero();
      Kubectl.Result terminating = kubectl.run("get", "namespace", "shop");
      assertThat(terminating.output()).containsPattern("(?m)^shop +Terminating ");
      late = kubectl.run("create", "configmap", "late", "--from-literal=a=1", "-n", "shop");
    }

    Kubectl.Result deleted = kubectl.run("wait", "--for=delete", "namespace/shop",
        "--timeout=30s");
    Kubectl.Result gone = kubectl.run("get", "namespace", "shop");

    assertThat(late.exitCode()).isNotZero();
    assertThat(late.output()).contains("configmaps \"late\" is forbidden: unable to create new "
        + "content in namespace shop because it is being terminated");
    assertThat(deleted.exitCode()).as(deleted.output()).isZero();
    assertThat(gone.output()).contains("namespaces \"shop\" not found");
    assertThat(kubectl.run("create", "namespace", "shop").exitCode()).isZero();
    Kubectl.Result empty = kubectl.run("get", "deployments,pods,configmaps", "-n", "shop");
    assertThat(empty.exitCode()).as(empty.output()).isZero();
    assertThat(empty.output()).contains("No resources found in shop namespace.");
  }

  /** kube-apiserver's Status for a missing object names it; kubectl prints that. */
  @Test
  void aMissingObjectIsNotFoundByName() throws Exception {
    Kubectl.Result missing = kubectl.run("get", "deployment", "nope");

    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.output()).contains("deployments.apps \"nope\" not found");
  }

  /** The "all" category of the kinds whose REST storage names it (kubectl get all). */
  @Test
  void kubectlGetAllListsTheWorkloadKinds() throws Exception {
    assertThat(kubectl.run("create", "deployment", "web", "--image=nginx:1.27").exitCode())
        .isZero();

    Kubectl.Result all = kubectl.run("get", "all");

    assertThat(all.exitCode()).as(all.output()).isZero();
    assertThat(all.output()).contains("deployment.apps/web");
  }

  /**
   * A Service's cluster IP, allocated as alloc.go's allocClusterIPs does, in get and describe; and
   * the allocator's refusal of an address outside the range, word for word.
   */
  @Test
  void kubectlShowsTheServicesClusterIpAndItsRefusals() throws Exception {
    assertThat(kubectl.run("create", "service", "clusterip", "web", "--tcp=80:8080").exitCode())
        .isZero();

    Kubectl.Result listed = kubectl.run("get", "service", "web");
    Kubectl.Result described = kubectl.run("describe", "service", "web");
    Kubectl.Result outside = kubectl.run("create", "service", "clusterip", "bad",
        "--clusterip=1.1.1.1", "--tcp=80");

    assertThat(listed.output()).as(listed.output())
        .containsPattern("web +ClusterIP +10\\.(9[6-9]|10[0-9]|11[01])\\.\\d+\\.\\d+ +<none> +80/TCP");
    assertThat(described.output()).containsPattern("IP Families: +IPv4")
        .containsPattern("Session Affinity: +None");
    assertThat(outside.exitCode()).isNotZero();
    assertThat(outside.output()).contains("Service \"bad\" is invalid: spec.clusterIPs: Invalid "
        + "value: []string{\"1.1.1.1\"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) "
        + "is not in the valid range. The range of valid IPs is 10.96.0.0/12");
  }

  /** kubectl get --raw /readyz, which answered with every object the store held. */
  @Test
  void kubectlReadsTheServersHealth() throws Exception {
    Kubectl.Result ready = kubectl.run("get", "--raw", "/readyz?verbose");

    assertThat(ready.exitCode()).as(ready.output()).isZero();
    assertThat(ready.output()).contains("[+]ping ok").contains("readyz check passed");
  }

  /**
   * The columns of printers.go's printPodDisruptionBudget, printConfigMap, printSecret,
   * printServiceAccount, printLease, printRole and printRoleBinding (wide), and
   * rest.DefaultTableConvertor's for a kind with no printer of its own (CRDs): before, each
   * printed only a name and an age.
   */
  @Test
  void kubectlGetPrintsEachKindsOwnColumns() throws Exception {
    for (String[] command : new String[][] {
        {"create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=1"},
        {"create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=2"},
        {"create", "secret", "generic", "token", "--from-literal=key=value"},
        {"create", "serviceaccount", "robot"},
        {"create", "role", "reader", "--verb=get", "--resource=pods"},
        {"create", "rolebinding", "robot-reads", "--role=reader",
            "--serviceaccount=default:robot", "--user=jane"}}) {
      Kubectl.Result created = kubectl.run(command);
      assertThat(created.exitCode()).as(String.join(" ", command) + ": " + created.output())
          .isZero();
    }

    assertThat(kubectl.run("get", "pdb", "web").output())
        .containsPattern("NAME +MIN AVAILABLE +MAX UNAVAILABLE +ALLOWED DISRUPTIONS +AGE")
        .containsPattern("web +1 +N/A +0 +\\d+s");
    assertThat(kubectl.run("get", "configmap", "settings").output())
        .containsPattern("NAME +DATA +AGE").containsPattern("settings +2 ");
    assertThat(kubectl.run("get", "secret", "token").output())
        .containsPattern("NAME +TYPE +DATA +AGE").containsPattern("token +Opaque +1 ");
    assertThat(kubectl.run("get", "serviceaccount", "robot").output())
        .containsPattern("NAME +SECRETS +AGE").containsPattern("robot +0 ");
    assertThat(kubectl.run("get", "lease", "-n", "kube-node-lease").output())
        .containsPattern("NAME +HOLDER +AGE").containsPattern("embedded-node +embedded-node ");
    assertThat(kubectl.run("get", "role", "reader").output())
        .containsPattern("NAME +CREATED AT").containsPattern("reader +20\\d\\d-\\d\\d-\\d\\dT");
    assertThat(kubectl.run("get", "rolebinding", "robot-reads", "-o", "wide").output())
        .containsPattern("NAME +ROLE +AGE +USERS +GROUPS +SERVICEACCOUNTS")
        .containsPattern("robot-reads +Role/reader +\\d+s +jane +default/robot");
  }

  /**
   * kubectl drain: cordons the node, then evicts each pod through the eviction subresource
   * (Evictions, pods/eviction in discovery); the budget lets one of the two go at a time, and
   * kubectl tries a refused one again after 5 s (drain.go). Before, discovery named no eviction
   * subresource and kubectl drain deleted the pods, past their budget.
   */
  @Test
  void kubectlDrainEvictsThroughTheBudget() throws Exception {
    assertThat(kubectl.run("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
        .exitCode()).isZero();
    assertThat(kubectl.run("create", "poddisruptionbudget", "web", "--selector=app=web",
        "--max-unavailable=1").exitCode()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var budget = client.policy().v1().podDisruptionBudget().withName("web").get();
      return budget.getStatus() != null && budget.getStatus().getDisruptionsAllowed() == 1;
    });

    Kubectl.Result drained = kubectl.run("drain", "embedded-node", "--timeout=60s");

    assertThat(drained.exitCode()).as(drained.output()).isZero();
    // whether kubectl is told 429 depends on how fast this node makes the replacement ready;
    // EvictionConformanceTest holds the refusal itself
    assertThat(drained.output()).contains("node/embedded-node cordoned")
        .containsPattern("evicting pod default/web-")
        .contains("node/embedded-node drained");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.pods()
        .withLabel("app", "web").list().getItems()).as("the replacements").hasSize(2));
    assertThat(kubectl.run("get", "nodes").output()).contains("Ready,SchedulingDisabled");
    assertThat(kubectl.run("uncordon", "embedded-node").output())
        .contains("node/embedded-node uncordoned");
  }

  /**
   * The EndpointSlice controller's slices, as kubectl lists them (printEndpointSlice) and as
   * describe service prints a Service's endpoints from them; before, "Endpoints: <none>" for a
   * Service whose pods served. And the v1 Endpoints (printEndpoints); before, "the server doesn't
   * have a resource type endpoints".
   */
  @Test
  void kubectlShowsAServicesEndpoints() throws Exception {
    assertThat(kubectl.run("create", "deployment", "web", "--image=nginx:1.27", "--port=8080")
        .exitCode()).isZero();
    assertThat(kubectl.run("create", "service", "clusterip", "web", "--tcp=80:8080").exitCode())
        .isZero();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        kubectl.run("describe", "service", "web").output())
        .containsPattern("Endpoints: +127\\.0\\.0\\.1:8080"));
    assertThat(kubectl.run("get", "endpointslices").output())
        .containsPattern("NAME +ADDRESSTYPE +PORTS +ENDPOINTS +AGE")
        .containsPattern("web-\\w{5} +IPv4 +8080 +127\\.0\\.0\\.1 ");
    // the Endpoints controller's v1 Endpoints, listed with the 1.33 server's warning (KEP-4974)
    assertThat(kubectl.run("get", "endpoints").output())
        .contains("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 "
            + "EndpointSlice")
        .containsPattern("NAME +ENDPOINTS +AGE")
        .containsPattern("web +127\\.0\\.0\\.1:8080 +\\d+s");
  }
}
