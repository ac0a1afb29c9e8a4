package dev.operated.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD is generated from the model; the copies users apply (crds/) and Helm installs
 * (helm/operated/crds/) must be exactly what the model generates.
 */
class CrdFilesInSyncTest {

  static final String FIX = "regenerate them with: ./mvnw -pl operator process-classes -Pupdate-crds";

  @Test
  void committedCrdMatchesTheModel() throws IOException {
    assertThat(drift(GeneratedCrd.generatedFile(), GeneratedCrd.committedCopy())).isEmpty();
  }

  @Test
  void chartCrdMatchesTheModel() throws IOException {
    assertThat(drift(GeneratedCrd.generatedFile(), GeneratedCrd.chartCopy())).isEmpty();
  }

  @Test
  void aHandEditedCopyIsCaught(@TempDir Path temp) throws IOException {
    Path edited = temp.resolve(GeneratedCrd.FILE_NAME);
    String generated = Files.readString(GeneratedCrd.generatedFile());
    Files.writeString(edited, generated.replace("default: 5", "default: 6"));
    assertThat(edited).content().isNotEqualTo(generated);

    assertThat(drift(GeneratedCrd.generatedFile(), edited)).hasValueSatisfying(message ->
        assertThat(message).contains("default: 6").contains(FIX));
  }

  @Test
  void aMissingCopyIsCaught(@TempDir Path temp) throws IOException {
    assertThat(drift(GeneratedCrd.generatedFile(), temp.resolve("absent.yml")))
        .hasValueSatisfying(message -> assertThat(message).contains("missing"));
  }

  /** The first differing line, or empty when the copy is byte-for-byte what the model generates. */
  static Optional<String> drift(Path generated, Path copy) throws IOException {
    if (!Files.exists(copy)) {
      return Optional.of(copy + " is missing; " + FIX);
    }
    List<String> expected = Files.readAllLines(generated);
    List<String> actual = Files.readAllLines(copy);
    for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
      String want = i < expected.size() ? expected.get(i) : "<end of file>";
      String got = i < actual.size() ? actual.get(i) : "<end of file>";
      if (!want.equals(got)) {
        return Optional.of(copy + " differs from the model at line " + (i + 1) + ": expected '"
            + want + "' but found '" + got + "'; " + FIX);
      }
    }
    return Optional.empty();
  }
}
