package dev.operated.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pod annotations that order the mesh proxy around the app: it starts first, and it keeps
 * carrying traffic until the app (and the collector) are done. Numbers come from the budget.
 */
public final class MeshAnnotations {

  public static final String ISTIO_PROXY_CONFIG = "proxy.istio.io/config";
  public static final String LINKERD_AWAIT = "config.linkerd.io/proxy-await";
  public static final String LINKERD_WAIT_BEFORE_EXIT =
      "config.alpha.linkerd.io/proxy-wait-before-exit-seconds";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private MeshAnnotations() {
  }

  /**
   * @param userAnnotations the spec's podAnnotations; a user's proxy.istio.io/config keys are
   *                        kept, the two keys the budget depends on are set
   */
  public static Map<String, String> of(TerminationBudget budget,
      Map<String, String> userAnnotations) {
    Map<String, String> annotations = new LinkedHashMap<>();
    switch (budget.mesh()) {
      case ISTIO -> {
        Map<String, Object> proxyConfig = parse(userAnnotations.get(ISTIO_PROXY_CONFIG));
        // A native sidecar starts before the app anyway; a legacy one needs to be told.
        proxyConfig.put("holdApplicationUntilProxyStarts", true);
        proxyConfig.put("terminationDrainDuration", budget.proxyDrainSeconds() + "s");
        annotations.put(ISTIO_PROXY_CONFIG, write(proxyConfig));
        annotations.put(Mesh.ISTIO_NATIVE_SIDECAR, Boolean.toString(budget.proxyNativeSidecar()));
      }
      case LINKERD -> {
        annotations.put(LINKERD_AWAIT, "enabled");
        annotations.put(Mesh.LINKERD_NATIVE_SIDECAR,
            Boolean.toString(budget.proxyNativeSidecar()));
        if (!budget.proxyNativeSidecar()) {
          // Stopped with the app: it must keep carrying traffic until app and collector are done.
          annotations.put(LINKERD_WAIT_BEFORE_EXIT, Integer.toString(budget.proxyDrainSeconds()));
        }
      }
      case NONE -> {
        // nothing to order
      }
    }
    return annotations;
  }

  private static Map<String, Object> parse(String yaml) {
    if (yaml == null || yaml.isBlank()) {
      return new LinkedHashMap<>();
    }
    try {
      Map<String, Object> parsed = YAML.readValue(yaml, new TypeReference<>() { });
      return parsed == null ? new LinkedHashMap<>() : new LinkedHashMap<>(parsed);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("spec.podAnnotations." + ISTIO_PROXY_CONFIG
          + " is not YAML: " + e.getOriginalMessage(), e);
    }
  }

  private static String write(Map<String, Object> config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("proxy config is plain maps", e);
    }
  }
}
