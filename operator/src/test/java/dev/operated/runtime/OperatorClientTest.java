package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One HTTP client, chosen: the JDK's, even on a classpath that offers two factories of the same
 * priority (as the e2e modules do, with fabric8's Vert.x client beside JOSDK's JDK client);
 * and objects read without their managedFields, which nothing in the operator reads.
 */
class OperatorClientTest {

  /** A second factory as Vert.x's would be: found by the ServiceLoader, same priority. */
  public static final class SecondFactory extends JdkHttpClientFactory {
    static final AtomicInteger USED = new AtomicInteger();

    @Override
    protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
      USED.incrementAndGet();
    }
  }

  @TempDir
  Path services;

  @Test
  void withTwoFactoriesFabric8PicksAtRandomAndTheOperatorDoesNot() throws IOException {
    Path file = services.resolve("META-INF/services/" + HttpClient.Factory.class.getName());
    Files.createDirectories(file.getParent());
    Files.writeString(file, SecondFactory.class.getName() + "\n");

    List<String> unnamed = logDuring(() -> new KubernetesClientBuilder().build());
    assertThat(unnamed).as("the classpath this test builds offers two factories")
        .anyMatch(message -> message.contains("chosen randomly"));

    SecondFactory.USED.set(0);
    List<String> operators = logDuring(() -> OperatorClient.build(WatchTransport.HTTP));
    assertThat(operators).noneMatch(message -> message.contains("chosen randomly"));
    assertThat(SecondFactory.USED).hasValue(0);
  }

  /**
   * What the operator's client and the leadership fence's client both get: HTTP/1.1 only (on one
   * HTTP/2 connection the watches would take its streams: Http2StreamLimitTest in e2e/tests) and
   * watch bodies in ASCII (NonAsciiWatchEventsTest).
   */
  @Test
  void everyHttpClientOfTheOperatorSpeaksHttp11AndHasItsWatchBodiesEscaped() {
    List<String> calls = new CopyOnWriteArrayList<>();
    HttpClient.Builder recorder = (HttpClient.Builder) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {HttpClient.Builder.class},
        (proxy, method, args) -> {
          calls.add(method.getName() + (args != null && args[0] instanceof String name
              ? " " + name : ""));
          return method.getReturnType().isInstance(proxy) ? proxy : null;
        });

    OperatorClient.configureHttp(recorder);

    assertThat(calls).containsExactlyInAnyOrder("preferHttp11",
        "addOrReplaceInterceptor " + AsciiWatchBodies.NAME);
  }

  @Test
  void watchesGoOverTheTransportTheSettingsNameAndTheRestOfTheConfigIsKept() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://10.0.0.1:6443")
        .withOauthToken("token").withNamespace("operators").withAutoConfigure(true).build();

    for (WatchTransport transport : WatchTransport.values()) {
      try (KubernetesClient client = OperatorClient.forConfig(config, transport)) {
        Config used = client.getConfiguration();
        assertThat(used.isOnlyHttpWatches()).as(transport.name())
            .isEqualTo(transport == WatchTransport.HTTP);
        assertThat(used.getMasterUrl()).isEqualTo("https://10.0.0.1:6443/");
        assertThat(used.getOauthToken()).isEqualTo("token");
        assertThat(used.getNamespace()).isEqualTo("operators");
        // what lets fabric8 read a rotated service-account token again on a 401
        assertThat(used.getAutoConfigure()).isTrue();
        assertThat(client.getKubernetesSerialization())
            .as("watch events in one pass, no managedFields").isInstanceOf(
                OperatorSerialization.class);
      }
    }
    assertThat(config.isOnlyHttpWatches()).as("the caller's config is left as it was").isFalse();
  }

  @Test
  void objectsAreReadWithoutTheirManagedFieldsAndWithEverythingElse() {
    String stored = """
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "shop", "namespace": "team", "labels": {"app": "shop"},
           "resourceVersion": "7", "someFutureField": "kept",
           "managedFields": [{"manager": "operated", "operation": "Apply",
             "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:spec": {"f:replicas": {}}}}]},
         "spec": {"replicas": 2}}
        """;
    Deployment read = OperatorSerialization.create().unmarshal(stored, Deployment.class);

    assertThat(read.getMetadata().getManagedFields()).isEmpty();
    assertThat(read.getMetadata().getAdditionalProperties())
        .doesNotContainKey("managedFields").containsEntry("someFutureField", "kept");
    assertThat(read.getMetadata().getLabels()).containsEntry("app", "shop");
    assertThat(read.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(read.getSpec().getReplicas()).isEqualTo(2);
    assertThat(new KubernetesSerialization().unmarshal(stored, Deployment.class)
        .getMetadata().getManagedFields()).as("fabric8's own serialization reads them")
        .hasSize(1);
  }

  private List<String> logDuring(Supplier<KubernetesClient> build) throws IOException {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    Thread thread = Thread.currentThread();
    ClassLoader original = thread.getContextClassLoader();
    try (URLClassLoader withSecondFactory = new URLClassLoader(
        new URL[] {services.toUri().toURL()}, getClass().getClassLoader())) {
      thread.setContextClassLoader(withSecondFactory);
      try (KubernetesClient client = build.get()) {
        assertThat(client.getHttpClient()).isInstanceOf(JdkHttpClientImpl.class);
      }
    } finally {
      thread.setContextClassLoader(original);
      root.detachAppender(logged);
    }
    return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
