package dev.operated.api;

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

  public OperatedService() {
  }

  public OperatedService(String namespace, String name, OperatedServiceSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}
