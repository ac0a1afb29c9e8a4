package dev.operated.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operated.cli.OperatedCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@link Setting} is the one declaration of the operator's settings: {@code run}'s options and
 * the README's table must say exactly what it says (the chart's env: ChartSettingsTest). Adding a
 * constant without its README row fails here, with the row to paste.
 */
class SettingsDeclaredOnceTest {

  private static final Path README =
      Path.of(System.getProperty("operated.repoRoot", ".."), "README.md");
  private static final String TABLE_HEADER = "| flag | variable | default | meaning |";

  @Test
  void runHasOneOptionPerSettingWithItsFlagLabelAndMeaning() {
    CommandSpec run = runCommand().getCommandSpec();
    List<OptionSpec> settingOptions = run.options().stream()
        .filter(option -> !option.usageHelp() && !option.versionHelp()).toList();

    assertThat(settingOptions).extracting(OptionSpec::longestName)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(Setting.values()).map(Setting::flag).toList());
    for (Setting setting : Setting.values()) {
      OptionSpec option = run.findOption(setting.flag());
      assertThat(option.names()).as(setting.name()).containsExactly(setting.flag());
      assertThat(option.paramLabel()).as(setting.name()).isEqualTo(setting.paramLabel());
      assertThat(String.join(" ", option.description())).as(setting.name())
          .startsWith(setting.meaning()).contains("Env " + setting.variable());
      // no picocli default: an unset flag must leave the variable, then Setting's default, to win
      assertThat(option.defaultValue()).as(setting.name()).isNull();
    }
  }

  @Test
  void everyFlagIsKeptForTheSettingsParser() {
    for (Setting setting : Setting.values()) {
      String value = "value-of-" + setting.name();
      CommandLine.ParseResult run = new CommandLine(new OperatedCli())
          .parseArgs("run", setting.flag(), value).subcommand();

      // the option's getter reads the map RunCommand hands to SettingsParser
      assertThat(run.commandSpec().findOption(setting.flag()).<String>getValue())
          .as(setting.flag()).isEqualTo(value);
      Arrays.stream(Setting.values()).filter(other -> other != setting).forEach(other ->
          assertThat(run.commandSpec().findOption(other.flag()).<String>getValue())
              .as("%s untouched by %s", other.flag(), setting.flag()).isNull());
    }
  }

  @Test
  void aBadFlagIsNamedByTheParserWithItsVariable() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new OperatedCli()).setErr(new PrintWriter(err))
        .execute("run", Setting.LEASE_NAME.flag(), "Not_A_Lease",
            Setting.SHUTDOWN_TIMEOUT_SECONDS.flag(), "0");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("--lease-name (OPERATED_LEASE_NAME) is 'Not_A_Lease' (from --lease-name)")
        .contains("--shutdown-timeout-seconds (OPERATED_SHUTDOWN_TIMEOUT_SECONDS) is '0'");
  }

  @Test
  void anUnsetDefaultIsExplainedByTheMeaning() {
    for (Setting setting : Setting.values()) {
      if (setting.defaultValue().isEmpty()) {
        assertThat(setting.meaning()).as(setting.name() + " has no default: its meaning must "
            + "say what unset does").contains("unset: ");
      }
    }
  }

  @Test
  void theReadmeTableIsTheEnum() throws IOException {
    List<String> rows = readmeTable();
    List<String> expected = Arrays.stream(Setting.values())
        .map(SettingsDeclaredOnceTest::row).toList();

    assertThat(rows).as("README.md's settings table, after \"%s\"; the rows Setting declares "
        + "are:%n%s", TABLE_HEADER, String.join("\n", expected))
        .containsExactlyElementsOf(expected);
  }

  @Test
  void readmeRowsAreParsedCellByCell() throws IOException {
    Map<String, List<String>> cellsByFlag = readmeTable().stream()
        .map(SettingsDeclaredOnceTest::cells)
        .collect(Collectors.toMap(cells -> cells.get(0), cells -> cells));
    for (Setting setting : Setting.values()) {
      List<String> cells = cellsByFlag.get("`" + setting.flag() + "`");
      assertThat(cells).as("a README row for " + setting.flag()).isNotNull().hasSize(4);
      assertThat(cells.get(1)).isEqualTo("`" + setting.variable() + "`");
      assertThat(cells.get(2)).isEqualTo(shownDefault(setting));
      assertThat(cells.get(3)).isEqualTo(setting.meaning());
    }
  }

  /** The rows of the markdown table under its header, each as written. */
  private static List<String> readmeTable() throws IOException {
    List<String> lines = Files.readAllLines(README);
    int header = lines.indexOf(TABLE_HEADER);
    assertThat(header).as("README.md has the settings table \"%s\"", TABLE_HEADER)
        .isNotNegative();
    List<String> rows = new ArrayList<>();
    for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      rows.add(lines.get(i).strip());
    }
    return rows;
  }

  private static List<String> cells(String row) {
    String inner = row.substring(1, row.length() - 1);
    return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
  }

  private static String row(Setting setting) {
    return "| `" + setting.flag() + "` | `" + setting.variable() + "` | " + shownDefault(setting)
        + " | " + setting.meaning() + " |";
  }

  private static String shownDefault(Setting setting) {
    return setting.defaultValue().isEmpty() ? "unset" : "`" + setting.defaultValue() + "`";
  }

  private static CommandLine runCommand() {
    return new CommandLine(new OperatedCli()).getSubcommands().get("run");
  }
}
