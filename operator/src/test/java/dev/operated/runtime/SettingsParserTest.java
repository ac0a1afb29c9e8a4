package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operated.desired.CollectorDefaults;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsParserTest {

  @Test
  void defaultsWatchEverythingWithoutLeaderElection() {
    OperatorSettings settings = SettingsParser.parse(Map.of(), Map.of("HOSTNAME", "pod-1"));
    assertThat(settings.watched()).isEqualTo(new WatchedNamespaces.All());
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(settings.logLevel()).isEqualTo("INFO");
    assertThat(settings.leaderElection()).isFalse();
    assertThat(settings.perResourceMetrics()).isFalse();
    assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(settings.collectorImage()).isEmpty();
    assertThat(OperatorRuntime.collectorDefaults(settings)).isEqualTo(CollectorDefaults.standard());
    assertThat(settings.reconcileThreads()).isEqualTo(32);
    assertThat(settings.watchTransport()).isEqualTo(WatchTransport.HTTP);
  }

  @Test
  void readsWhatTheChartSetsAndAFlagWinsOverItsVariable() {
    OperatorSettings settings = SettingsParser.parse(
        Map.of(Setting.LOG_LEVEL, "debug", Setting.HTTP_PORT, "9090"),
        Map.of("OPERATED_WATCH_NAMESPACES", "shop, billing", "OPERATED_LOG_LEVEL", "ERROR",
            "OPERATED_HTTP_PORT", "8081", "OPERATED_LEADER_ELECTION", "true",
            "OPERATED_POD_NAME", "operated-7d9-x2", "OPERATED_NAMESPACE", "operators",
            "OPERATED_COLLECTOR_IMAGE", "otel/opentelemetry-collector-contrib:0.140.0",
            "OPERATED_COLLECTOR_GATEWAY", "http://gateway.observability:4317",
            "OPERATED_WATCH_TRANSPORT", "WebSocket"));
    assertThat(settings.watched().forJosdk("operators")).isEqualTo(Set.of("billing", "shop"));
    assertThat(settings.logLevel()).isEqualTo("DEBUG");
    assertThat(settings.httpPort()).isEqualTo(9090);
    assertThat(settings.leaderElection()).isTrue();
    assertThat(settings.identity()).isEqualTo("operated-7d9-x2");
    assertThat(settings.ownNamespace()).contains("operators");
    CollectorDefaults collector = OperatorRuntime.collectorDefaults(settings);
    assertThat(collector.image()).isEqualTo("otel/opentelemetry-collector-contrib:0.140.0");
    assertThat(collector.gateway()).contains("http://gateway.observability:4317");
    assertThat(collector.resources()).isEqualTo(CollectorDefaults.standard().resources());
    assertThat(settings.watchTransport()).isEqualTo(WatchTransport.WEBSOCKET);
  }

  @Test
  void ownNamespaceIsTheOneTheOperatorRunsIn() {
    OperatorSettings settings = SettingsParser.parse(Map.of(Setting.WATCH_NAMESPACES, "own"),
        Map.of());
    assertThat(settings.watched().forJosdk("operators")).containsExactly("operators");
    assertThat(settings.ownNamespace()).isEqualTo(Optional.empty());
  }

  @Test
  void everyBadValueIsReportedAtOnceWithItsFlagVariableAndFix() {
    assertThatThrownBy(() -> SettingsParser.parse(
        Map.of(Setting.HTTP_PORT, "http", Setting.WATCH_NAMESPACES, "shop,Billing"),
        Map.of("OPERATED_LOG_LEVEL", "verbose", "OPERATED_LEADER_ELECTION", "yes",
            "OPERATED_SHUTDOWN_TIMEOUT_SECONDS", "0",
            "OPERATED_COLLECTOR_IMAGE", "otel/opentelemetry-collector-contrib",
            "OPERATED_COLLECTOR_GATEWAY", "gateway:4317", "OPERATED_RECONCILE_THREADS", "500",
            "OPERATED_BIND_ADDRESS", "", "OPERATED_LEASE_NAME", "operated..lease",
            "OPERATED_WATCH_TRANSPORT", "grpc")))
        .isInstanceOfSatisfying(InvalidSettingsException.class, e ->
            assertThat(e.problems()).containsExactly(
                "--watch-namespaces (OPERATED_WATCH_NAMESPACES) is 'shop,Billing' (from "
                    + "--watch-namespaces): 'Billing' is not a namespace name; give all, own, "
                    + "or namespace names separated by commas (e.g. shop,billing)",
                "--bind-address (OPERATED_BIND_ADDRESS) is '' (from OPERATED_BIND_ADDRESS): give "
                    + "an IP address such as 0.0.0.0 or 127.0.0.1",
                "--http-port (OPERATED_HTTP_PORT) is 'http' (from --http-port): give a port "
                    + "number from 1 to 65535 (0: any free port)",
                "--log-level (OPERATED_LOG_LEVEL) is 'verbose' (from OPERATED_LOG_LEVEL): give "
                    + "TRACE, DEBUG, INFO, WARN or ERROR",
                "--leader-election (OPERATED_LEADER_ELECTION) is 'yes' (from "
                    + "OPERATED_LEADER_ELECTION): give true or false",
                // apimachinery's IsDNS1123Subdomain: labels joined by single dots
                "--lease-name (OPERATED_LEASE_NAME) is 'operated..lease' (from "
                    + "OPERATED_LEASE_NAME): give a Lease name: lower-case letters, digits and "
                    + "'-', in parts joined by single '.', each starting and ending with a letter "
                    + "or digit",
                "--shutdown-timeout-seconds (OPERATED_SHUTDOWN_TIMEOUT_SECONDS) is '0' (from "
                    + "OPERATED_SHUTDOWN_TIMEOUT_SECONDS): give whole seconds from 1 to 300",
                "--collector-image (OPERATED_COLLECTOR_IMAGE) is "
                    + "'otel/opentelemetry-collector-contrib' (from OPERATED_COLLECTOR_IMAGE): "
                    + "give an image with a tag or digest, e.g. "
                    + "otel/opentelemetry-collector-contrib:0.139.0",
                "--collector-gateway (OPERATED_COLLECTOR_GATEWAY) is 'gateway:4317' (from "
                    + "OPERATED_COLLECTOR_GATEWAY): give a URL with scheme and host, e.g. "
                    + "http://otel-gateway.observability:4317",
                "--reconcile-threads (OPERATED_RECONCILE_THREADS) is '500' (from "
                    + "OPERATED_RECONCILE_THREADS): give a whole number of threads from 1 to 100",
                "--watch-transport (OPERATED_WATCH_TRANSPORT) is 'grpc' (from "
                    + "OPERATED_WATCH_TRANSPORT): give http or websocket"));
  }
}
