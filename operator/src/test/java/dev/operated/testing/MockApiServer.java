package dev.operated.testing;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1, with the operator's CRD installed: the
 * one set-up the reconciler and runtime tests share.
 *
 * <p>Where it differs from a real API server, the tests adapt (production does not): it speaks no
 * server-side apply, so in-process operators run with {@link #WITHOUT_SSA}; it answers /version
 * with nothing, so the version is served here; and a SelfSubjectRulesReview (JOSDK's check that it
 * may use the Lease) is stored rather than evaluated, so it is answered here with the Lease rule
 * the chart grants. Lease updates are real CRUD updates with resourceVersion checks.
 */
public final class MockApiServer implements AutoCloseable {

  public static final Consumer<ConfigurationServiceOverrider> WITHOUT_SSA = configuration -> configuration
      .withSSABasedCreateUpdateMatchForDependentResources(false)
      .withUseSSAToPatchPrimaryResource(false);

  public final KubernetesMockServer server;
  public final KubernetesClient client;

  public MockApiServer() {
    this("1.33");
  }

  /** @param kubernetesVersion what /version reports, "major.minor" */
  public MockApiServer(String kubernetesVersion) {
    String[] parts = kubernetesVersion.split("\\.");
    VersionInfo version = new VersionInfo.Builder().withMajor(parts[0]).withMinor(parts[1])
        .withGitVersion("v" + kubernetesVersion + ".0").build();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new Dispatcher(version), false, version);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions()
        .load(MockApiServer.class.getResourceAsStream(
            "/META-INF/fabric8/operatedservices.operated.dev-v1.yml"))
        .create();
    createNamespaces("default");
  }

  /**
   * Namespaces the tests use: CRUD mode stores objects in any namespace, but a real API server
   * refuses them in one that does not exist, and the operator reads its namespace's labels.
   */
  public void createNamespaces(String... names) {
    for (String name : names) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
          .endMetadata().build()).createOr(existing -> existing.update());
    }
  }

  /** The URL a child process's fabric8 client is given (KUBERNETES_MASTER). */
  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  /**
   * Answers the next {@code times} requests of this method whose path starts with the prefix with
   * a Status of this code, as a real API server refuses a write (a 422 names the field, a 403 the
   * missing permission); other requests go on as before.
   */
  public void refuse(String method, String pathPrefix, int times, Status answer) {
    refusals.add(new Refusal(method, pathPrefix, new AtomicInteger(times), answer));
  }

  /** How many refusals are still to be answered: 0 once every one has been met. */
  public int refusalsPending() {
    return refusals.stream().mapToInt(refusal -> Math.max(0, refusal.remaining().get())).sum();
  }

  /** Ends every refusal still running: the permission or the policy is back. */
  public void stopRefusing() {
    refusals.clear();
  }

  private record Refusal(String method, String pathPrefix, AtomicInteger remaining,
      Status answer) {
  }

  /**
   * Answers the next {@code times} requests of this method whose path starts with the prefix
   * only after {@code delay}: an API server that is slow or out of reach.
   */
  public void delay(String method, String pathPrefix, int times, Duration delay) {
    delays.add(new Delay(method, pathPrefix, new AtomicInteger(times), delay));
  }

  private record Delay(String method, String pathPrefix, AtomicInteger remaining,
      Duration delay) {
  }

  private final List<Delay> delays = new CopyOnWriteArrayList<>();

  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
  private final Map<RecordedRequest, byte[]> bodies =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** The body a recorded request carried, which the store's own reading has consumed. */
  public String bodyOf(RecordedRequest request) {
    byte[] body = bodies.get(request);
    return body == null ? "" : new String(body, StandardCharsets.UTF_8);
  }

  private final class Dispatcher extends KubernetesCrudDispatcher {
    private final String version;

    Dispatcher(VersionInfo version) {
      this.version = Serialization.asJson(version);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      // The store reads the body as a stream; keep a copy for tests that look at what was sent.
      byte[] body = request.getBody().readByteArray();
      request.getBody().write(body);
      bodies.put(request, body);
      for (Refusal refusal : refusals) {
        if (refusal.method().equals(request.getMethod())
            && request.getPath().startsWith(refusal.pathPrefix())
            && refusal.remaining().getAndDecrement() > 0) {
          return new MockResponse().setResponseCode(refusal.answer().getCode())
              .setBody(Serialization.asJson(refusal.answer()));
        }
      }
      for (Delay delay : delays) {
        if (delay.method().equals(request.getMethod())
            && request.getPath().startsWith(delay.pathPrefix())
            && delay.remaining().getAndDecrement() > 0) {
          return super.dispatch(request).setBodyDelay(delay.delay());
        }
      }
      return super.dispatch(request);
    }

    @Override
    public MockResponse handleGet(String path) {
      if ("/version".equals(path)) {
        return new MockResponse().setResponseCode(200).setBody(version);
      }
      return super.handleGet(path);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
        SelfSubjectRulesReview review = Serialization.unmarshal(request.getBody().readUtf8(),
            SelfSubjectRulesReview.class);
        review.setStatus(new SubjectRulesReviewStatusBuilder().withIncomplete(false)
            .withResourceRules(new ResourceRuleBuilder().withApiGroups("coordination.k8s.io")
                .withResources("leases").withVerbs("get", "create", "update").build())
            .build());
        return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
      }
      return super.handleCreate(request);
    }
  }

  /** Forgets the requests made so far. */
  public void clearRequestLog() throws InterruptedException {
    while (server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
      // drained
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
