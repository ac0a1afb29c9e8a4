package dev.operated.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.api.ContractDefaults;
import dev.operated.api.OperatedServiceSpec;
import dev.operated.sample.SampleServiceDefaults;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * "Works with the defaults" must mean the same on both sides of the contract: the operator's
 * model, the CRD the API server defaults with, and the sample-service.
 */
class ContractDefaultsAgreeTest {

  @Test
  void theModelsDefaultsAreTheSampleServicesDefaults() {
    OperatedServiceSpec spec = OperatedServiceSpec.ofImage("sample-service:1");

    assertThat(spec.port()).isEqualTo(SampleServiceDefaults.PORT);
    assertThat(spec.health().livenessPath()).isEqualTo(SampleServiceDefaults.LIVENESS_PATH);
    assertThat(spec.health().readinessPath()).isEqualTo(SampleServiceDefaults.READINESS_PATH);
    assertThat(spec.metrics().path()).isEqualTo(SampleServiceDefaults.METRICS_PATH);
    assertThat(spec.shutdown().drainSeconds()).isEqualTo(SampleServiceDefaults.DRAIN_SECONDS);
    assertThat(spec.shutdown().timeoutSeconds())
        .isEqualTo(SampleServiceDefaults.SHUTDOWN_TIMEOUT_SECONDS);
  }

  @Test
  void theEnvironmentTheOperatorSetsIsTheEnvironmentTheServiceReads() {
    assertThat(ContractDefaults.ENV_DRAIN_SECONDS)
        .isEqualTo(SampleServiceDefaults.ENV_DRAIN_SECONDS);
    assertThat(ContractDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS)
        .isEqualTo(SampleServiceDefaults.ENV_SHUTDOWN_TIMEOUT_SECONDS);
  }

  @Test
  void theCommittedCrdDefaultsAreTheSampleServicesDefaults() throws IOException {
    Path crdFile = Path.of(System.getProperty("operated.repoRoot", "../.."))
        .resolve("crds/operatedservices.operated.dev-v1.yml");
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(crdFile), CustomResourceDefinition.class);
    JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()
        .getProperties().get("spec");

    assertThat(spec.getProperties().get("port").getDefault().asInt())
        .isEqualTo(SampleServiceDefaults.PORT);
    JSONSchemaProps health = spec.getProperties().get("health");
    assertThat(health.getProperties().get("livenessPath").getDefault().asText())
        .isEqualTo(SampleServiceDefaults.LIVENESS_PATH);
    assertThat(health.getProperties().get("readinessPath").getDefault().asText())
        .isEqualTo(SampleServiceDefaults.READINESS_PATH);
    assertThat(spec.getProperties().get("metrics").getProperties().get("path").getDefault()
        .asText()).isEqualTo(SampleServiceDefaults.METRICS_PATH);
    JSONSchemaProps shutdown = spec.getProperties().get("shutdown");
    assertThat(shutdown.getProperties().get("drainSeconds").getDefault().asInt())
        .isEqualTo(SampleServiceDefaults.DRAIN_SECONDS);
    assertThat(shutdown.getProperties().get("timeoutSeconds").getDefault().asInt())
        .isEqualTo(SampleServiceDefaults.SHUTDOWN_TIMEOUT_SECONDS);
  }
}
