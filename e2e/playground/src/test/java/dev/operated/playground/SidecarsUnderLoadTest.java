package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.NAME;
import static dev.operated.playground.LocalEndToEnd.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.operated.api.OperatedService;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.api.TelemetryMode;
import dev.operated.api.TelemetrySpec;
import dev.operated.desired.AppEnvironment;
import dev.operated.desired.ClusterFacts;
import dev.operated.desired.CollectorSidecar;
import dev.operated.desired.KubernetesVersion;
import dev.operated.desired.TerminationBudget;
import dev.operated.playground.ContainerEvents.Kind;
import dev.operated.playground.standin.MeshProxyStandIn;
import dev.operated.playground.standin.OtlpReceiverStandIn;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout under continuous load with what the operator adds to the pod: the collector sidecar
 * (a native sidecar from 1.29, a legacy container with its preStop sleep on 1.28) and Istio's
 * proxy, injected as Istio's webhook would. Both run as real stand-ins ({@link SidecarStandIns}):
 * the collector is an OTLP receiver the app exports its spans to, the proxy carries every request
 * the Service sends the pod. The node's kubelet starts and stops them as a kubelet does (native
 * sidecars after the app's containers exit, in reverse order: kubelet's
 * {@code newTerminationOrdering} in pkg/kubelet/kuberuntime/kuberuntime_termination_order.go and
 * {@code killContainer} in kuberuntime_container.go; legacy containers all get SIGTERM after their
 * preStop hooks) and records what it did ({@link ContainerEvents}).
 *
 * <p>Oracles, for every pod the rollout replaced: no request failed; the spans the collector
 * received equal the requests the proxy carried to the app (the app's last spans, flushed at its
 * exit, reached the collector before it stopped); the proxy outlived the app by what
 * {@link TerminationBudget} says; no container was killed at the end of the grace period.
 */
class SidecarsUnderLoadTest {

  private static final Duration PROPAGATION = RolloutUnderLoadTest.PROPAGATION;
  private static final int CLIENTS = 3;
  private static final Duration ROLLOUT_TIMEOUT = Duration.ofSeconds(150);
  private static final String ITEM_SPAN = "GET /items/{id}";
  private static final String ITEM_PATH = "/items";
  private static final String PROXY = IstioSidecarInjection.CONTAINER;
  private static final String COLLECTOR = CollectorSidecar.CONTAINER;
  private static final String APP = AppEnvironment.APP_CONTAINER;

  @TempDir
  Path logs;
  private LocalEndToEnd e2e;

  @AfterEach
  void stop() {
    if (e2e != null) {
      e2e.close();
    }
  }

