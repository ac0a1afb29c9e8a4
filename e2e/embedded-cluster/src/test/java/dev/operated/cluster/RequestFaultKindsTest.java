package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.operated.cluster.RequestFaults.Fault;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
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
    // "Connection was closed"; the JDK's: "GOAWAY received" or an EOF)
    assertThat(refused).hasCauseInstanceOf(Exception.class);
    assertThat(cluster.requests().all()).filteredOn(request -> request.fault() != null)
        .extracting(request -> request.fault().reason()).containsExactly("ConnectionReset");
    assertThat(client.configMaps().inNamespace("default").withName("settings").get().getData())
        .as("nothing stored").containsEntry("value", "0");
  }
}
