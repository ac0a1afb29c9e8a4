package dev.operated.playground;

import dev.operated.playground.standin.MeshProxyStandIn;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What Istio's sidecar injector (a mutating webhook) does to a pod, as far as the drain depends on
 * it, for the local node ({@link ProcessNode#admitPodsWith}): a pod labelled
 * {@code sidecar.istio.io/inject: "true"} gets an {@code istio-proxy} container, a native sidecar
 * (first init container, {@code restartPolicy: Always}, a startup probe) when its
 * {@code sidecar.istio.io/nativeSidecar} annotation is "true", else the first app container (the
 * operator sets {@code holdApplicationUntilProxyStarts}). Its drain is the
 * {@code terminationDrainDuration} of the {@code proxy.istio.io/config} annotation (Istio's
 * default 5 s). The node has no iptables to send the pod's inbound traffic to the proxy, so the
 * app's port (the app is the default container) is taken by the proxy and the app is told to
 * listen {@link #APP_PORT_OFFSET} higher
 * ({@code PORT}, the contract's variable); its probes go straight to the app there, as Istio's
 * probe rewrite sends the kubelet's probes past Envoy to the app.
 */
public final class IstioSidecarInjection implements UnaryOperator<Pod> {

  public static final String CONTAINER = "istio-proxy";
  public static final String IMAGE = SidecarStandIns.ISTIO_PROXY_IMAGE + ":1.24.2";
  static final String INJECT_LABEL = "sidecar.istio.io/inject";
  static final String NATIVE_ANNOTATION = "sidecar.istio.io/nativeSidecar";
  static final String PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config";
  /** Names the app among the containers (the operator sets it; kubectl reads it). */
  static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";
  static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);
  /** Where the app listens behind the proxy: its container port plus this. */
  public static final int APP_PORT_OFFSET = 10000;

  @Override
  public Pod apply(Pod pod) {
    if (!"true".equals(pod.getMetadata().getLabels().get(INJECT_LABEL))) {
      return pod;
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    boolean nativeSidecar = "true".equals(annotations.get(NATIVE_ANNOTATION));
    Duration drain = drain(annotations.get(PROXY_CONFIG_ANNOTATION));
    Pod injected = new PodBuilder(pod).build();
    List<String> inbound = new ArrayList<>();
    List<Container> apps = new ArrayList<>();
    String serving = annotations.getOrDefault(DEFAULT_CONTAINER_ANNOTATION,
        injected.getSpec().getContainers().get(0).getName());
    for (Container app : injected.getSpec().getContainers()) {
      // only the app serves the pod's Service; a legacy collector's ports are reached on the
      // pod's loopback, which Istio does not intercept either
      apps.add(app.getName().equals(serving) ? behindTheProxy(app, inbound) : app);
    }
    Container proxy = proxy(nativeSidecar, drain, inbound);
    if (nativeSidecar) {
      List<Container> init = new ArrayList<>();
      init.add(proxy);
      init.addAll(injected.getSpec().getInitContainers());
      injected.getSpec().setInitContainers(init);
    } else {
      apps.add(0, proxy);
    }
    injected.getSpec().setContainers(apps);
    return injected;
  }

  /** The app listens on its port + offset; its httpGet probes follow it there. */
  private static Container behindTheProxy(Container app, List<String> inbound) {
    if (app.getPorts().isEmpty()) {
      return app;
    }
    if (app.getPorts().size() > 1) {
      throw new IllegalArgumentException("container " + app.getName() + " declares "
          + app.getPorts().size() + " ports; the local node's mesh stand-in moves an app to "
          + "another port through PORT, which names one");
    }
    int port = app.getPorts().get(0).getContainerPort();
    int behind = port + APP_PORT_OFFSET;
    inbound.add(port + ":" + behind);
    Container moved = new ContainerBuilder(app).build();
    List<EnvVar> env = new ArrayList<>(moved.getEnv());
    env.removeIf(variable -> "PORT".equals(variable.getName()));
    env.add(new EnvVar("PORT", Integer.toString(behind), null));
    moved.setEnv(env);
    for (Probe probe : new Probe[] {moved.getStartupProbe(), moved.getReadinessProbe(),
        moved.getLivenessProbe()}) {
      if (probe != null && probe.getHttpGet() != null && targets(probe.getHttpGet(), app,
          port)) {
        probe.getHttpGet().setPort(new IntOrString(behind));
      }
    }
    return moved;
  }

  private static boolean targets(HTTPGetAction get, Container app, int port) {
    IntOrString target = get.getPort();
    if (target.getIntVal() != null) {
      return target.getIntVal() == port;
    }
    return app.getPorts().stream().filter(p -> target.getStrVal().equals(p.getName()))
        .map(ContainerPort::getContainerPort).anyMatch(p -> p == port);
  }

  private static Container proxy(boolean nativeSidecar, Duration drain, List<String> inbound) {
    Probe ready = new ProbeBuilder().withNewHttpGet().withPath("/healthz/ready")
        .withPort(new IntOrString(MeshProxyStandIn.HEALTH_PORT)).endHttpGet()
        .withPeriodSeconds(2).withTimeoutSeconds(3).withFailureThreshold(4).build();
    ContainerBuilder proxy = new ContainerBuilder().withName(CONTAINER).withImage(IMAGE)
        .withArgs("proxy", "sidecar")
        .addNewPort().withName("http-envoy-prom").withContainerPort(15090).endPort()
        .addNewEnv().withName(MeshProxyStandIn.INBOUND_ENV)
          .withValue(inbound.stream().collect(Collectors.joining(","))).endEnv()
        .addNewEnv().withName(MeshProxyStandIn.DRAIN_ENV)
          .withValue(Long.toString(drain.toSeconds())).endEnv()
        .withReadinessProbe(ready);
    if (nativeSidecar) {
      proxy.withRestartPolicy("Always").withStartupProbe(new ProbeBuilder(ready)
          .withPeriodSeconds(1).withFailureThreshold(600).build());
    }
    return proxy.build();
  }

  /** {@code terminationDrainDuration} of proxy.istio.io/config, a Go duration such as "20s". */
  static Duration drain(String proxyConfig) {
    if (proxyConfig == null || proxyConfig.isBlank()) {
      return DEFAULT_DRAIN;
    }
    Map<?, ?> config = Serialization.unmarshal(proxyConfig, Map.class);
    Object value = config == null ? null : config.get("terminationDrainDuration");
    if (value == null) {
      return DEFAULT_DRAIN;
    }
    try {
      return Duration.parse("PT" + value.toString().trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(PROXY_CONFIG_ANNOTATION + " terminationDrainDuration is '"
          + value + "': the local node's mesh stand-in reads whole seconds and minutes, e.g. 20s",
          e);
    }
  }
}
