package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's own health endpoints and the answer to a path nothing serves, as
 * genericapiserver's healthz.handleRootHealth and notfoundhandler.Handler give them. Before, the
 * CRUD store answered every such path (kubectl get --raw /healthz) with a List of every object.
 */
class HealthEndpointsConformanceTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static EmbeddedCluster cluster;

  @BeforeAll
  static void start() {
    cluster = EmbeddedCluster.builder().start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void eachHealthEndpointAnswersOkInPlainText() throws Exception {
    for (String path : new String[] {"healthz", "livez", "readyz", "livez/ping"}) {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertThat(response.body()).as(path).isEqualTo("ok");
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("text/plain; charset=utf-8");
    }
  }

  /** handleRootHealth: a line per check, the excluded and the unknown ones named. */
  @Test
  void verboseListsTheChecksAndWhatCouldNotBeExcluded() throws Exception {
    assertThat(get("readyz?verbose").body()).isEqualTo("[+]ping ok\nreadyz check passed\n");
    assertThat(get("livez?verbose&exclude=ping&exclude=etcd").body()).isEqualTo(
        "[+]ping excluded: ok\n"
            + "warn: some health checks cannot be excluded: no matches for \"etcd\"\n"
            + "livez check passed\n");
  }

  /** notfoundhandler.Handler: a NotFound Status, not whatever the store holds. */
  @Test
  void aPathNothingServesIsNotFound() throws Exception {
    for (String path : new String[] {"metrics", "foo", "healthz/etcd"}) {
      HttpResponse<String> response = get(path);

      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).as(path).contains("\"kind\":\"Status\"")
          .contains("the server could not find the requested resource")
          .doesNotContain("\"kind\":\"List\"");
    }
  }

  @Test
  void theVersionIsServedWithATrailingSlashToo() throws Exception {
    assertThat(get("version/").body()).contains("\"gitVersion\"");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.config().getMasterUrl() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
