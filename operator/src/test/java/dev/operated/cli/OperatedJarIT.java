package dev.operated.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The packaged {@code operator/target/operated.jar} as a user runs it: {@code java -jar} from a
 * directory outside the source tree, with nothing but the jar and its lib/ folder. Runs after
 * {@code package} (failsafe), which builds the jar.
 */
class OperatedJarIT {

  static final Path JAR = Path.of(System.getProperty("operated.jar", "target/operated.jar"));
  static final Path REPO = Path.of(System.getProperty("operated.repoRoot", ".."));

  @TempDir
  Path workDir;

  @Test
  void rendersFromOutsideTheSourceTreeExactlyTheReviewedOutput() throws Exception {
    Files.copy(REPO.resolve("sample-service/deploy/operatedservice-full.yaml"),
        workDir.resolve("service.yaml"));

    Run run = java("-jar", JAR.toAbsolutePath().toString(), "render", "-f", "service.yaml",
        "--kubernetes-version", "1.29");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo(Files.readString(
        REPO.resolve("operator/src/test/resources/golden/operatedservice-full@1.29.yaml")));
  }

  @Test
  void refusesAMissingFileWithStatusTwo() throws Exception {
    Run run = java("-jar", JAR.toAbsolutePath().toString(), "render", "-f", "nowhere.yaml");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("render: cannot read nowhere.yaml");
  }

  @Test
  void theJarStartsTheEntryPointTheImageStartsAndKnowsItsVersion() throws Exception {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      // Jib's container mainClass is the same ${main.class} (operator/pom.xml)
      assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(OperatedCli.class.getName());
    }
    Run run = java("-jar", JAR.toAbsolutePath().toString(), "--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("operated ").doesNotContain("development build");
  }

  @Test
  void theImageRunsTheSameEntryPointAsTheJar() throws Exception {
    Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(REPO.resolve("operator/pom.xml").toFile());
    XPath xpath = XPathFactory.newInstance().newXPath();

    assertThat(xpath.evaluate("/project/properties/main.class", pom))
        .isEqualTo(OperatedCli.class.getName());
    assertThat(xpath.evaluate("//plugin[artifactId='maven-jar-plugin']"
        + "/configuration/archive/manifest/mainClass", pom)).isEqualTo("${main.class}");
    assertThat(xpath.evaluate("//plugin[artifactId='jib-maven-plugin']"
        + "/configuration/container/mainClass", pom)).isEqualTo("${main.class}");
    // the image alone starts the operator (the chart passes the same "run")
    assertThat(xpath.evaluate("//plugin[artifactId='jib-maven-plugin']"
        + "/configuration/container/args/arg", pom)).isEqualTo("run");
  }

  record Run(int exitCode, String out, String err) {
  }

  private Run java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(List.of(args));
    Path out = workDir.resolve("stdout");
    Path err = workDir.resolve("stderr");
    Process process = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits within 60 s").isTrue();
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
