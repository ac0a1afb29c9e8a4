package dev.operated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * `render` on the example manifests prints exactly the reviewed output in
 * src/test/resources/golden. After an intended change run operator/update-golden-files.sh,
 * review the diff and commit it; this test never writes the files.
 */
class RenderGoldenFilesTest {

  static final Path REPO = Path.of(System.getProperty("operated.repoRoot", ".."));
  static final Path GOLDEN = Path.of("src/test/resources/golden");

  static Stream<Path> goldenFiles() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void everyExampleHasGoldenFilesForEveryVersion() throws IOException {
    List<String> expected = new ArrayList<>();
    try (Stream<Path> examples = Files.list(REPO.resolve("sample-service/deploy"))) {
      examples.filter(f -> f.toString().endsWith(".yaml")).forEach(example -> {
        for (String version : List.of("1.28", "1.29", "1.33")) {
          expected.add(example.getFileName().toString().replace(".yaml", "") + "@" + version
              + ".yaml");
        }
      });
    }
    assertThat(goldenFiles().map(f -> f.getFileName().toString()))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void renderPrintsTheReviewedOutput(Path golden) throws IOException {
    String name = golden.getFileName().toString();
    String example = name.substring(0, name.indexOf('@')) + ".yaml";
    String version = name.substring(name.indexOf('@') + 1, name.length() - ".yaml".length());

    Cli cli = Cli.run("render", "-f", REPO.resolve("sample-service/deploy").resolve(example)
        .toString(), "--kubernetes-version", version);

    assertThat(cli.err()).isEmpty();
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out()).as("render of %s for %s; if the change is intended run "
        + "operator/update-golden-files.sh and review the diff", example, version)
        .isEqualTo(Files.readString(golden));
  }
}