  @ParameterizedTest(name = "Kubernetes {0}")
  @ValueSource(strings = {"1.33", "1.28"})
  void aRolloutUnderLoadDrainsTheAppBeforeItsCollectorAndItsProxy(String version)
      throws Exception {
    Rollout rollout = rollOutUnderLoad(version, version, new IstioSidecarInjection());
    TerminationBudget budget = rollout.budget;
    assertThat(rollout.failures).as("requests that failed during the rollout").isEmpty();

    for (Pod pod : rollout.replaced) {
      Termination t = Termination.of(rollout.events, pod);
      int spans = spans(pod);
      int carried = carried(pod);
      assertThat(carried).as("requests %s's proxy carried", pod.getMetadata().getName())
          .isPositive();
      assertThat(spans).as("spans %s's collector received, against the requests its app served",
          pod.getMetadata().getName()).isEqualTo(carried);
      assertThat(e2e.log(pod, APP)).as("the app's telemetry flush at exit")
          .doesNotContain("telemetry_flush_incomplete");
      assertThat(rollout.events.of(NS, pod.getMetadata().getName()))
          .as("no container of %s killed at the grace deadline", pod.getMetadata().getName())
          .noneMatch(e -> e.kind() == Kind.SIGKILL)
          .filteredOn(e -> e.kind() == Kind.EXITED && e.at().isAfter(t.start))
          .allSatisfy(e -> assertThat(e.detail()).as(e.container() + "'s exit code").isZero());
      assertThat(t.proxyExit).as("every container stopped within the grace period")
          .isBefore(t.start.plusSeconds(t.grace));
      assertThat(t.collectorExit).as("the collector stopped after the app")
          .isAfter(t.appExit);
      assertThat(t.proxyExit).as("the proxy stopped after the collector")
          .isAfter(t.collectorExit);
      if (budget.proxyNativeSidecar()) {
        // stopped last (KEP-753): it starts its drain once the app and the collector are gone
        // the order of the record: the two are read on two threads microseconds apart
        String name = pod.getMetadata().getName();
        assertThat(rollout.events.positionOfFirst(NS, name, COLLECTOR, Kind.SIGTERM))
            .isGreaterThan(rollout.events.positionOfLast(NS, name, APP, Kind.EXITED));
        assertThat(rollout.events.positionOfFirst(NS, name, PROXY, Kind.SIGTERM))
            .isGreaterThan(rollout.events.positionOfLast(NS, name, COLLECTOR, Kind.EXITED));
        assertThat(secondsBetween(t.appExit, t.proxyExit))
            .as("the proxy outlives the app by the budget's proxy tail")
            .isGreaterThanOrEqualTo(budget.proxyTailSeconds());
      } else {
        // SIGTERM with the app; its drain carries traffic until app and collector are done
        assertThat(secondsBetween(t.start, t.first(Kind.SIGTERM, PROXY))).isLessThan(1.0);
        assertThat(secondsBetween(t.start, t.first(Kind.SIGTERM, COLLECTOR)))
            .as("the legacy collector's preStop sleeps until the app is done")
            .isGreaterThanOrEqualTo(budget.appSeconds());
        assertThat(secondsBetween(t.start, t.proxyExit))
            .as("the proxy drains as long as the budget told it")
            .isGreaterThanOrEqualTo(budget.proxyDrainSeconds());
      }
    }
  }

  /**
   * The same rollout with the legacy collector's preStop hook taken out, as if the operator had
   * not budgeted it: the collector gets SIGTERM with the app and stops while the app still
   * serves its drain, so the spans of those requests never reach it. This is what the span oracle
   * above would catch.
   */
  @Test
  void withoutTheLegacyCollectorsPreStopTheAppsLastSpansAreLost() throws Exception {
    IstioSidecarInjection istio = new IstioSidecarInjection();
    Rollout rollout = rollOutUnderLoad("1.28", "1.28-without-collector-prestop",
        pod -> withoutPreStop(istio.apply(pod), COLLECTOR));

    assertThat(rollout.replaced).as("pods whose collector received fewer spans than their app "
        + "served requests").anySatisfy(pod -> assertThat(spans(pod)).isLessThan(carried(pod)));
  }

  /** What a rollout left for the oracles. */
  private record Rollout(TerminationBudget budget, List<Pod> replaced, List<String> failures,
      ContainerEvents events) {
  }

