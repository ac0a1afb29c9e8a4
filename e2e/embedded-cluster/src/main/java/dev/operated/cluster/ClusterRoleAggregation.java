package dev.operated.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClusterRole aggregation controller of kube-controller-manager
 * (pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go,
 * {@code syncClusterRole}): a ClusterRole with an {@code aggregationRule} gets, as its
 * {@code rules}, the rules of every other ClusterRole matched by one of its
 * {@code clusterRoleSelectors} (selector by selector, matched roles by name, each rule once), and
 * keeps them current as matching roles come, change and go. Rules written by hand into an
 * aggregated role are overwritten, as upstream.
 */
final class ClusterRoleAggregation implements AutoCloseable {

  static final String MANAGER = "clusterrole-aggregation-controller";
  private static final String GROUP = "rbac.authorization.k8s.io";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRoleAggregation.class);

  private final Storage api;
  private final Semaphore wakeUp = new Semaphore(0);
  private final Thread worker;
  private volatile boolean running = true;

  ClusterRoleAggregation(Storage api) {
    this.api = api;
    api.addListener(change -> {
      if (GROUP.equals(change.target().group())
          && "clusterroles".equals(change.target().plural())) {
        wakeUp.release();
      }
    });
    worker = new Thread(this::run, "embedded-cluster-clusterrole-aggregation");
    worker.setDaemon(true);
    worker.start();
  }

  private void run() {
    while (running) {
      try {
        wakeUp.acquire();
        wakeUp.drainPermits();
        if (running) {
          syncAll();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.warn("ClusterRole aggregation failed; retrying on the next ClusterRole change", e);
      }
    }
  }

  /** Recomputes every aggregated ClusterRole. */
  void syncAll() {
    List<ObjectNode> roles = new ArrayList<>(api.list(collection().collectionPath()));
    roles.sort(Comparator.comparing(role -> role.path("metadata").path("name").asText()));
    for (ObjectNode role : roles) {
      JsonNode selectors = role.path("aggregationRule").path("clusterRoleSelectors");
      if (!role.has("aggregationRule") || role.get("aggregationRule").isNull()) {
        continue;
      }
      String name = role.path("metadata").path("name").asText();
      ArrayNode rules = JsonNodeFactory.instance.arrayNode();
      for (JsonNode selector : selectors) {
        for (ObjectNode other : roles) {
          if (other.path("metadata").path("name").asText().equals(name)
              || !LabelSelectors.matches(selector, other.path("metadata").path("labels"))) {
            continue;
          }
          for (JsonNode rule : other.path("rules")) {
            if (!contains(rules, rule)) {
              rules.add(rule.deepCopy());
            }
          }
        }
      }
      if (!rules.equals(role.path("rules").isMissingNode() ? JsonNodeFactory.instance.arrayNode()
          : role.get("rules"))) {
        api.updateInternal(collection().withName(name), current -> {
          current.set("rules", rules);
          return current;
        }, MANAGER);
      }
    }
  }

  /** {@code ruleExists}: semantic equality. */
  private static boolean contains(ArrayNode rules, JsonNode rule) {
    for (JsonNode existing : rules) {
      if (existing.equals(rule)) {
        return true;
      }
    }
    return false;
  }

  private static ApiTarget collection() {
    return new ApiTarget(GROUP, "v1", null, "clusterroles", null, null, Map.of());
  }

  @Override
  public void close() {
    running = false;
    worker.interrupt();
  }
}
