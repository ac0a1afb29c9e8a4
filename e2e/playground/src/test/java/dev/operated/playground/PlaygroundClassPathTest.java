package dev.operated.playground;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * One HTTP client for fabric8 to find, the operator's (the JDK's): with Vert.x's on the class
 * path too, fabric8 chose one at random for every client the playground builds, and warned so
 * in the log the playground tells its user to read ({@code HttpClientUtils}, the factories of
 * equal priority).
 */
class PlaygroundClassPathTest {

  @Test
  void fabric8FindsOnlyTheOperatorsHttpClient() {
    assertThat(ServiceLoader.load(HttpClient.Factory.class).stream()
        .map(provider -> provider.type().getName()))
        .containsExactly(JdkHttpClientFactory.class.getName());
  }
}
