package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One HTTP client, chosen: the JDK's, even on a classpath that offers two factories of the same
 * priority (as the e2e modules do, with fabric8's Vert.x client beside JOSDK's JDK client).
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
    List<String> operators = logDuring(OperatorClient::build);
    assertThat(operators).noneMatch(message -> message.contains("chosen randomly"));
    assertThat(SecondFactory.USED).hasValue(0);
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
