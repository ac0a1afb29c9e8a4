package dev.operated.api;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A service declared by its owners; the operator runs it as a Deployment operated right. */
@Group(OperatedService.GROUP)
@Version(OperatedService.VERSION)
@Kind("OperatedService")
@Plural("operatedservices")
@Singular("operatedservice")
@ShortNames("osvc")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.ready",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class OperatedService extends CustomResource<OperatedServiceSpec, OperatedServiceStatus>
    implements Namespaced {

  public static final String GROUP = "operated.dev";
  public static final String VERSION = "v1alpha1";

  /** Decodes a stored spec; lenient about unknown fields, as the API server has pruned them. */
  private static final ObjectMapper SPEC_READER = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public OperatedService() {
  }

  /**
   * A stored spec that does not decode into the model (a field of the wrong type, stored under an
   * older CRD or one without a schema) leaves the spec empty instead of failing: one such object
   * must not stop the informer that lists every OperatedService. The reconciler then reads the
   * object as stored and the validator names each bad field.
   */
  @JsonSetter("spec")
  void readSpec(JsonNode stored) {
    try {
      setSpec(stored == null || stored.isNull() ? null
          : SPEC_READER.treeToValue(stored, OperatedServiceSpec.class));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      setSpec(null);
    }
  }

  public OperatedService(String namespace, String name, OperatedServiceSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}
