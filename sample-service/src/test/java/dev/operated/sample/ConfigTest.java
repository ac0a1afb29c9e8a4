package dev.operated.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void anEmptyEnvironmentGivesTheContractsDefaults() {
    Config config = Config.fromEnv(Map.of());
    assertThat(config.port()).isEqualTo(SampleServiceDefaults.PORT);
    assertThat(config.drain()).isEqualTo(Duration.ofSeconds(SampleServiceDefaults.DRAIN_SECONDS));
    assertThat(config.shutdownTimeout())
        .isEqualTo(Duration.ofSeconds(SampleServiceDefaults.SHUTDOWN_TIMEOUT_SECONDS));
    assertThat(config.faultsEnabled()).isFalse();
    assertThat(config.logLevel()).isEqualTo("INFO");
  }

  @Test
  void theOperatorsVariablesAreRead() {
    Config config = Config.fromEnv(Map.of("OPERATED_DRAIN_SECONDS", "0",
        "OPERATED_SHUTDOWN_TIMEOUT_SECONDS", "25", "PORT", "9000", "LOG_LEVEL", "debug"));
    assertThat(config.drain()).isZero();
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(25));
    assertThat(config.port()).isEqualTo(9000);
    assertThat(config.logLevel()).isEqualTo("DEBUG");
  }

  @Test
  void emptyValuesMeanTheDefaultAsManifestsOftenTemplateThemIn() {
    assertThat(Config.fromEnv(Map.of("PORT", " ", "OPERATED_DRAIN_SECONDS", "")).port())
        .isEqualTo(SampleServiceDefaults.PORT);
  }

  @Test
  void everyBadVariableIsReportedAtOnceNamingTheVariableAndTheFix() {
    Config.ConfigException error = catchThrowableOfType(Config.ConfigException.class,
        () -> Config.fromEnv(Map.of("PORT", "http", "OPERATED_DRAIN_SECONDS", "-1",
            "SAMPLE_FAULTS_ENABLED", "yes", "LOG_LEVEL", "loud")));
    assertThat(error.problems()).extracting(Config.Problem::variable)
        .containsExactlyInAnyOrder("PORT", "OPERATED_DRAIN_SECONDS", "SAMPLE_FAULTS_ENABLED",
            "LOG_LEVEL");
    assertThat(error.problems()).filteredOn(p -> p.variable().equals("PORT")).singleElement()
        .satisfies(p -> assertThat(p.message()).isEqualTo("PORT=\"http\" is not valid: set it "
            + "to a TCP port from 1 to 65535, or unset it for the default 8080"));
    assertThat(error.getMessage()).contains("set it to true or false")
        .contains("one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
  }

  @Test
  void aLongBadValueIsCutShortInTheMessage() {
    Config.ConfigException error = catchThrowableOfType(Config.ConfigException.class,
        () -> Config.fromEnv(Map.of("PORT", "9".repeat(100))));
    assertThat(error.getMessage()).contains("9".repeat(40) + "...").doesNotContain("9".repeat(41));
  }
}
