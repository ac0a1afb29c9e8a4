package dev.operated.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Puts the generated CRD's printer columns in the order {@link OperatedService} declares them.
 * fabric8's CRD generator sorts them by JSON path, which would make {@code kubectl get osvc}
 * print AGE before READY. Runs in the build right after the generator (operator/pom.xml), so
 * the generated file, the committed copies and the drift test all see the declared order.
 */
public final class PrinterColumnOrder {

  private PrinterColumnOrder() {
  }

  /** @param args the generated CRD file, rewritten in place */
  public static void main(String[] args) throws IOException {
    List<String> declared = Arrays.stream(
            OperatedService.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
    GeneratedCrdFile.rewrite(Path.of(args[0]), crd -> crd.getSpec().getVersions()
        .forEach(version -> version.getAdditionalPrinterColumns().sort(
            Comparator.comparingInt(column -> declared.indexOf(column.getName())))));
  }
}
