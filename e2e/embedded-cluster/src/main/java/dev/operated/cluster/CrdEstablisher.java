package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What apiextensions-apiserver's {@code NamingConditionController} and
 * {@code EstablishingController} write on a CustomResourceDefinition: {@code acceptedNames}, the
 * {@code NamesAccepted} and {@code Established} conditions, and {@code storedVersions}. Clients wait
 * for {@code Established} before they use a new kind: Helm installs a chart's {@code crds/} and
 * waits for it before the templates ({@code kube.Client.Wait} on CRDs), and times out without it.
 * Names never conflict here (one CRD per name), so they are accepted at once.
 */
final class CrdEstablisher implements AutoCloseable {

  static final String MANAGER = "kube-apiserver";
  private static final Logger LOG = LoggerFactory.getLogger(CrdEstablisher.class);

  private final Storage api;
  private final Clock clock;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "embedded-cluster-crd-establisher");
    thread.setDaemon(true);
    return thread;
  });

  CrdEstablisher(Storage api, Clock clock) {
    this.api = api;
    this.clock = clock;
    api.addListener(change -> {
      if (change.object() != null && "apiextensions.k8s.io".equals(change.target().group())
          && "customresourcedefinitions".equals(change.target().plural())
          && !established(change.object())) {
        worker.submit(() -> establish(change.target()));
      }
    });
  }

  private static boolean established(JsonNode crd) {
    JsonNode status = crd.path("status");
    if (!status.path("acceptedNames").equals(crd.path("spec").path("names"))) {
      return false;
    }
    for (JsonNode condition : status.path("conditions")) {
      if ("Established".equals(condition.path("type").asText())
          && "True".equals(condition.path("status").asText())) {
        return true;
      }
    }
    return false;
  }

  private void establish(ApiTarget crd) {
    try {
      api.updateInternal(crd.withSubresource("status"), current -> {
        ObjectNode status = current.putObject("status");
        status.set("acceptedNames", current.path("spec").path("names").deepCopy());
        String now = DateTimeFormatter.ISO_INSTANT.format(
            Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
        ArrayNode conditions = status.putArray("conditions");
        conditions.addObject().put("type", "NamesAccepted").put("status", "True")
            .put("reason", "NoConflicts").put("message", "no conflicts found")
            .put("lastTransitionTime", now);
        conditions.addObject().put("type", "Established").put("status", "True")
            .put("reason", "InitialNamesAccepted")
            .put("message", "the initial names have been accepted")
            .put("lastTransitionTime", now);
        ArrayNode stored = status.putArray("storedVersions");
        current.path("spec").path("versions").forEach(version -> {
          if (version.path("storage").asBoolean(false)) {
            stored.add(version.path("name").asText());
          }
        });
        return current;
      }, MANAGER);
    } catch (RuntimeException e) {
      LOG.warn("establishing {} failed", crd, e);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
