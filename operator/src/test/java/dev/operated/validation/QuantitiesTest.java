package dev.operated.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quantities in canonical form, as k8s.io/apimachinery/pkg/api/resource/quantity.go writes them
 * (the examples of its Quantity doc comment and of quantity_test.go's
 * {@code TestQuantityCanonicalize}-style cases); spaces around one are dropped, as
 * {@code Quantity.UnmarshalJSON} drops them.
 */
class QuantitiesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "0.5, 500m", "1.5, 1500m", "1024Mi, 1Gi", "1.5Gi, 1536Mi", "2000, 2k", "1500, 1500",
      "1000m, 1", "100m, 100m", "0, 0", "0Mi, 0", "512Ki, 512Ki", "0.5Ki, 512", "1.1Ki, 1126400m",
      "129e6, 129e6", "1e3, 1e3", "1E6, 1e6", "128974848, 128974848", "1M, 1M", "1000k, 1M",
      "0.000000001, 1n", "0.0000000001, 1n", "-0.5, -500m", "+1, 1", "1Ei, 1Ei", "1024Ei, 1024Ei",
      "5., 5", ".5, 500m", "' 1Gi ', 1Gi"})
  void canonicalForm(String written, String canonical) {
    assertThat(Quantities.canonical(written)).contains(canonical);
  }

  /**
   * ParseQuantity's fast path keeps the text as written when its digits look canonical, and
   * Quantity.String() answers it: {@code +1} is not {@code 1} to the API server.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "+1, +1", "01, 01", "1., 1.", "1e0, 1e0", "1e3, 1e3", "+1Mi, +1Mi", "1Mi, 1Mi",
      "1000m, 1", "0.001, 1m", "1024Ki, 1Mi", "8Ki, 8Ki", "1024, 1024", "0, 0", "00, 0",
      "1.5, 1500m", "0.5Ki, 512", "100m, 100m", "' 1Gi ', 1Gi", "2000, 2k"})
  void whatTheApiServerAnswers(String written, String string) {
    assertThat(Quantities.stringOf(written)).contains(string);
  }

  @ParameterizedTest
  @CsvSource({"abc", "1Q", "--1", "''", "1.2.3", "Mi"})
  void notQuantities(String written) {
    assertThat(Quantities.canonical(written)).isEmpty();
  }
}
