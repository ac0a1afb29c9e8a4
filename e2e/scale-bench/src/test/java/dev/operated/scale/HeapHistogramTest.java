package dev.operated.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The live heap is the histogram's total less the dead space a full collection left as fillers. */
class HeapHistogramTest {

  /**
   * The head and the tail of the histogram of the N = 10,000 run BG (docs/benchmarks.md), and a
   * row of the other filler, the object a gap too small for an array is filled with (made up).
   */
  private static final String JAVA_25_AFTER_A_STORM = """
      16831:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:       1122628       62867168  java.util.LinkedHashMap (java.base@25.0.3)
         2:       2617524       62820576  java.lang.String (java.base@25.0.3)
         3:         66562       49979752  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
         4:        358548       42128640  [B (java.base@25.0.3)
       412:            17            544  jdk.internal.vm.FillerObject (java.base@25.0.3)
      4095:             1              8  sun.util.resources.cldr.provider.CLDRLocaleDataMetaInfo (jdk.localedata@25.0.3)
      Total      10944797      427239272
      """;

  @Test
  void theFillersOfTheDeadSpaceAreNotLive() {
    HeapHistogram histogram = HeapHistogram.parse(JAVA_25_AFTER_A_STORM);

    assertThat(histogram.totalBytes()).isEqualTo(427_239_272L);
    assertThat(histogram.fillerBytes()).isEqualTo(49_979_752L + 544L);
    assertThat(histogram.liveKib()).isEqualTo((427_239_272L - 49_979_752L - 544L) / 1024);
  }

  @Test
  void java17sFillersAreIntArraysAndCountAsLive() {
    HeapHistogram histogram = HeapHistogram.parse("""
        4242:
         num     #instances         #bytes  class name (module)
        -------------------------------------------------------
           1:        100000        8000000  [I (java.base@17.0.17)
           2:         50000        1200000  java.lang.String (java.base@17.0.17)
        Total        150000        9200000
        """);

    assertThat(histogram.fillerBytes()).isZero();
    assertThat(histogram.liveKib()).isEqualTo(9_200_000L / 1024);
  }

  @Test
  void textWithoutATotalIsRefusedWithWhatItBeganWith() {
    assertThatThrownBy(() -> HeapHistogram.parse("4242:\nGC.class_histogram is not available"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no 'Total' line")
        .hasMessageContaining("GC.class_histogram is not available");
  }

  @Test
  void theHistogramOfThisVeryJvmParsesToTheSumOfItsRows() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    assumeTrue(Files.isExecutable(jcmd), "this JVM has no jcmd (a JRE): " + jcmd);

    String text = OperatorProcess.run(jcmd, String.valueOf(ProcessHandle.current().pid()),
        "GC.class_histogram");
    long sumOfRows = text.lines()
        .filter(line -> line.matches("^\\s*\\d+:\\s+\\d+\\s+\\d+\\s+\\S.*"))
        .mapToLong(line -> Long.parseLong(line.trim().split("\\s+")[2]))
        .sum();

    HeapHistogram histogram = HeapHistogram.parse(text);
    assertThat(histogram.totalBytes()).isPositive().isEqualTo(sumOfRows);
    assertThat(histogram.liveKib()).isPositive()
        .isLessThanOrEqualTo(histogram.totalBytes() / 1024);
  }
}
