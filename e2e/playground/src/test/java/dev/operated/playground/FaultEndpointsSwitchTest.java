package dev.operated.playground;

import static dev.operated.playground.LocalEndToEnd.EXAMPLE;
import static dev.operated.playground.LocalEndToEnd.REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.operated.api.OperatedService;
import dev.operated.cluster.EmbeddedCluster;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the user's next {@code kubectl apply --server-side -f} of the playground's example does:
 * it owns what the file says and no more, so the fault endpoints the playground turned on stay
 * on. The API server's field managers merge {@code spec.env} entry by entry, since the CRD keys
 * it by name as core/v1 keys a container's env (structured-merge-diff's associative lists); the
 * fields kubectl applies are sent as kubectl sends them, without forcing conflicts.
 */
class FaultEndpointsSwitchTest {

  private static final String NAMESPACE = "default";

  private EmbeddedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().crds(REPO.resolve("crds")).start();
    client = cluster.newClient();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void theFileAppliedAgainByKubectlKeepsTheFaultEndpointsAndChangesNothing() {
    OperatedService switched = FaultEndpointsSwitch.apply(client, file(), NAMESPACE);

    assertThat(env(switched)).containsEntry(FaultEndpointsSwitch.VARIABLE, "true");
    assertThat(switched.getMetadata().getGeneration()).as("one generation: the operator never "
        + "sees the service without its fault endpoints").isEqualTo(1L);
    Map<String, String> owners = owners(switched);
    assertThat(owners.get(FaultEndpointsSwitch.FIELD_MANAGER)).as("the playground keeps its "
        + "variable and nothing else").contains("k:{\"name\":\"SAMPLE_FAULTS_ENABLED\"}")
        .doesNotContain("f:image").doesNotContain("f:replicas");
    assertThat(owners.get(LocalCluster.FIELD_MANAGER)).as("what the file sets, not the "
        + "defaults a typed object would carry").contains("f:image", "f:replicas")
        .doesNotContain("SAMPLE_FAULTS_ENABLED").doesNotContain("f:health");

    OperatedService again = applyAsKubectl(manifest());
    assertThat(env(again)).containsEntry(FaultEndpointsSwitch.VARIABLE, "true");
    assertThat(again.getMetadata().getGeneration()).isEqualTo(1L);

    // the file edited: a new image and a variable of its own, which an atomic list would have
    // refused as a conflict with the playground's ownership of spec.env
    GenericKubernetesResource edited = manifest();
    FaultEndpointsSwitch.mutableSpec(edited).put("image", "ghcr.io/operated-dev/sample-service:0.2.0");
    FaultEndpointsSwitch.mutableSpec(edited).put("env", List.of(Map.of("name", "LOG_LEVEL",
        "value", "debug")));
    OperatedService changed = applyAsKubectl(edited);
    assertThat(changed.getSpec().image()).endsWith(":0.2.0");
    assertThat(env(changed)).as("the file's variable beside the playground's")
        .containsEntry("LOG_LEVEL", "debug")
        .containsEntry(FaultEndpointsSwitch.VARIABLE, "true");
  }

  /** The premise: the variable applied as kubectl, as before, was gone at the next apply. */
  @Test
  void aVariableAppliedAsKubectlIsTakenAwayByTheNextApplyOfTheFile() {
    GenericKubernetesResource withVariable = manifest();
    FaultEndpointsSwitch.mutableSpec(withVariable).put("env", List.of(Map.of("name",
        FaultEndpointsSwitch.VARIABLE, "value", "true")));
    applyAsKubectl(withVariable);

    OperatedService again = applyAsKubectl(manifest());

    assertThat(env(again)).doesNotContainKey(FaultEndpointsSwitch.VARIABLE);
    assertThat(again.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void aFileThatIsNotOneOperatedServiceIsNamedAsSuch() throws IOException {
    byte[] deployment = client.getKubernetesSerialization().asYaml(new DeploymentBuilder()
        .withNewMetadata().withName("web").endMetadata().build())
        .getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream twoDocuments = new ByteArrayOutputStream();
    YAMLMapper yaml = new YAMLMapper();
    try (SequenceWriter documents = yaml.writer().writeValues(twoDocuments)) {
      documents.write(yaml.readTree(file())).write(yaml.readTree(file()));
    }
    byte[] two = twoDocuments.toByteArray();

    for (byte[] manifest : List.of(deployment, two, new byte[0])) {
      assertThatThrownBy(() -> FaultEndpointsSwitch.apply(client, manifest, NAMESPACE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not one operated.dev/v1alpha1 OperatedService");
    }
    assertThat(client.apps().deployments().inNamespace(NAMESPACE).list().getItems())
        .as("nothing applied").isEmpty();
  }

  /** What `kubectl apply --server-side -f` sends: the file as written, conflicts not forced. */
  private OperatedService applyAsKubectl(GenericKubernetesResource resource) {
    client.resource(resource).fieldManager(LocalCluster.FIELD_MANAGER).serverSideApply();
    return client.resources(OperatedService.class).inNamespace(NAMESPACE)
        .withName(resource.getMetadata().getName()).get();
  }

  private GenericKubernetesResource manifest() {
    return FaultEndpointsSwitch.read(client, file(), NAMESPACE);
  }

  private static byte[] file() {
    try {
      return Files.readAllBytes(EXAMPLE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> env(OperatedService service) {
    return service.getSpec().env().stream()
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  private static Map<String, String> owners(OperatedService service) {
    return service.getMetadata().getManagedFields().stream().collect(Collectors.toMap(
        ManagedFieldsEntry::getManager, entry -> String.valueOf(
            entry.getFieldsV1().getAdditionalProperties())));
  }
}