  /**
   * Two replicas with the collector sidecar and Istio's proxy, rolled to a new template under
   * continuous load through the Service, until every old pod has stopped; prints the numbers.
   */
  private Rollout rollOutUnderLoad(String version, String run, UnaryOperator<Pod> webhook)
      throws Exception {
    assumeThat(PodAddressing.detected()).as("the mesh stand-in moves the app to another port of "
        + "the pod's own address, which needs an address per pod (Linux)")
        .isEqualTo(PodAddressing.ADDRESS_PER_POD);
    e2e = new LocalEndToEnd(logs, version, settings -> settings
        .withAddressing(PodAddressing.ADDRESS_PER_POD)
        .withSidecarStandIns(logs.resolve("stand-ins")));
    e2e.cluster.node().admitPodsWith(webhook);
    apply(SidecarsUnderLoadTest::withCollectorAndMesh);
    e2e.awaitReady(2);
    TerminationBudget budget = TerminationBudget.of(e2e.current().getSpec(),
        new ClusterFacts(KubernetesVersion.parse(version), false, Map.of()));
    ServiceFront front = e2e.cluster.front(NS, NAME, PROPAGATION);
    await().atMost(Duration.ofSeconds(10)).until(() -> front.endpoints().size() == 2);

    List<Pod> replaced = e2e.pods();
    assertThat(replaced).as("pods with the proxy injected, running")
        .allMatch(pod -> proxyRunning(pod, budget.proxyNativeSidecar()));
    Set<String> before = replaced.stream().map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
    List<String> failures;
    try (Load load = Load.start(front.port(), CLIENTS, Duration.ofMinutes(4))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.succeeded() > 50);
      apply(resource -> withEnv(withCollectorAndMesh(resource), "GREETING", "v2"));
      // a pod is gone from the API once the node reported all its containers stopped
      await("every pod replaced and stopped").atMost(ROLLOUT_TIMEOUT)
          .pollInterval(Duration.ofMillis(250)).until(() -> {
            List<Pod> pods = e2e.pods();
            return !pods.isEmpty() && pods.stream()
                .noneMatch(pod -> before.contains(pod.getMetadata().getName()));
          });
      e2e.awaitReady(2);
      load.close();
      failures = load.failures();
      // the numbers, for docs/reliability.md (surefire keeps stdout in the report folder)
      System.out.printf("Kubernetes %s: %d requests answered, %d failed %s; budget: %s, "
              + "grace %ds, proxy drain %ds, proxy tail %ds%n", version, load.succeeded(),
          failures.size(), failures.subList(0, Math.min(3, failures.size())), budget.arithmetic(),
          budget.gracePeriodSeconds(), budget.proxyDrainSeconds(), budget.proxyTailSeconds());
    } finally {
      keep(run, replaced);
    }
    ContainerEvents events = e2e.cluster.node().events();
    for (Pod pod : replaced) {
      Termination t = Termination.of(events, pod);
      System.out.printf("  %s: %d requests carried by the proxy, %d spans received by the "
              + "collector; exits after termination began: app %.2fs, collector %.2fs, proxy "
              + "%.2fs; proxy after app %.2fs (budget: %s); grace %ds, SIGKILLs %d%n",
          pod.getMetadata().getName(), carried(pod), spans(pod), t.seconds(t.appExit),
          t.seconds(t.collectorExit), t.seconds(t.proxyExit),
          secondsBetween(t.appExit, t.proxyExit),
          budget.proxyNativeSidecar() ? "at least the proxy tail " + budget.proxyTailSeconds()
              + "s" : "until " + budget.proxyDrainSeconds() + "s after SIGTERM", t.grace,
          events.of(NS, pod.getMetadata().getName()).stream()
              .filter(e -> e.kind() == Kind.SIGKILL).count());
    }
    return new Rollout(budget, replaced, failures, events);
  }

  private int spans(Pod pod) throws IOException {
    return count(e2e.log(pod, COLLECTOR), OtlpReceiverStandIn.SPANS_NAMED, ITEM_SPAN);
  }

  private int carried(Pod pod) throws IOException {
    return count(e2e.log(pod, PROXY), MeshProxyStandIn.REQUESTS_TO, ITEM_PATH);
  }

  private static Pod withoutPreStop(Pod pod, String container) {
    pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container))
        .forEach(c -> c.setLifecycle(null));
    return pod;
  }

  /**
   * The pods' logs and the kubelet's record of the replaced pods, for a human to read after the
   * run: target/sidecars-under-load/RUN/.
   */
  private void keep(String run, List<Pod> replaced) throws IOException {
    Path folder = Path.of("target", "sidecars-under-load", run);
    Files.createDirectories(folder);
    try (var files = Files.list(logs)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        Files.copy(file, folder.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<String> lines = new ArrayList<>();
    for (Pod pod : replaced) {
      e2e.cluster.node().events().of(NS, pod.getMetadata().getName()).forEach(e -> lines.add(
          e.at() + " " + e.pod() + " " + (e.container().isEmpty() ? "-" : e.container()) + " "
              + e.kind() + (e.detail() == null ? "" : " " + e.detail())));
    }
    Files.write(folder.resolve("kubelet-events.txt"), lines);
  }

  /** What the node's kubelet recorded of one pod's termination. */
  private record Termination(Instant start, int grace, Instant appExit, Instant collectorExit,
      Instant proxyExit, ContainerEvents events, String pod) {

    static Termination of(ContainerEvents events, Pod pod) {
      String name = pod.getMetadata().getName();
      Instant start = events.first(NS, name, "", Kind.TERMINATING).orElseThrow();
      int grace = events.of(NS, name).stream().filter(e -> e.kind() == Kind.TERMINATING)
          .findFirst().orElseThrow().detail();
      return new Termination(start, grace, exit(events, name, APP), exit(events, name, COLLECTOR),
          exit(events, name, PROXY), events, name);
    }

    private static Instant exit(ContainerEvents events, String pod, String container) {
      return events.last(NS, pod, container, Kind.EXITED).orElseThrow(() -> new AssertionError(
          "the node recorded no exit of " + container + " in " + pod));
    }

    Instant first(Kind kind, String container) {
      return events.of(NS, pod).stream().filter(e -> e.container().equals(container)
              && e.kind() == kind && !e.at().isBefore(start)).map(ContainerEvents.Event::at)
          .findFirst().orElseThrow(() -> new AssertionError(kind + " never sent to " + container
              + " of " + pod));
    }

    double seconds(Instant at) {
      return secondsBetween(start, at);
    }
  }

  private static double secondsBetween(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** The count a stand-in printed for {@code key} when it stopped; fails if it never stopped. */
  private static int count(String log, String prefix, String key) {
    Matcher matcher = Pattern.compile(Pattern.quote(prefix + "\"" + key + "\": ") + "(\\d+)")
        .matcher(log);
    int count = -1;
    while (matcher.find()) {
      count = Integer.parseInt(matcher.group(1));
    }
    assertThat(count).as("the stand-in printed its count for %s when it stopped:%n%s", key, log)
        .isNotNegative();
    return count;
  }

  /** The proxy runs where Istio's injector puts it: first init container when native. */
  private static boolean proxyRunning(Pod pod, boolean nativeSidecar) {
    return (nativeSidecar ? pod.getStatus().getInitContainerStatuses()
        : pod.getStatus().getContainerStatuses()).stream()
        .anyMatch(s -> s.getName().equals(PROXY) && s.getState().getRunning() != null);
  }

  /**
   * Server-side apply, again if the API server did not answer in time: on a machine this busy
   * (several test JVMs and their pods on two cores) a request can outlast the client's timeout,
   * and applying the same object twice is the same as once.
   */
  private void apply(UnaryOperator<OperatedService> change) {
    await("the OperatedService applied").atMost(Duration.ofSeconds(60))
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(() -> e2e.applyExample(change) != null);
  }

  private static OperatedService withCollectorAndMesh(OperatedService resource) {
    OperatedServiceSpec spec = resource.getSpec().withTelemetry(new TelemetrySpec(
        TelemetryMode.SIDECAR, "http://gateway.observability:4317", null, null, null));
    resource.setSpec(new OperatedServiceSpec(spec.image(), spec.replicas(), spec.port(),
        spec.env(), spec.resources(), spec.health(), spec.metrics(), spec.telemetry(),
        spec.shutdown(), spec.mesh(), Map.of(IstioSidecarInjection.INJECT_LABEL, "true"),
        spec.podAnnotations()));
    return resource;
  }

  private static OperatedService withEnv(OperatedService resource, String name, String value) {
    resource.setSpec(resource.getSpec().withEnv(
        List.of(new EnvVarBuilder().withName(name).withValue(value).build())));
    return resource;
  }
}
