package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.operated.cluster.RequestFaults.Fault;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The faults a test can answer a request with, as a client sees them: each is a {@code Status}
 * kube-apiserver would send (409 worded as the registry's optimistic-lock conflict, 422 as
 * apimachinery's {@code errors.NewInvalid} with one cause per field), or no answer at all (the
 * connection closed under the request), and each is marked in the request log.
 */
class RequestFaultKindsTest {

  private EmbeddedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.start();
    client = cluster.newClient();
    client.configMaps().inNamespace("default").resource(configMap("0")).create();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private static ConfigMap configMap(String value) {
    return new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace("default")
        .endMetadata().addToData("value", value).build();
  }

  private KubernetesClientException refusedUpdate() {
    return catchThrowableOfType(KubernetesClientException.class,
        () -> client.configMaps().inNamespace("default").resource(configMap("1")).update());
  }

  @Test
  void aConflictIsA409WithTheRegistrysWording() {
    cluster.faults().times(1, RequestFaults.requests("PUT", "/api/v1/namespaces/default/"),
        Fault.conflict("configmaps", "settings"));

    KubernetesClientException refused = refusedUpdate();

    assertThat(refused.getCode()).isEqualTo(409);
    assertThat(refused.getStatus().getReason()).isEqualTo("Conflict");
    assertThat(refused.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on "
        + "configmaps \"settings\": the object has been modified; please apply your changes to "
        + "the latest version and try again");
    assertThat(client.configMaps().inNamespace("default").withName("settings").get().getData())
        .containsEntry("value", "0");
  }

  @Test
  void anInvalidRefusalNamesEachFieldInItsCauses() {
    Map<String, String> errors = new LinkedHashMap<>();
    errors.put("data.value", "Invalid value: \"1\": must be a word");
    errors.put("metadata.labels", "Invalid value: \"-x\": a label value must start with a letter");
    cluster.faults().times(1, RequestFaults.requests("PUT", "/api/v1/namespaces/default/"),
        Fault.invalid("ConfigMap", "settings", errors));

    KubernetesClientException refused = refusedUpdate();

    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getStatus().getMessage()).isEqualTo("The ConfigMap \"settings\" is "
        + "invalid: [data.value: Invalid value: \"1\": must be a word, metadata.labels: Invalid "
        + "value: \"-x\": a label value must start with a letter]");
    assertThat(refused.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
        .containsExactly("data.value", "metadata.labels");
  }

  @Test
  void aResetConnectionIsAnErrorWithNoStatus() {
    cluster.faults().times(1, RequestFaults.requests("PUT", "/api/v1/namespaces/default/"),
        Fault.connectionReset());

    KubernetesClientException refused = refusedUpdate();

    assertThat(refused.getStatus()).as("no Status came back").isNull();
    // the client's own report of a connection gone, worded by its HTTP client (Vert.x:
    // "Connection was closed"; the JDK's: an EOF)
    assertThat(refused).hasCauseInstanceOf(Exception.class);
    assertThat(cluster.requests().all()).filteredOn(request -> request.fault() != null)
        .extracting(request -> request.fault().reason()).containsExactly("ConnectionReset");
    assertThat(client.configMaps().inNamespace("default").withName("settings").get().getData())
        .as("nothing stored").containsEntry("value", "0");
  }

  /**
   * kube-apiserver speaks HTTP/2 only where TLS negotiates it: {@code SecureServingInfo.Serve}
   * ({@code k8s.io/apiserver/pkg/server/secure_serving.go}) calls {@code http2.ConfigureServer}
   * on its TLS server and never wraps it in {@code h2c}, and Go's net/http ignores a cleartext
   * {@code Upgrade: h2c}. The JDK client asks for h2c on every plain request; answered in
   * HTTP/1.1, refusals and successes alike read whole.
   */
  @Test
  void aPlainConnectionStaysOnHttp11ThroughRefusalsAsWithKubeApiserver() throws Exception {
    cluster.faults().times(20, RequestFaults.requests("GET", "/api/v1/namespaces/default/"),
        Fault.unavailable());
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    URI list = URI.create(cluster.config().getMasterUrl() + "api/v1/namespaces/default/configmaps");
    String bearer = "Bearer " + cluster.config().getOauthToken();

    List<Integer> codes = new ArrayList<>();
    for (int request = 0; request < 40; request++) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(list)
          .header("Authorization", bearer).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(response.body()).contains("\"kind\":");
      codes.add(response.statusCode());
    }

    assertThat(codes.subList(0, 20)).containsOnly(503);
    assertThat(codes.subList(20, 40)).containsOnly(200);
  }
}
