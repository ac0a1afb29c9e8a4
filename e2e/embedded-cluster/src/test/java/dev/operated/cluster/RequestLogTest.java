package dev.operated.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request log's answers: status code, resulting resourceVersion, and whether a write changed
 * anything, per client. A write that changes nothing keeps the resourceVersion, as on a real
 * server: etcd3's {@code GuaranteedUpdate} (staging/src/k8s.io/apiserver/pkg/storage/etcd3/
 * store.go) skips the transaction when the new bytes equal the stored ones, and since 1.27
 * {@code IgnoreManagedFieldsTimestampsTransformer}
 * (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager/equality.go, a transformer
 * of the update and patch handlers) puts back managedFields timestamps a no-op would otherwise
 * refresh; here {@code ManagedFieldsEntry.withFields} keeps an entry's time while its fields stay.
 */
class RequestLogTest {

  /** A clock the test moves on, so a no-op a second later would stamp a new managedFields time. */
  private static final class SteppedClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final SteppedClock clock = new SteppedClock();
  private EmbeddedCluster cluster;
  private KubernetesClient alice;
  private KubernetesClient bob;

  @BeforeEach
  void start() {
    cluster = EmbeddedCluster.builder().clock(clock).start();
    alice = client("alice/1.0");
    bob = client("bob/2.0");
    cluster.requests().clear();
  }

  @AfterEach
  void stop() {
    alice.close();
    bob.close();
    cluster.close();
  }

  private KubernetesClient client(String userAgent) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(cluster.config())
        .withUserAgent(userAgent).build()).build();
  }

  private static ConfigMap configMap(String value) {
    return new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
        .addToData("a", value).build();
  }

  private static final Predicate<ApiRequest> CONFIG_MAPS =
      request -> request.path().contains("/configmaps");

  private ApiRequest last() {
    List<ApiRequest> all = cluster.requests().all();
    return all.get(all.size() - 1);
  }

  @Test
  void aCreateIsLoggedWithItsCodeAndResourceVersionAndAsAChange() {
    ConfigMap created = alice.configMaps().resource(configMap("1")).create();

    ApiRequest create = last();
    assertThat(create.method()).isEqualTo("POST");
    assertThat(create.code()).isEqualTo(201);
    assertThat(create.resourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
    assertThat(create.changed()).isTrue();
    assertThat(create.client()).isEqualTo("alice");
  }

  @Test
  void anApplyThatChangesNothingKeepsTheResourceVersionEvenSecondsLaterAndIsLoggedAsNoChange() {
    ConfigMap first = alice.configMaps().resource(configMap("1")).fieldManager("alice")
        .forceConflicts().serverSideApply();
    clock.advance(Duration.ofSeconds(5));

    ConfigMap again = alice.configMaps().resource(configMap("1")).fieldManager("alice")
        .forceConflicts().serverSideApply();

    assertThat(again.getMetadata().getResourceVersion())
        .as("a no-op apply stores nothing, though its managedFields time would be newer")
        .isEqualTo(first.getMetadata().getResourceVersion());
    assertThat(again.getMetadata().getManagedFields().get(0).getTime())
        .isEqualTo(first.getMetadata().getManagedFields().get(0).getTime());
    ApiRequest apply = last();
    assertThat(apply.code()).isEqualTo(200);
    assertThat(apply.resourceVersion()).isEqualTo(first.getMetadata().getResourceVersion());
    assertThat(apply.changed()).isFalse();

    clock.advance(Duration.ofSeconds(5));
    ConfigMap changed = alice.configMaps().resource(configMap("2")).fieldManager("alice")
        .forceConflicts().serverSideApply();
    assertThat(changed.getMetadata().getResourceVersion())
        .isNotEqualTo(first.getMetadata().getResourceVersion());
    assertThat(last().changed()).isTrue();
    assertThat(last().resourceVersion()).isEqualTo(changed.getMetadata().getResourceVersion());
  }

  @Test
  void aPatchAndAnUpdateThatChangeNothingAreLoggedAsNoChange() {
    ConfigMap created = alice.configMaps().resource(configMap("1")).create();
    clock.advance(Duration.ofSeconds(3));

    alice.configMaps().withName("settings").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"data\":{\"a\":\"1\"}}");
    assertThat(last().changed()).isFalse();
    assertThat(last().resourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());

    alice.configMaps().resource(created).update();
    assertThat(last().method()).isEqualTo("PUT");
    assertThat(last().changed()).isFalse();
    assertThat(alice.configMaps().withName("settings").get().getMetadata().getResourceVersion())
        .isEqualTo(created.getMetadata().getResourceVersion());
  }

  @Test
  void conflictsAndChangingWritesAreCountedPerClient() {
    ConfigMap stale = alice.configMaps().resource(configMap("1")).create();
    bob.configMaps().withName("settings").edit(cm -> new ConfigMapBuilder(cm)
        .addToData("a", "2").build());
    stale.getData().put("a", "3");
    assertThatThrownBy(() -> alice.configMaps().resource(stale).update())
        .isInstanceOfSatisfying(KubernetesClientException.class,
            e -> assertThat(e.getCode()).isEqualTo(409));
    bob.configMaps().withName("settings").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"data\":{\"a\":\"2\"}}");

    RequestLog log = cluster.requests();
    assertThat(log.conflictsPerClient(CONFIG_MAPS)).containsExactly(Map.entry("alice", 1L));
    assertThat(log.conflicts(CONFIG_MAPS)).singleElement()
        .satisfies(conflict -> assertThat(conflict.changed()).isFalse());
    assertThat(log.writesPerClient(CONFIG_MAPS))
        .containsExactly(Map.entry("alice", 2L), Map.entry("bob", 2L));
    assertThat(log.changingWritesPerClient(CONFIG_MAPS))
        .as("alice's create; bob's edit, not his no-op patch")
        .containsExactly(Map.entry("alice", 1L), Map.entry("bob", 1L));
  }

  @Test
  void aDeleteIsAChangeAndAnInjectedFaultIsLoggedWithItsCode() {
    alice.configMaps().resource(configMap("1")).create();
    cluster.faults().times(1, RequestFaults.requests("DELETE", "/api/v1/namespaces/default/"
        + "configmaps/settings"), RequestFaults.Fault.unavailable());

    assertThatThrownBy(() -> alice.configMaps().withName("settings").delete())
        .isInstanceOf(KubernetesClientException.class);
    assertThat(last().code()).isEqualTo(503);
    assertThat(last().changed()).isFalse();
    assertThat(last().fault()).isNotNull();

    alice.configMaps().withName("settings").delete();
    assertThat(last().code()).isEqualTo(200);
    assertThat(last().changed()).isTrue();
    assertThat(cluster.requests().changingWrites(CONFIG_MAPS)).extracting(ApiRequest::method)
        .containsExactly("POST", "DELETE");
  }

  @Test
  void aReadIsLoggedWithItsCodeAndNeverAsAChange() {
    assertThat(alice.configMaps().withName("absent").get()).isNull();
    assertThat(last().code()).isEqualTo(404);
    assertThat(last().changed()).isFalse();
    assertThat(last().resourceVersion()).isNull();
  }
}
